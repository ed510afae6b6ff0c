using Sluice.S3.Checksums;
using Sluice.Server.Index;

namespace Sluice.Server.Storage;

/// <summary>
/// The storage seam: what the service layer (<see cref="Service.ObjectService"/>) needs from a store. Two stores
/// implement it: <see cref="DiskStorage"/> (files, crash-safe, a journaled key index per bucket) and
/// <see cref="Memory.MemoryStorage"/> (no disk, bounded by a byte limit). Each write method is one atomic step: when it
/// returns the new version is visible to readers (and, for a durable store, survives a crash); when it throws nothing
/// visible changed. Outcomes that are S3 errors (NoSuchBucket, NoSuchKey, PreconditionFailed, BadDigest...) are
/// <see cref="S3StorageException"/>; anything else is a failure of the store itself.
/// </summary>
public interface IObjectStorage : IAsyncDisposable
{
    /// <summary>What the store is, for the banner and logs: "disk DIR" or "memory (limit N bytes)".</summary>
    string Description { get; }

    // ---------------------------------------------------------------- buckets

    /// <summary>
    /// Creates a bucket owned by <paramref name="ownerId"/> (null: the legacy owner) with its
    /// <see cref="BucketSetting.Acl"/> document <paramref name="acl"/> (null: the default), both recorded with the bucket
    /// in one step; BucketAlreadyOwnedByYou when it exists (whoever owns it: the caller tells the owner apart).
    /// </summary>
    ValueTask<BucketInfo> CreateBucketAsync(string bucket, string? ownerId = null, byte[]? acl = null,
        CancellationToken cancellationToken = default);

    /// <summary>The bucket, or NoSuchBucket.</summary>
    ValueTask<BucketInfo> GetBucketAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>Every bucket, by name.</summary>
    ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes an empty bucket (BucketNotEmpty otherwise, NoSuchBucket when absent).</summary>
    ValueTask DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>
    /// The bucket's key index: what listings page through (S3's prefix, delimiter and marker rules), where reads are
    /// counted, and where a create-only write may look before it receives a body. NoSuchBucket when absent.
    /// </summary>
    ValueTask<BucketIndex> GetKeyIndexAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>The key index of a bucket already opened, without allocating; false otherwise.</summary>
    bool TryGetKeyIndex(ReadOnlySpan<byte> bucket, out BucketIndex? index);

    /// <summary>The key indexes open now (the partition policy's pass: a closed index has no heat to act on). Reads no
    /// directory and no bucket file, so a pass every second costs next to nothing.</summary>
    IEnumerable<BucketIndex> OpenKeyIndexes();

    /// <summary>The bucket's <paramref name="setting"/> document, or null when it has none (NoSuchBucket).</summary>
    ValueTask<byte[]?> GetBucketSettingAsync(string bucket, BucketSetting setting, CancellationToken cancellationToken = default);

    /// <summary>Replaces the bucket's <paramref name="setting"/> document whole (null removes it).</summary>
    ValueTask SetBucketSettingAsync(string bucket, BucketSetting setting, byte[]? document,
        CancellationToken cancellationToken = default);

    // ---------------------------------------------------------------- objects

    /// <summary>Starts a PutObject: the writer receives the body, then commits it as the key's new version.</summary>
    ValueTask<IObjectWriter> BeginPutAsync(string bucket, string key, ChecksumAlgorithm checksumAlgorithm,
        CancellationToken cancellationToken = default);

    /// <summary>A hot object's reader with no I/O and no allocation, when the store has one; false otherwise.</summary>
    bool TryOpenCached(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, out IObjectReader? reader);

