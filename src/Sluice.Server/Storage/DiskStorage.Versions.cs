using Sluice.S3.Errors;
using Sluice.Server.Index;

namespace Sluice.Server.Storage;

/// <summary>
/// Versions on disk. Not built yet: every bucket stays never-versioned (each object is its null version), and
/// PutBucketVersioning is refused with 501 rather than accepted and ignored.
/// </summary>
public sealed partial class DiskStorage
{
    private readonly BucketIndex _noVersions = BucketIndex.CreateInMemory();

    private async ValueTask SetVersioningAsync(string bucket, byte[]? document, CancellationToken cancellationToken)
    {
        _ = document;
        await Store.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        throw S3StorageException.Of(S3ErrorCode.NotImplemented,
            "Versioning is not implemented by the disk store yet (sluice serve --memory has it); nothing was changed.");
    }

    public ValueTask<VersioningState> GetVersioningAsync(string bucket, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(VersioningState.Unversioned);

    public async ValueTask<BucketIndex> GetVersionIndexAsync(string bucket, CancellationToken cancellationToken = default)
    {
        await Store.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        return _noVersions;
    }

    /// <summary>Runs a read of the current version for a version id: "null" names it (every version here is null).</summary>
    private static async ValueTask<T> OfVersion<T>(string bucket, string key, string? versionId, Func<ValueTask<T>> read)
    {
        if (versionId == null) return await read().ConfigureAwait(false);
        if (versionId != VersionIds.Null) throw S3StorageException.NoSuchVersion(bucket, key, versionId);
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey)
        {
            throw S3StorageException.NoSuchVersion(bucket, key, versionId);
        }
    }

    public ValueTask<IObjectReader> OpenReadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken = default) =>
        OfVersion(bucket, key, versionId, () => OpenReadAsync(bucket, key, cancellationToken));

    public ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken = default) =>
        OfVersion(bucket, key, versionId, () => HeadAsync(bucket, key, cancellationToken));

    public ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, string? versionId, bool details,
        CancellationToken cancellationToken = default) =>
        OfVersion(bucket, key, versionId, () => GetPartsAsync(bucket, key, details, cancellationToken));

    public async ValueTask<DeleteOutcome> DeleteVersionAsync(string bucket, string key, string? versionId, WriteCondition? condition,
        CancellationToken cancellationToken = default)
    {
        if (versionId != null && versionId != VersionIds.Null)
        {
            await Store.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            return new DeleteOutcome(false, versionId, false);
        }
        bool existed = await DeleteAsync(bucket, key, condition, cancellationToken).ConfigureAwait(false);
        return new DeleteOutcome(existed, versionId, false);
    }

    public async ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string? sourceVersionId, string bucket,
        string key, Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition,
        CancellationToken cancellationToken = default)
    {
        if (sourceVersionId != null) await HeadAsync(sourceBucket, sourceKey, sourceVersionId, cancellationToken).ConfigureAwait(false);
        return await CopyAsync(sourceBucket, sourceKey, bucket, key, attributesFor, condition, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key, string? versionId,
        Func<ObjectMetadata, ObjectAttributes> update, CancellationToken cancellationToken = default) =>
        OfVersion(bucket, key, versionId, () => UpdateAttributesAsync(bucket, key, update, cancellationToken));
}
