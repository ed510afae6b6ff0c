using System.Buffers;
using Sluice.IO.Buffers;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Service;

/// <summary>
/// The service layer between the handlers (HTTP ↔ S3) and storage (<see cref="IObjectStorage"/>): every read and write
/// of an object, upload or bucket goes through here, so what must hold for all of them (authorization, versioning,
/// partition policies, as they come) has one place. A write is one storage call that is atomic and, on a durable
/// store, durable before it returns; request bodies reach a store writer through <see cref="WriteBodyAsync"/>, which
/// pipelines receiving, hashing and storing. Like the handlers, it awaits in the front's context (no
/// ConfigureAwait(false)), so a request's continuations come back to the thread serving it.
/// </summary>
public sealed class ObjectService
{
    /// <summary>Receive buffer for object bodies, rented per upload.</summary>
    private const int BodyBufferSize = 256 * 1024;

    /// <summary>Bodies at least this long are received, hashed and written as a pipeline (two buffers).</summary>
    private const long PipelinedBodyMinBytes = 1 << 20;

    private readonly NativeBufferPool _buffers;

    /// <param name="storage">The store.</param>
    /// <param name="buffers">Registered buffers bodies are received into (the I/O engine's).</param>
    public ObjectService(IObjectStorage storage, NativeBufferPool buffers)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(buffers);
        Storage = storage;
        _buffers = buffers;
    }

    public IObjectStorage Storage { get; }

    // ---------------------------------------------------------------- buckets

    public ValueTask<BucketInfo> CreateBucketAsync(string bucket, string? ownerId = null, byte[]? acl = null) =>
        Storage.CreateBucketAsync(bucket, ownerId, acl);

    /// <summary>The bucket, or NoSuchBucket.</summary>
    public ValueTask<BucketInfo> GetBucketAsync(string bucket) => Storage.GetBucketAsync(bucket);

    public ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync() => Storage.ListBucketsAsync();

    public ValueTask DeleteBucketAsync(string bucket) => Storage.DeleteBucketAsync(bucket);

    /// <summary>The bucket's key index (listings, a create-only write's early check); NoSuchBucket when absent.</summary>
    public ValueTask<BucketIndex> GetKeyIndexAsync(string bucket) => Storage.GetKeyIndexAsync(bucket);

    /// <summary>
    /// Counts a read of <paramref name="key"/> in its bucket's key index (the partitions' heat), when the index is
    /// open; false otherwise (count it through <see cref="GetKeyIndexAsync"/>).
    /// </summary>
    public bool TryCountRead(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key)
    {
        if (!Storage.TryGetKeyIndex(bucket, out var index)) return false;
        index!.CountRead(key);
        return true;
    }

    // ---------------------------------------------------------------- reads

    /// <summary>A hot object's reader with no I/O and no allocation, when the store keeps one open.</summary>
    public bool TryOpenCached(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, out IObjectReader? reader) =>
        Storage.TryOpenCached(bucket, key, out reader);

    public ValueTask<IObjectReader> OpenReadAsync(string bucket, string key) => Storage.OpenReadAsync(bucket, key);

    public ValueTask<ObjectMetadata> HeadAsync(string bucket, string key) => Storage.HeadAsync(bucket, key);

    // ---------------------------------------------------------------- writes

    /// <summary>Starts a PutObject; the body goes in with <see cref="WriteBodyAsync"/>, then <see cref="PutAsync"/>.</summary>
    public ValueTask<IObjectWriter> BeginPutAsync(string bucket, string key, ChecksumAlgorithm checksumAlgorithm) =>
        Storage.BeginPutAsync(bucket, key, checksumAlgorithm);

    /// <summary>Commits a received body as the key's new version (PutObject).</summary>
    public static ValueTask<ObjectMetadata> PutAsync(IObjectWriter writer, ObjectAttributes attributes, string? expectedContentMd5,
        string? expectedChecksum, WriteCondition? condition)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return writer.CommitAsync(attributes, expectedContentMd5, expectedChecksum, condition);
    }

    /// <summary>Copies a source version to the key (CopyObject); <paramref name="attributesFor"/> may refuse the source.</summary>
    public ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition) =>
        Storage.CopyAsync(sourceBucket, sourceKey, bucket, key, attributesFor, condition);

    /// <summary>Deletes the key (absent is fine, as S3 answers it).</summary>
    /// <summary>The key's current version and its parts (GET/HEAD partNumber, GetObjectAttributes).</summary>
    public ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, bool details) => Storage.GetPartsAsync(bucket, key, details);

    public ValueTask<bool> DeleteAsync(string bucket, string key, WriteCondition? condition = null) =>
        Storage.DeleteAsync(bucket, key, condition);

    /// <summary>New attributes (tags) on the key's current version; its bytes, ETag and LastModified stay.</summary>
    public ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key, Func<ObjectMetadata, ObjectAttributes> update) =>
        Storage.UpdateAttributesAsync(bucket, key, update);

    public ValueTask<byte[]?> GetBucketSettingAsync(string bucket, BucketSetting setting) =>
        Storage.GetBucketSettingAsync(bucket, setting);

    public ValueTask SetBucketSettingAsync(string bucket, BucketSetting setting, byte[]? document) =>
        Storage.SetBucketSettingAsync(bucket, setting, document);

    // ---------------------------------------------------------------- versions

    public ValueTask<VersioningState> GetVersioningAsync(string bucket) => Storage.GetVersioningAsync(bucket);

    /// <summary>The bucket's noncurrent versions and delete markers, in key order, newest first within a key.</summary>
    public ValueTask<BucketIndex> GetVersionIndexAsync(string bucket) => Storage.GetVersionIndexAsync(bucket);

    /// <summary>A version (null: the current one) open for reading.</summary>
    public ValueTask<IObjectReader> OpenReadAsync(string bucket, string key, string? versionId) =>
        Storage.OpenReadAsync(bucket, key, versionId);

    public ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, string? versionId) => Storage.HeadAsync(bucket, key, versionId);

    public ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, string? versionId, bool details) =>
        Storage.GetPartsAsync(bucket, key, versionId, details);

    /// <summary>DeleteObject by the bucket's versioning state, or of one version.</summary>
    public ValueTask<DeleteOutcome> DeleteVersionAsync(string bucket, string key, string? versionId, WriteCondition? condition) =>
        Storage.DeleteVersionAsync(bucket, key, versionId, condition);

    public ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string? sourceVersionId, string bucket,
        string key, Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition) =>
        Storage.CopyAsync(sourceBucket, sourceKey, sourceVersionId, bucket, key, attributesFor, condition);

    public ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key, string? versionId,
        Func<ObjectMetadata, ObjectAttributes> update) =>
        Storage.UpdateAttributesAsync(bucket, key, versionId, update);

    // ---------------------------------------------------------------- multipart uploads

    public ValueTask<MultipartUploadInfo> CreateMultipartUploadAsync(string bucket, string key, ObjectAttributes attributes,
        ChecksumAlgorithm checksumAlgorithm, string? checksumType = null) =>
        Storage.CreateMultipartUploadAsync(bucket, key, attributes, checksumAlgorithm, checksumType);

    public ValueTask<MultipartUploadInfo> GetMultipartUploadAsync(string bucket, string key, string uploadId) =>
        Storage.GetMultipartUploadAsync(bucket, key, uploadId);

    public ValueTask<IPartWriter> BeginUploadPartAsync(string bucket, string key, string uploadId, int partNumber) =>
        Storage.BeginUploadPartAsync(bucket, key, uploadId, partNumber);

    public ValueTask<IReadOnlyList<PartInfo>> ListPartsAsync(string bucket, string key, string uploadId) =>
        Storage.ListPartsAsync(bucket, key, uploadId);

    public ValueTask AbortMultipartUploadAsync(string bucket, string key, string uploadId) =>
        Storage.AbortMultipartUploadAsync(bucket, key, uploadId);

    /// <summary>Publishes a multipart upload's parts as the key's new version (CompleteMultipartUpload).</summary>
    public ValueTask<ObjectMetadata> CompleteMultipartUploadAsync(string bucket, string key, string uploadId,
        IReadOnlyList<CompletedPart> parts, WriteCondition? condition, CompleteChecks? checks = null) =>
        Storage.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, condition, checks);

    public ValueTask<IReadOnlyList<MultipartUploadInfo>> ListMultipartUploadsAsync(string bucket) =>
        Storage.ListMultipartUploadsAsync(bucket);

    // ---------------------------------------------------------------- bodies

    /// <summary>
    /// Streams a verified body into a store writer, also feeding <paramref name="extra"/> when given. Bytes are
    /// received into a registered native buffer when one is free (the writer then writes it with WRITE_FIXED on
    /// io_uring), filling it before each write so writes stay large; else into a pooled array. A body of
    /// <paramref name="declaredLength"/> ≥ 1 MiB is pipelined over two buffers.
    /// </summary>
    public async ValueTask WriteBodyAsync(IBodySource body, long declaredLength, IBodyWriter writer, S3Checksum? extra = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(writer);
        var buffers = _buffers;
        if (declaredLength >= PipelinedBodyMinBytes && buffers.TryRent(BodyBufferSize, out var first))
        {
            if (buffers.TryRent(BodyBufferSize, out var second))
            {
                await WritePipelinedAsync(body, writer, first, second, extra);
                return;
            }
            first.Return();
        }
        if (buffers.TryRent(BodyBufferSize, out var native))
        {
            try
            {
                var memory = native.Memory; // the whole size class: fewer, larger file writes
                while (true)
                {
                    int filled = 0, n = 0;
                    while (filled < memory.Length && (n = await body.ReadAsync(memory[filled..])) > 0) filled += n;
                    if (filled > 0)
                    {
                        extra?.Append(native.GetSpan()[..filled]);
                        await writer.WriteAsync(native, filled);
                    }
                    if (n == 0) return; // the payload is complete and verified
                }
            }
            finally
            {
                native.Return();
            }
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BodyBufferSize);
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
            {
                extra?.Append(buffer.AsSpan(0, n));
                await writer.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies <paramref name="length"/> body bytes of a stored version from <paramref name="offset"/> into a writer (UploadPartCopy).</summary>
    public static async ValueTask CopyRangeAsync(IObjectReader source, long offset, long length, IBodyWriter writer)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(writer);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BodyBufferSize);
        try
        {
            for (long done = 0; done < length;)
            {
                int want = (int)Math.Min(buffer.Length, length - done);
                int n = await source.ReadAsync(buffer.AsMemory(0, want), offset + done);
                if (n == 0) throw new IOException("the source object ended early");
                await writer.WriteAsync(buffer.AsMemory(0, n));
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A large body with two registered buffers: while one buffer is written and hashed (the hash on another core,
    /// see <see cref="IBodyWriter.WriteHashingElsewhereAsync"/>), the front receives into the other, so receiving,
    /// hashing and writing overlap instead of taking turns on one core. Returns both buffers.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012:Use ValueTasks correctly",
        Justification = "Each chunk's ValueTask is held while the next chunk arrives and awaited once: inFlight tracks it.")]
    private static async ValueTask WritePipelinedAsync(IBodySource body, IBodyWriter writer, NativeBuffer first,
        NativeBuffer second, S3Checksum? extra)
    {
        var current = first;
        var other = second;
        ValueTask pending = default;
        bool inFlight = false;
        try
        {
            while (true)
            {
                var memory = current.Memory;
                int filled = 0, n = 0;
                while (filled < memory.Length && (n = await body.ReadAsync(memory[filled..])) > 0) filled += n;
                if (inFlight)
                {
                    inFlight = false;
                    await pending;
                    await body.ResumeOnOwner();
                }
                if (filled > 0)
                {
                    pending = writer.WriteHashingElsewhereAsync(current, filled, extra);
                    inFlight = true;
                    (current, other) = (other, current);
                }
                if (n == 0) break; // the payload is complete and verified
            }
            if (inFlight)
            {
                inFlight = false;
                await pending;
                await body.ResumeOnOwner();
            }
        }
        finally
        {
            if (inFlight) await DrainAfterFailureAsync(body, pending); // never throws: the buffers always go back
            first.Return();
            second.Return();
        }
    }

    /// <summary>The request already failed: wait until the chunk in flight no longer reads its buffer.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "The body is abandoned whatever the chunk's own outcome (an I/O error, a cancelled operation when the server stops); the first failure is the one reported.")]
    private static async ValueTask DrainAfterFailureAsync(IBodySource body, ValueTask pending)
    {
        try
        {
            await pending;
        }
        catch (Exception)
        {
        }
        await body.ResumeOnOwner();
    }
}