    /// <summary>The key's current version, open for reading (it stays readable if the key changes meanwhile).</summary>
    ValueTask<IObjectReader> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default);

    /// <summary>The key's current version's metadata (NoSuchKey, NoSuchBucket).</summary>
    ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// The key's current version and its parts (<see cref="ObjectParts"/>). Without <paramref name="details"/> only
    /// the numbers and sizes are needed (a part's byte range); with it, each part's ETag and checksum too.
    /// </summary>
    ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, bool details, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the key; false when there was none (S3 answers 204 either way). With a <paramref name="condition"/>
    /// (a conditional delete: If-Match, size, Last-Modified) it is evaluated atomically with the delete:
    /// PreconditionFailed when the current version does not match, NoSuchKey when there is none.
    /// </summary>
    ValueTask<bool> DeleteAsync(string bucket, string key, WriteCondition? condition = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// CopyObject: the source's current version becomes the key's new version. <paramref name="attributesFor"/> sees
    /// the source's metadata (it may refuse it by throwing) and returns the attributes to store.
    /// </summary>
    ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the attributes (tags) of the key's current version and keeps its bytes, ETag and LastModified, as
    /// PutObjectTagging does. <paramref name="update"/> sees the current metadata and returns the new attributes.
    /// </summary>
    ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key, Func<ObjectMetadata, ObjectAttributes> update,
        CancellationToken cancellationToken = default);

    // ---------------------------------------------------------------- versions
    // A versionId is null (the key's current version), "null" (its null version) or an id the store issued; the
    // handlers refuse any other (InvalidArgument). An id that names no version is NoSuchVersion; a delete marker is
    // NoSuchKey without an id and MethodNotAllowed with one (both with DeleteMarkerVersionId set).

    /// <summary>The bucket's versioning state, as its stores decide writes by it.</summary>
    ValueTask<VersioningState> GetVersioningAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>
    /// The bucket's version index: its noncurrent versions and delete markers (every version but the current ones,
    /// which the key index holds), keyed by <see cref="VersionKeys"/> so a key's versions are adjacent, newest first.
    /// </summary>
    ValueTask<BucketIndex> GetVersionIndexAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>A version open for reading.</summary>
    ValueTask<IObjectReader> OpenReadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken = default);

    /// <summary>A version's metadata.</summary>
    ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken = default);

    /// <summary>A version and its parts (see the overload without a version).</summary>
    ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, string? versionId, bool details,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// DeleteObject as the bucket's versioning state has it: without <paramref name="versionId"/>, removes the
    /// current version (never versioned), adds a delete marker (enabled), or replaces the null version with a null
    /// delete marker (suspended); with one, removes that version for good (the next newest becomes current). The
    /// <paramref name="condition"/> is evaluated against the version the delete concerns.
    /// </summary>
    ValueTask<DeleteOutcome> DeleteVersionAsync(string bucket, string key, string? versionId, WriteCondition? condition,
        CancellationToken cancellationToken = default);

    /// <summary>CopyObject from a source version (null: the current one).</summary>
    ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string? sourceVersionId, string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition,
        CancellationToken cancellationToken = default);

    /// <summary>New attributes (tags) on a version (null: the current one).</summary>
    ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key, string? versionId,
        Func<ObjectMetadata, ObjectAttributes> update, CancellationToken cancellationToken = default);

    // ---------------------------------------------------------------- multipart uploads

    /// <summary>Starts an upload; <paramref name="checksumType"/> (FULL_OBJECT or COMPOSITE, already checked against
    /// the algorithm) says how the parts' checksums combine; null: the algorithm's default.</summary>
    ValueTask<MultipartUploadInfo> CreateMultipartUploadAsync(string bucket, string key, ObjectAttributes attributes,
        ChecksumAlgorithm checksumAlgorithm, string? checksumType = null, CancellationToken cancellationToken = default);

    /// <summary>The upload (NoSuchUpload when it is not an upload of this bucket and key).</summary>
    ValueTask<MultipartUploadInfo> GetMultipartUploadAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default);

    /// <summary>Starts an UploadPart: the writer receives the part, then commits it (replacing any with that number).</summary>
    ValueTask<IPartWriter> BeginUploadPartAsync(string bucket, string key, string uploadId, int partNumber,
        CancellationToken cancellationToken = default);

    /// <summary>The upload's parts, by part number.</summary>
    ValueTask<IReadOnlyList<PartInfo>> ListPartsAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default);

    ValueTask AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default);

    /// <summary>Publishes the listed parts, in order, as the key's new version (S3's part and ETag rules), after
    /// <paramref name="checks"/> (the whole object's checksum, type and size the client sent) hold.</summary>
    ValueTask<ObjectMetadata> CompleteMultipartUploadAsync(string bucket, string key, string uploadId,
        IReadOnlyList<CompletedPart> parts, WriteCondition? condition, CompleteChecks? checks = null,
        CancellationToken cancellationToken = default);

    /// <summary>The bucket's uploads in progress, in (key, initiation) order.</summary>
    ValueTask<IReadOnlyList<MultipartUploadInfo>> ListMultipartUploadsAsync(string bucket,
        CancellationToken cancellationToken = default);
}
