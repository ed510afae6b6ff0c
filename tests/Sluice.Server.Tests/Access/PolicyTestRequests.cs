using System.Text;
using Sluice.Server.Access;

namespace Sluice.Server.Tests.Access;

/// <summary>Condition keys given as a dictionary (absent key: not in the request).</summary>
internal sealed class DictionaryConditionKeys(Dictionary<string, string[]>? keys = null) : IConditionKeys
{
    private readonly Dictionary<string, string[]> _keys = new(keys ?? [], StringComparer.OrdinalIgnoreCase);

    public bool TryGetValues(string key, out IReadOnlyList<string> values)
    {
        bool found = _keys.TryGetValue(key, out var v);
        values = v ?? [];
        return found;
    }
}

/// <summary>Principals, requests and documents the policy tests share.</summary>
internal static class PolicyTestRequests
{
    public const string Bucket = "pics";
    public const string Account = "111122223333";
    public const string OtherAccount = "444455556666";

    public static readonly AccessPrincipal Alice = new("c-alice", "alice", Account);
    public static readonly AccessPrincipal Bob = new("c-bob", "bob", Account);
    public static readonly AccessPrincipal Mallory = new("c-mallory", "mallory", OtherAccount);
    public static readonly AccessPrincipal Anonymous = AccessPrincipal.Anonymous;

    public static AccessRequest Request(AccessPrincipal principal, string action, string? key = null,
        Dictionary<string, string[]>? conditions = null, string bucket = Bucket) => new()
    {
        Principal = principal,
        Action = action,
        Bucket = bucket,
        Key = key,
        Conditions = new DictionaryConditionKeys(conditions),
    };

    /// <summary>A one-statement policy document.</summary>
    public static string Statement(string effect = "Allow", string principal = "\"*\"", string action = "\"s3:GetObject\"",
        string resource = "\"arn:aws:s3:::pics/*\"", string? condition = null, string version = "2012-10-17",
        string principalElement = "Principal", string actionElement = "Action", string resourceElement = "Resource") =>
        "{\"Version\":\"" + version + "\",\"Statement\":[{\"Effect\":\"" + effect + "\",\"" + principalElement + "\":" + principal +
        ",\"" + actionElement + "\":" + action + ",\"" + resourceElement + "\":" + resource +
        (condition == null ? "" : ",\"Condition\":" + condition) + "}]}";

    public static BucketPolicy Parse(string json, string bucket = Bucket) => BucketPolicy.Parse(Encoding.UTF8.GetBytes(json), bucket);

    /// <summary>The MalformedPolicy (or other) exception a document gets.</summary>
    public static BucketPolicyException Refused(string json, string bucket = Bucket) =>
        Assert.Throws<BucketPolicyException>(() => Parse(json, bucket));
}
