using System.Buffers;
using Sluice.Client.Transport;
using Sluice.S3.Tagging;
using Sluice.S3.Xml;

namespace Sluice.Client;

// Object and bucket tagging (GetObjectTagging, PutObjectTagging, DeleteObjectTagging and the bucket forms).
public sealed partial class S3Client
{
    /// <summary>GetObjectTagging: the object's tag set, in the order stored (empty when it has none).</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> GetObjectTaggingAsync(string bucket, string key,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        Tagging tagging = await SendXmlAsync(S3Call.Create("GET", bucket, key, "tagging", idempotent: true), Tagging.Read,
            cancellationToken).ConfigureAwait(false);
        return tagging.TagSet.ToArray();
    }

    /// <summary>
    /// PutObjectTagging: replaces the object's tag set (its bytes, ETag and Last-Modified stay). The set is checked
    /// against S3's rules first (<see cref="TagRules"/>): an invalid one throws <see cref="ArgumentException"/> without
    /// a request.
    /// </summary>
    public Task PutObjectTaggingAsync(string bucket, string key, IEnumerable<KeyValuePair<string, string>> tags,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return PutTaggingAsync(bucket, key, tags, forBucket: false, cancellationToken);
    }

    /// <summary>DeleteObjectTagging: the object keeps no tags.</summary>
    public async Task DeleteObjectTaggingAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _transport.SendAsync(S3Call.Create("DELETE", bucket, key, "tagging", idempotent: true), ResponseSink.Discard,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GetBucketTagging: the bucket's tag set; empty when it has none (S3's NoSuchTagSet).</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> GetBucketTaggingAsync(string bucket,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        try
        {
            Tagging tagging = await SendXmlAsync(S3Call.Create("GET", bucket, null, "tagging", idempotent: true), Tagging.Read,
                cancellationToken).ConfigureAwait(false);
            return tagging.TagSet.ToArray();
        }
        catch (S3Exception e) when (e.Code == Sluice.S3.Errors.S3ErrorCode.NoSuchTagSet)
        {
            return [];
        }
    }

    /// <summary>PutBucketTagging: replaces the bucket's tag set (up to 50 tags).</summary>
    public Task PutBucketTaggingAsync(string bucket, IEnumerable<KeyValuePair<string, string>> tags,
        CancellationToken cancellationToken = default) =>
        PutTaggingAsync(bucket, null, tags, forBucket: true, cancellationToken);

    /// <summary>DeleteBucketTagging.</summary>
    public Task DeleteBucketTaggingAsync(string bucket, CancellationToken cancellationToken = default) =>
        DeleteSubresourceAsync(bucket, "tagging", cancellationToken);

    private async Task PutTaggingAsync(string bucket, string? key, IEnumerable<KeyValuePair<string, string>> tags,
        bool forBucket, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(tags);
        var tagging = new Tagging();
        foreach (var tag in tags) tagging.TagSet.Add(tag);
        var problem = TagRules.Validate(tagging.TagSet.ToArray(), forBucket);
        if (!problem.IsNone) throw new ArgumentException(problem.Message, nameof(tags));
        var body = new ArrayBufferWriter<byte>();
        tagging.WriteTo(body);
        await PutSubresourceAsync(bucket, key, "tagging", body.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }
}
