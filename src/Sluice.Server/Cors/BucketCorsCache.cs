using System.Collections.Concurrent;
using Sluice.S3.Naming;
using Sluice.Server.Service;
using Sluice.Server.Storage;

namespace Sluice.Server.Cors;

/// <summary>
/// Each bucket's CORS policy, parsed from its <see cref="BucketSetting.Cors"/> document once and kept — a bucket known
/// to have none is kept as null — so a request carrying Origin reads no setting after the bucket's first, and finds
/// its policy by the routed name's bytes without allocating. Put/DeleteBucketCors and DeleteBucket
/// <see cref="Forget"/> the bucket after writing; a load that raced with such a change is not kept.
/// </summary>
internal sealed class BucketCorsCache
{
    private readonly ConcurrentDictionary<string, CorsPolicy?> _policies = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _generation;

    /// <summary>The bucket's policy when known (null: known to have none); false when it must be loaded.</summary>
    public bool TryGet(ReadOnlySpan<byte> bucket, out CorsPolicy? policy)
    {
        policy = null;
        if (bucket.Length > BucketNameRules.MaxLength) return false;
        Span<char> name = stackalloc char[bucket.Length];
        int n = System.Text.Encoding.ASCII.GetChars(bucket, name); // bucket names are ASCII
        return _policies.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name[..n], out policy);
    }

    /// <summary>Reads and keeps the bucket's policy (NoSuchBucket propagates, and nothing is kept).</summary>
    public async ValueTask<CorsPolicy?> LoadAsync(ObjectService objects, string bucket)
    {
        int generation = Volatile.Read(ref _generation);
        var policy = CorsPolicy.Of(await objects.GetBucketSettingAsync(bucket, BucketSetting.Cors).ConfigureAwait(false));
        lock (_gate)
        {
            // A configuration changed while this one was read must not be cached over the change.
            if (generation == _generation) _policies[bucket] = policy;
        }
        return policy;
    }

    /// <summary>Drops what is known of the bucket (its configuration changed, or the bucket went).</summary>
    public void Forget(string bucket)
    {
        lock (_gate)
        {
            _generation++;
            _policies.TryRemove(bucket, out _);
        }
    }
}
