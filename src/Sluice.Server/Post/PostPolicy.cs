using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.S3.Errors;
using Sluice.Server.Handlers;

namespace Sluice.Server.Post;

/// <summary>
/// A POST upload's policy document (the form's base64 <c>policy</c>): its expiration and conditions — exact matches
/// (<c>{"field": "value"}</c>, <c>["eq", "$field", "value"]</c>), prefixes (<c>["starts-with", "$field", "prefix"]</c>,
/// an empty prefix matching anything) and <c>["content-length-range", min, max]</c>. Field names compare
/// case-insensitively, as S3's do; the document's own keys ("expiration", "conditions") are case-sensitive. A document
/// that does not parse is 400 InvalidPolicyDocument; a form it refuses is 403 AccessDenied "Invalid according to
/// Policy: …", and a file outside the length range EntityTooSmall / EntityTooLarge.
/// </summary>
internal sealed class PostPolicy
{
    /// <summary>Fields any form may carry without a condition: the signature's own and those S3 ignores.</summary>
    private static readonly HashSet<string> Exempt = new(StringComparer.OrdinalIgnoreCase)
    {
        "policy", "x-amz-signature", "signature", "awsaccesskeyid", "file",
    };

    private readonly List<Condition> _conditions;

    private PostPolicy(DateTimeOffset expiration, List<Condition> conditions, long? minLength, long? maxLength)
    {
        Expiration = expiration;
        _conditions = conditions;
        MinLength = minLength;
        MaxLength = maxLength;
    }

    public DateTimeOffset Expiration { get; }

    /// <summary>content-length-range's bounds, when the policy has one.</summary>
    public long? MinLength { get; }

    public long? MaxLength { get; }

    /// <summary>One eq / starts-with condition: the field (lower case, no '$') and the value or prefix.</summary>
    private sealed record Condition(bool Exact, string Field, string Value)
    {
        public string Describe() => $"[\"{(Exact ? "eq" : "starts-with")}\", \"${Field}\", \"{Value}\"]";
    }

