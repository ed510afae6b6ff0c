using System.Collections.Concurrent;
using Sluice.S3.Errors;
using Sluice.Server.Index;

namespace Sluice.Server.Storage;

/// <summary>
/// Versions on disk: the bucket's versioning state (the <see cref="BucketSetting.Versioning"/> document, cached per
/// bucket and read by every write through its journal), its version index (<see cref="BucketIndexes.GetVersionsAsync"/>),
/// and the store's versioned writes, deletes and reads (ObjectStore.Versions.cs).
/// </summary>
public sealed partial class DiskStorage
{
    private readonly ConcurrentDictionary<string, VersioningState> _versioning = new(StringComparer.Ordinal);

    private async ValueTask<VersioningState> StateAsync(string bucket, CancellationToken cancellationToken)
    {
        if (_versioning.TryGetValue(bucket, out var state)) return state;
        state = VersioningStates.Of(await Store.GetBucketSettingAsync(bucket, BucketSetting.Versioning, cancellationToken).ConfigureAwait(false));
        return _versioning.GetOrAdd(bucket, state);
    }

    private async ValueTask SetVersioningAsync(string bucket, byte[]? document, CancellationToken cancellationToken)
    {
        await Store.SetBucketSettingAsync(bucket, BucketSetting.Versioning, document, cancellationToken).ConfigureAwait(false);
        _versioning[bucket] = VersioningStates.Of(document);
    }

    public ValueTask<VersioningState> GetVersioningAsync(string bucket, CancellationToken cancellationToken = default) =>
        StateAsync(bucket, cancellationToken);

    public ValueTask<BucketIndex> GetVersionIndexAsync(string bucket, CancellationToken cancellationToken = default) =>
        Indexes.GetVersionsAsync(bucket, cancellationToken);

    public async ValueTask<IObjectReader> OpenReadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken = default)
    {
        if (versionId == null || await Store.IsCurrentAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var reader = await Store.OpenReadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
                if (versionId == null || VersionIndexReads.Names(reader.Metadata, versionId)) return reader;
                await reader.DisposeAsync().ConfigureAwait(false); // replaced since: the version is noncurrent now
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey && versionId == null)
            {
                throw await DeletedOrMissingAsync(bucket, key, e, cancellationToken).ConfigureAwait(false);
            }
        }
        var versions = await Indexes.GetVersionsAsync(bucket, cancellationToken).ConfigureAwait(false);
        return await Store.OpenNoncurrentAsync(bucket, key, versionId, versions, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken = default)
    {
        if (versionId == null || await Store.IsCurrentAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var metadata = await Store.HeadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
                if (versionId == null || VersionIndexReads.Names(metadata, versionId)) return metadata;
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey && versionId == null)
            {
                throw await DeletedOrMissingAsync(bucket, key, e, cancellationToken).ConfigureAwait(false);
            }
        }
        var versions = await Indexes.GetVersionsAsync(bucket, cancellationToken).ConfigureAwait(false);
        return await Store.HeadNoncurrentAsync(bucket, key, versionId, versions, "HEAD", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, string? versionId, bool details,
        CancellationToken cancellationToken = default)
    {
        if (versionId == null || await Store.IsCurrentAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var parts = await Store.GetPartsAsync(bucket, key, details, cancellationToken).ConfigureAwait(false);
                if (versionId == null || VersionIndexReads.Names(parts.Metadata, versionId)) return parts;
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey && versionId == null)
            {
                throw await DeletedOrMissingAsync(bucket, key, e, cancellationToken).ConfigureAwait(false);
            }
        }
        var versions = await Indexes.GetVersionsAsync(bucket, cancellationToken).ConfigureAwait(false);
        return await Store.GetNoncurrentPartsAsync(bucket, key, versionId, versions, details, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>NoSuchKey for a key without a current version, with the delete marker's headers when one is its newest version.</summary>
    private async ValueTask<S3StorageException> DeletedOrMissingAsync(string bucket, string key, S3StorageException missing,
        CancellationToken cancellationToken)
    {
        var versions = await Indexes.GetVersionsAsync(bucket, cancellationToken).ConfigureAwait(false);
        var newest = VersionIndexReads.Newest(versions, VersionKeys.PrefixOf(key));
        return newest is { IsDeleteMarker: true } ? S3StorageException.DeletedKey(bucket, key, newest.ReportedVersionId) : missing;
    }

    public async ValueTask<DeleteOutcome> DeleteVersionAsync(string bucket, string key, string? versionId, WriteCondition? condition,
        CancellationToken cancellationToken = default)
    {
        var journal = await JournalAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (versionId == null && journal.Versioning == VersioningState.Unversioned)
        {
            bool existed = await Store.DeleteAsync(bucket, key, condition, journal, cancellationToken).ConfigureAwait(false);
            return new DeleteOutcome(existed, null, false);
        }
        return await Store.DeleteVersionAsync(bucket, key, versionId, condition, journal, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string? sourceVersionId, string bucket,
        string key, Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition,
        CancellationToken cancellationToken = default)
    {
        if (sourceVersionId == null || await Store.IsCurrentAsync(sourceBucket, sourceKey, sourceVersionId, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                return await CopyAsync(sourceBucket, sourceKey, bucket, key, attributesFor, condition, cancellationToken).ConfigureAwait(false);
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey && sourceVersionId == null)
            {
                throw await DeletedOrMissingAsync(sourceBucket, sourceKey, e, cancellationToken).ConfigureAwait(false);
            }
        }
        var journal = await JournalAsync(bucket, cancellationToken).ConfigureAwait(false);
        var versions = await Indexes.GetVersionsAsync(sourceBucket, cancellationToken).ConfigureAwait(false);
        try
        {
            return await Store.CopyNoncurrentAsync(sourceBucket, sourceKey, sourceVersionId, versions, bucket, key, attributesFor,
                condition, journal, cancellationToken).ConfigureAwait(false);
        }
        catch (S3StorageException e) when (e.Code == S3ErrorCode.MethodNotAllowed)
        {
            throw new S3StorageException(new S3Error(S3ErrorCode.InvalidRequest,
                "The source of a copy request may not specifically refer to a delete marker by version id."));
        }
    }

    public async ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key, string? versionId,
        Func<ObjectMetadata, ObjectAttributes> update, CancellationToken cancellationToken = default)
    {
        if (versionId == null || await Store.IsCurrentAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false))
            return await UpdateAttributesAsync(bucket, key, update, cancellationToken).ConfigureAwait(false);
        var versions = await Indexes.GetVersionsAsync(bucket, cancellationToken).ConfigureAwait(false);
        return await Store.UpdateNoncurrentAttributesAsync(bucket, key, versionId, versions, update, cancellationToken).ConfigureAwait(false);
    }
}
