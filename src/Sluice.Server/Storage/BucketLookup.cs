using System.Collections.Concurrent;
using Sluice.S3.Naming;

namespace Sluice.Server.Storage;

/// <summary>
/// Finds a bucket's entry in a by-name map from the bucket's ASCII bytes (as routed) without allocating a string: the
/// hot GET path's lookup, shared by the stores.
/// </summary>
internal static class BucketLookup
{
    public static bool TryGet<T>(ConcurrentDictionary<string, T> map, ReadOnlySpan<byte> bucket, out T? value)
    {
        value = default;
        if (bucket.Length > BucketNameRules.MaxLength) return false; // no such bucket can exist
        Span<char> name = stackalloc char[bucket.Length];
        int n = System.Text.Encoding.ASCII.GetChars(bucket, name);
        return map.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name[..n], out value);
    }
}