    /// <summary>Decodes and parses the base64 policy; InvalidPolicyDocument when it is not a valid document.</summary>
    public static PostPolicy Parse(string base64)
    {
        byte[] json;
        try
        {
            json = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw Invalid("Invalid Policy: Invalid Base64 encoding.");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            throw Invalid("Invalid Policy: Invalid JSON.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid("Invalid Policy: Invalid JSON.");
            if (!root.TryGetProperty("expiration", out var expirationElement))
                throw Invalid("Invalid Policy: Policy missing expiration.");
            if (expirationElement.ValueKind != JsonValueKind.String || !TryParseExpiration(expirationElement.GetString()!, out var expiration))
                throw Invalid($"Invalid Policy: Invalid 'expiration' value: '{expirationElement}'");
            if (!root.TryGetProperty("conditions", out var conditionsElement))
                throw Invalid("Invalid Policy: Policy missing conditions.");
            if (conditionsElement.ValueKind != JsonValueKind.Array)
                throw Invalid("Invalid Policy: Invalid 'conditions' value: must be a list.");
            var conditions = new List<Condition>();
            long? min = null, max = null;
            foreach (var c in conditionsElement.EnumerateArray())
            {
                if (c.ValueKind == JsonValueKind.Object)
                {
                    int count = 0;
                    foreach (var property in c.EnumerateObject())
                    {
                        count++;
                        conditions.Add(new Condition(true, FieldName(property.Name, dollar: false), Text(property.Value)));
                    }
                    if (count == 0) throw Invalid("Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
                }
                else if (c.ValueKind == JsonValueKind.Array)
                {
                    var items = c.EnumerateArray().ToArray();
                    string op = items.Length > 0 && items[0].ValueKind == JsonValueKind.String ? items[0].GetString()!.ToLowerInvariant() : "";
                    switch (op)
                    {
                        case "eq":
                        case "starts-with":
                            if (items.Length != 3 || items[1].ValueKind != JsonValueKind.String || !items[1].GetString()!.StartsWith('$'))
                                throw Invalid($"Invalid Policy: Invalid Condition: {c.GetRawText()}");
                            conditions.Add(new Condition(op == "eq", FieldName(items[1].GetString()!, dollar: true), Text(items[2])));
                            break;
                        case "content-length-range":
                            if (items.Length != 3 || !TryLength(items[1], out long low) || !TryLength(items[2], out long high))
                                throw Invalid("Invalid Policy: Invalid content-length-range: " + c.GetRawText());
                            min = low;
                            max = high;
                            break;
                        default:
                            throw Invalid($"Invalid Policy: Invalid Condition: {c.GetRawText()}");
                    }
                }
                else
                {
                    throw Invalid($"Invalid Policy: Invalid Condition: {c.GetRawText()}");
                }
            }
            return new PostPolicy(expiration, conditions, min, max);
        }
    }

    /// <summary>
    /// Checks the form against the policy: not expired, every condition met (the bucket's against the bucket the
    /// request names), and every field but the exempt ones covered by a condition. <paramref name="fields"/> compare
    /// case-insensitively; the key is the one after <c>${filename}</c> was substituted.
    /// </summary>
    public void Check(IReadOnlyDictionary<string, string> fields, string bucket, DateTimeOffset now)
    {
        if (now >= Expiration) throw Denied("Invalid according to Policy: Policy expired.");
        bool bucketCondition = false;
        foreach (var condition in _conditions)
        {
            string? value = condition.Field == "bucket" ? bucket : fields.TryGetValue(condition.Field, out var v) ? v : null;
            bucketCondition |= condition.Field == "bucket";
            bool holds = condition.Exact
                ? value != null && string.Equals(value, condition.Value, StringComparison.Ordinal)
                : condition.Value.Length == 0 || (value != null && value.StartsWith(condition.Value, StringComparison.Ordinal));
            if (!holds) throw Denied("Invalid according to Policy: Policy Condition failed: " + condition.Describe());
        }
        if (!bucketCondition)
            throw Denied($"Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"{bucket}\"]");
        var extra = fields.Keys.Where(name => !Exempt.Contains(name)
            && !name.StartsWith("x-ignore-", StringComparison.OrdinalIgnoreCase)
            && !_conditions.Any(c => c.Field.Equals(name, StringComparison.OrdinalIgnoreCase))).ToList();
        if (extra.Count > 0) throw Denied("Invalid according to Policy: Extra input fields: " + string.Join(", ", extra));
    }

    /// <summary>EntityTooSmall / EntityTooLarge when the file's length is outside content-length-range.</summary>
    public void CheckLength(long length)
    {
        if (MinLength is { } min && length < min)
            throw new S3RequestException(new S3Error(S3ErrorCode.EntityTooSmall)
                .WithDetail("ProposedSize", length.ToString(CultureInfo.InvariantCulture))
                .WithDetail("MinSizeAllowed", min.ToString(CultureInfo.InvariantCulture)));
        if (MaxLength is { } max && length > max) throw TooLarge(length, max);
    }

    public static S3RequestException TooLarge(long length, long max) => new(new S3Error(S3ErrorCode.EntityTooLarge)
        .WithDetail("ProposedSize", length.ToString(CultureInfo.InvariantCulture))
        .WithDetail("MaxSizeAllowed", max.ToString(CultureInfo.InvariantCulture)));

    private static string FieldName(string name, bool dollar) => (dollar ? name[1..] : name).ToLowerInvariant();

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        _ => throw Invalid("Invalid Policy: Invalid Condition: a condition's value must be a string: " + value.GetRawText()),
    };

    private static bool TryLength(JsonElement value, out long length)
    {
        length = 0;
        if (value.ValueKind == JsonValueKind.Number) return value.TryGetInt64(out length) && length >= 0;
        return value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out length);
    }

    /// <summary>ISO 8601 in UTC, as S3 takes it: <c>2026-12-31T12:00:00Z</c>, with or without fractional seconds.</summary>
    private static bool TryParseExpiration(string text, out DateTimeOffset expiration) =>
        DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"],
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out expiration);

    private static S3RequestException Invalid(string message) => new(new S3Error(S3ErrorCode.InvalidPolicyDocument, message));

    private static S3RequestException Denied(string message) => new(new S3Error(S3ErrorCode.AccessDenied, message));
}
