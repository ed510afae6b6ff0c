using System.Text;
using Sluice.Server.Access;
using static Sluice.Server.Tests.Access.PolicyTestRequests;

namespace Sluice.Server.Tests.Access;

/// <summary>
/// The per-bucket policy cache: the store is read once per bucket (a bucket without a policy included), changes
/// replace the entry without a read, a read that raced a change never caches the old document, and a stored
/// document that no longer parses denies.
/// </summary>
public class BucketPolicyCacheTests
{
    private static readonly byte[] PublicRead = Encoding.UTF8.GetBytes(Statement());

    [Fact]
    public async Task The_store_is_read_once_per_bucket_until_a_change()
    {
        var reads = new Dictionary<string, int>();
        var cache = new BucketPolicyCache(bucket =>
        {
            reads[bucket] = reads.GetValueOrDefault(bucket) + 1;
            return ValueTask.FromResult(bucket == Bucket ? PublicRead : null);
        });
        var first = await cache.GetAsync(Bucket);
        Assert.NotNull(first);
        Assert.Same(first, await cache.GetAsync(Bucket));
        Assert.Null(await cache.GetAsync("empty"));
        Assert.Null(await cache.GetAsync("empty"));
        Assert.Equal(1, reads[Bucket]);
        Assert.Equal(1, reads["empty"]);

        var replacement = Parse(Statement(effect: "Deny"));
        cache.Set(Bucket, replacement);
        Assert.Same(replacement, await cache.GetAsync(Bucket));
        cache.Set(Bucket, null);
        Assert.Null(await cache.GetAsync(Bucket));
        Assert.Equal(1, reads[Bucket]);

        cache.Forget(Bucket);
        Assert.NotNull(await cache.GetAsync(Bucket));
        Assert.Equal(2, reads[Bucket]);
    }

    [Fact]
    public async Task A_read_that_raced_a_change_does_not_cache_the_old_document()
    {
        var stored = new TaskCompletionSource<byte[]?>();
        int reads = 0;
        var cache = new BucketPolicyCache(_ =>
        {
            reads++;
            return reads == 1 ? new ValueTask<byte[]?>(stored.Task) : ValueTask.FromResult<byte[]?>(null);
        });
        var pending = cache.GetAsync(Bucket).AsTask();
        cache.Set(Bucket, null); // deleted while the first read was under way
        stored.SetResult(PublicRead);
        Assert.NotNull(await pending); // that caller saw the document it read
        Assert.Null(await cache.GetAsync(Bucket)); // but the deletion stands
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task A_stored_document_that_no_longer_parses_denies_everything()
    {
        var cache = new BucketPolicyCache(_ => ValueTask.FromResult<byte[]?>(Encoding.UTF8.GetBytes("{not json")));
        var policy = await cache.GetAsync(Bucket);
        Assert.NotNull(policy);
        Assert.Equal(AccessDecision.ExplicitDeny, policy.Evaluate(Request(Alice, "s3:GetObject", "k")));
        Assert.False(policy.IsPublic);
    }
}
