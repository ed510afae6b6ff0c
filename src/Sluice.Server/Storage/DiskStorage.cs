using System.Collections.Concurrent;
using Sluice.S3.Checksums;
using Sluice.Server.Index;

namespace Sluice.Server.Storage;

/// <summary>
/// The disk store behind the storage seam: the <see cref="ObjectStore"/> (one file per object, temp + fsync + rename,
/// kill -9 safe) and one journaled <see cref="BucketIndex"/> per bucket (<see cref="BucketIndexes"/>). Every write
/// takes one lock, its key's commit stripe in the store, under which the index records the version durably
/// (<see cref="IndexJournal"/>) just before the rename or unlink publishes it.
/// </summary>
public sealed partial class DiskStorage : IObjectStorage
{
    private readonly ConcurrentDictionary<string, IndexJournal> _journals = new(StringComparer.Ordinal);

    public DiskStorage(ObjectStore store, BucketIndexes indexes)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(indexes);
        Store = store;
        Indexes = indexes;
    }

    public ObjectStore Store { get; }

    public BucketIndexes Indexes { get; }

    public string Description => "disk " + Store.Directory;

    /// <summary>The bucket's index as the journal its writes record into (one per open index).</summary>
    private async ValueTask<IndexJournal> JournalAsync(string bucket, CancellationToken cancellationToken)
    {
        var index = await Indexes.GetAsync(bucket, cancellationToken).ConfigureAwait(false);
        var versions = await Indexes.GetVersionsAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (_journals.TryGetValue(bucket, out var journal) && ReferenceEquals(journal.Index, index) && ReferenceEquals(journal.Versions, versions))
            return journal;
        await StateAsync(bucket, cancellationToken).ConfigureAwait(false);
        // A recreated bucket has new indexes; the state is read (cached) on every write.
        journal = new IndexJournal(Store, bucket, index, versions,
            () => _versioning.TryGetValue(bucket, out var state) ? state : VersioningState.Unversioned);
        _journals[bucket] = journal;
        return journal;
    }

    // ---------------------------------------------------------------- buckets

    public async ValueTask<BucketInfo> CreateBucketAsync(string bucket, string? ownerId = null, byte[]? acl = null,
        CancellationToken cancellationToken = default)
    {
        var info = await Store.CreateBucketAsync(bucket, ownerId, acl, cancellationToken).ConfigureAwait(false);
        await Indexes.CreateAsync(bucket, cancellationToken).ConfigureAwait(false);
        _versioning[bucket] = VersioningState.Unversioned;
        return info;
    }

    public ValueTask<BucketInfo> GetBucketAsync(string bucket, CancellationToken cancellationToken = default) =>
        Store.GetBucketAsync(bucket, cancellationToken);

    public ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default) =>
        Store.ListBucketsAsync(cancellationToken);

    public async ValueTask DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        await Store.DeleteBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        await Indexes.DeleteAsync(bucket, cancellationToken).ConfigureAwait(false);
        _journals.TryRemove(bucket, out _);
        _versioning.TryRemove(bucket, out _);
    }

    public ValueTask<BucketIndex> GetKeyIndexAsync(string bucket, CancellationToken cancellationToken = default) =>
        Indexes.GetAsync(bucket, cancellationToken);

    public bool TryGetKeyIndex(ReadOnlySpan<byte> bucket, out BucketIndex? index) => Indexes.TryGetOpen(bucket, out index);

    public IEnumerable<BucketIndex> OpenKeyIndexes() => Indexes.Open;

    public ValueTask<byte[]?> GetBucketSettingAsync(string bucket, BucketSetting setting, CancellationToken cancellationToken = default) =>
        Store.GetBucketSettingAsync(bucket, setting, cancellationToken);

    public ValueTask SetBucketSettingAsync(string bucket, BucketSetting setting, byte[]? document,
        CancellationToken cancellationToken = default) =>
        setting == BucketSetting.Versioning ? SetVersioningAsync(bucket, document, cancellationToken)
            : Store.SetBucketSettingAsync(bucket, setting, document, cancellationToken);

    // ---------------------------------------------------------------- objects

    public async ValueTask<IObjectWriter> BeginPutAsync(string bucket, string key, ChecksumAlgorithm checksumAlgorithm,
        CancellationToken cancellationToken = default)
    {
        var journal = await JournalAsync(bucket, cancellationToken).ConfigureAwait(false);
        var writer = await Store.BeginPutAsync(bucket, key, checksumAlgorithm, cancellationToken).ConfigureAwait(false);
        writer.Journal = journal;
        return writer;
    }

    public bool TryOpenCached(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, out IObjectReader? reader)
    {
        bool hit = Store.TryOpenCached(bucket, key, out var cached);
        reader = cached;
        return hit;
    }

    // The current version; a key whose newest version is a delete marker answers with the marker's headers.
    public ValueTask<IObjectReader> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        OpenReadAsync(bucket, key, null, cancellationToken);

    public ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        HeadAsync(bucket, key, null, cancellationToken);

    public ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, bool details, CancellationToken cancellationToken = default) =>
        GetPartsAsync(bucket, key, null, details, cancellationToken);

    public async ValueTask<bool> DeleteAsync(string bucket, string key, WriteCondition? condition = null,
        CancellationToken cancellationToken = default)
    {
        // As the bucket's versioning state has it: in a versioned bucket this adds a delete marker.
        return (await DeleteVersionAsync(bucket, key, null, condition, cancellationToken).ConfigureAwait(false)).Existed;
    }

    public async ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition,
        CancellationToken cancellationToken = default)
    {
        var journal = await JournalAsync(bucket, cancellationToken).ConfigureAwait(false);
        return await Store.CopyAsync(sourceBucket, sourceKey, bucket, key, attributesFor, condition, journal, cancellationToken)
            .ConfigureAwait(false);
    }

    public async ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes> update, CancellationToken cancellationToken = default)
    {
        var journal = await JournalAsync(bucket, cancellationToken).ConfigureAwait(false);
        return await Store.UpdateAttributesAsync(bucket, key, update, journal, cancellationToken).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- multipart uploads

    public ValueTask<MultipartUploadInfo> CreateMultipartUploadAsync(string bucket, string key, ObjectAttributes attributes,
        ChecksumAlgorithm checksumAlgorithm, string? checksumType = null, CancellationToken cancellationToken = default) =>
        Store.CreateMultipartUploadAsync(bucket, key, attributes, checksumAlgorithm, checksumType, cancellationToken);

    public ValueTask<MultipartUploadInfo> GetMultipartUploadAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default) =>
        Store.GetMultipartUploadAsync(bucket, key, uploadId, cancellationToken);

    public async ValueTask<IPartWriter> BeginUploadPartAsync(string bucket, string key, string uploadId, int partNumber,
        CancellationToken cancellationToken = default) =>
        await Store.BeginUploadPartAsync(bucket, key, uploadId, partNumber, cancellationToken).ConfigureAwait(false);

    public ValueTask<IReadOnlyList<PartInfo>> ListPartsAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default) =>
        Store.ListPartsAsync(bucket, key, uploadId, cancellationToken);

    public ValueTask AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default) =>
        Store.AbortMultipartUploadAsync(bucket, key, uploadId, cancellationToken);

    public async ValueTask<ObjectMetadata> CompleteMultipartUploadAsync(string bucket, string key, string uploadId,
        IReadOnlyList<CompletedPart> parts, WriteCondition? condition, CompleteChecks? checks = null,
        CancellationToken cancellationToken = default)
    {
        var journal = await JournalAsync(bucket, cancellationToken).ConfigureAwait(false);
        return await Store.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, condition, checks, journal, cancellationToken)
            .ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<MultipartUploadInfo>> ListMultipartUploadsAsync(string bucket,
        CancellationToken cancellationToken = default) =>
        Store.ListMultipartUploadsAsync(bucket, cancellationToken);

    /// <summary>
    /// Flushes and closes the indexes, then the store. <paramref name="cleanStop"/>: no write can be in flight, so
    /// the indexes are marked cleanly stopped (the next start skips reconciling them with the store).
    /// </summary>
    public async ValueTask CloseAsync(bool cleanStop)
    {
        Indexes.Dispose();
        if (cleanStop) Indexes.MarkCleanStop();
        await Store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Closes without marking a clean stop.</summary>
    public ValueTask DisposeAsync() => CloseAsync(cleanStop: false);
}
