using System.Collections.Concurrent;
using Sluice.Server.Access;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// The authorization stage's bucket-policy hook (<see cref="IBucketPolicySource"/>) over real HTTP: a policy's explicit
/// deny beats the owner's ACL rights, its allow grants what no ACL does, a failing evaluation denies, and the
/// condition keys it asks for carry the request's values. The policy here is a small hand-written
/// <see cref="IAccessPolicy"/> (the real policy engine is built elsewhere and plugs into the same hook); what is under
/// test is the stage that consults it.
/// </summary>
public sealed class AccessPolicyHookTests
{
    /// <summary>Denies GETs of "deny/…", allows anyone s3:GetObject on "pub/…" and s3:ListBucket with s3:prefix "pub/",
    /// throws on a GET of "boom", and records the condition keys of each request it judges.</summary>
    private sealed class TestPolicy : IAccessPolicy
    {
        public ConcurrentQueue<(string Action, string Resource, Dictionary<string, string?> Keys)> Seen { get; } = new();

        public bool IsPublic => true;

        public AccessDecision Evaluate(AccessRequest request)
        {
            var keys = new Dictionary<string, string?>();
            foreach (string k in new[] { "aws:SecureTransport", "aws:PrincipalType", "aws:username", "s3:prefix", "s3:max-keys", "s3:x-amz-acl", "s3:ExistingObjectTag/color", "aws:SourceIp" })
                keys[k] = request.Conditions.TryGetValues(k, out var v) ? string.Join(",", v) : null;
            Seen.Enqueue((request.Action, request.Resource, keys));
            if (request.Action == "s3:GetObject" && request.Key == "boom") throw new InvalidOperationException("evaluation failed");
            if (request.Action == "s3:GetObject" && request.Key?.StartsWith("deny/", StringComparison.Ordinal) == true) return AccessDecision.ExplicitDeny;
            if (request.Action == "s3:GetObject" && request.Key?.StartsWith("pub/", StringComparison.Ordinal) == true) return AccessDecision.Allow;
            if (request.Action == "s3:ListBucket" && keys["s3:prefix"] == "pub/") return AccessDecision.Allow;
            return AccessDecision.NotApplicable;
        }
    }

    private sealed class TestPolicies(string bucket, IAccessPolicy policy) : IBucketPolicySource
    {
        public ValueTask<IAccessPolicy?> GetPolicyAsync(string name, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(name == bucket ? policy : null);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task The_bucket_policy_is_consulted_as_AWS_combines_it(string engine)
    {
        var policy = new TestPolicy();
        await using var t = await TestServer.StartAsync(engine, users: true, policies: new TestPolicies("guarded", policy));
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/guarded")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/plain")).Status);
        foreach (string key in new[] { "deny/a", "pub/a", "boom", "mine" })
            Assert.Equal(200, (await c.PutObjectAsync("guarded", key, "v"u8.ToArray(), ("x-amz-tagging", "color=blue"))).Status);

        // An explicit deny beats the owner's own rights; an evaluation that fails denies.
        Assert.Equal(403, (await c.GetObjectAsync("guarded", "deny/a")).Status);
        Assert.Equal(403, (await c.GetObjectAsync("guarded", "boom")).Status);
        Assert.Equal(200, (await c.GetObjectAsync("guarded", "mine")).Status);
        // An allow grants the anonymous principal what no ACL does, and only that.
        Assert.Equal("v", (await c.SendAsync("GET", "/guarded/pub/a", sign: false)).Text);
        Assert.Equal(403, (await c.SendAsync("GET", "/guarded/mine", sign: false)).Status);
        Assert.Equal(200, (await c.SendAsync("GET", "/guarded", "list-type=2&prefix=pub%2F&max-keys=5", sign: false)).Status);
        Assert.Equal(403, (await c.SendAsync("GET", "/guarded", "list-type=2", sign: false)).Status);
        // Another bucket has no policy: nothing is allowed to the anonymous principal there.
        Assert.Equal(200, (await c.PutObjectAsync("plain", "pub/a", "v"u8.ToArray())).Status);
        Assert.Equal(403, (await c.SendAsync("GET", "/plain/pub/a", sign: false)).Status);

        var seen = policy.Seen.ToArray();
        var anonymousRead = seen.Last(s => s.Action == "s3:GetObject" && s.Resource == "arn:aws:s3:::guarded/pub/a");
        Assert.Equal("Anonymous", anonymousRead.Keys["aws:PrincipalType"]);
        Assert.Null(anonymousRead.Keys["aws:username"]);
        Assert.Equal("blue", anonymousRead.Keys["s3:ExistingObjectTag/color"]);
        Assert.Equal(Fronts.FrontOf(engine) == Fronts.KestrelTls ? "true" : "false", anonymousRead.Keys["aws:SecureTransport"]);
        var list = seen.Last(s => s.Action == "s3:ListBucket" && s.Keys["s3:prefix"] == "pub/");
        Assert.Equal("5", list.Keys["s3:max-keys"]);
        Assert.Equal("arn:aws:s3:::guarded", list.Resource);
        var put = seen.First(s => s.Action == "s3:PutObject");
        Assert.Equal("User", put.Keys["aws:PrincipalType"]);
        Assert.Equal("main", put.Keys["aws:username"]);
        if (Fronts.FrontOf(engine) != Fronts.InProcess) Assert.Equal("127.0.0.1", put.Keys["aws:SourceIp"]);
    }
}
