using System.Text;
using Sluice.S3.Http;
using Sluice.S3.Naming;

namespace Sluice.Server.Routing;

/// <summary>
/// What a request addresses: the operation, the bucket and the decoded key, and the query. Filled by
/// <see cref="S3Router.Route(KnownMethod, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool, S3Route)"/>;
/// one per connection, reused for each request. Bucket and key live in a buffer owned here, so they outlive the
/// request head's buffer and can be held across awaits by the handler.
/// </summary>
public sealed class S3Route
{
    private const int InitialCapacity = 1024;

    private byte[] _names = new byte[InitialCapacity];
    private HttpSlice _bucket;
    private HttpSlice _key;

    /// <summary>The operation; <see cref="S3Operation.None"/> when routing failed.</summary>
    public S3Operation Operation { get; internal set; }

    /// <summary>Where the bucket was named.</summary>
    public S3Addressing Addressing { get; internal set; }

    /// <summary>The bucket name (ASCII); empty for ListBuckets.</summary>
    public ReadOnlySpan<byte> Bucket => _bucket.Of(_names);

    /// <summary>The object key, percent-decoded and otherwise exactly as sent (UTF-8); empty for bucket operations.</summary>
    public ReadOnlySpan<byte> Key => _key.Of(_names);

    /// <summary>True when the request names a bucket.</summary>
    public bool HasBucket => !_bucket.IsEmpty;

    /// <summary>True when the request names an object.</summary>
    public bool HasKey => !_key.IsEmpty;

    /// <summary>The decoded query and its typed parameters.</summary>
    public S3Query Query { get; } = new();

    /// <summary>The bucket as a string (allocates).</summary>
    public string GetBucketString() => Encoding.ASCII.GetString(Bucket);

    /// <summary>The key as a string (allocates).</summary>
    public string GetKeyString() => Encoding.UTF8.GetString(Key);

    /// <summary>"/bucket/key" for an error's Resource element (allocates).</summary>
    public string GetResource() => HasKey ? $"/{GetBucketString()}/{GetKeyString()}" : HasBucket ? "/" + GetBucketString() : "/";

    internal void Reset()
    {
        Operation = S3Operation.None;
        Addressing = S3Addressing.PathStyle;
        _bucket = _key = default;
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes for names; grows (once) for longer requests.</summary>
    internal Span<byte> Reserve(int length)
    {
        if (_names.Length < length)
        {
            _names = new byte[Math.Max(length, _names.Length * 2)];
        }

        return _names;
    }

    internal void SetNames(HttpSlice bucket, HttpSlice key)
    {
        _bucket = bucket;
        _key = key;
    }
}
