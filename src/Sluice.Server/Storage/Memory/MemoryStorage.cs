using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.Server.Index;

namespace Sluice.Server.Storage.Memory;

/// <summary>
/// The memory store: the full S3 semantics of <see cref="DiskStorage"/> (multipart, ranges, listings, copy, checksums,
/// conditional writes) with no disk, for test suites and throwaway servers. Bodies live in chunks of managed memory of
/// at most 1 MiB (no large arrays); a multipart object is its parts' chunks, and a copy shares its source's, so
/// neither copies a byte. Every chunk is reserved against <see cref="Limit"/> before it is allocated: a write that
/// would pass it fails with 507 XSluiceStorageFull and stores nothing, so a large multipart upload can fill the store
/// but never the process. The limit counts body bytes as stored (a copy counts again, though it shares them);
/// metadata and the key index are not counted. Nothing survives the process.
/// </summary>
public sealed partial class MemoryStorage : IObjectStorage
{
    private readonly ConcurrentDictionary<string, MemoryBucket> _buckets = new(StringComparer.Ordinal);
    private readonly object _bucketsGate = new();
    private long _used;

    /// <param name="limit">The most body bytes held at once (objects and parts).</param>
    public MemoryStorage(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    /// <summary>The most body bytes held at once.</summary>
    public long Limit { get; }

    /// <summary>Body bytes held now (objects, parts, and bodies being received).</summary>
    public long Used => Volatile.Read(ref _used);

    public string Description => string.Create(CultureInfo.InvariantCulture, $"memory (limit {Limit} bytes)");

    /// <summary>Takes <paramref name="bytes"/> of the limit, or fails with XSluiceStorageFull taking nothing.</summary>
    internal void Reserve(long bytes)
    {
        long now = Interlocked.Add(ref _used, bytes);
        if (now <= Limit) return;
        Interlocked.Add(ref _used, -bytes);
        throw new S3StorageException(new S3Error(S3ErrorCode.XSluiceStorageFull, string.Create(CultureInfo.InvariantCulture,
            $"The in-memory store is full: it holds {now - bytes} of its {Limit} bytes (sluice serve --memory-limit) and cannot take {bytes} more. Nothing was stored; delete objects or abort uploads to make room.")));
    }

    internal void Release(long bytes) => Interlocked.Add(ref _used, -bytes);

    private MemoryBucket Bucket(string bucket) =>
        _buckets.TryGetValue(bucket, out var b) ? b : throw S3StorageException.NoSuchBucket(bucket);

    // ---------------------------------------------------------------- buckets

    public ValueTask<BucketInfo> CreateBucketAsync(string bucket, string? ownerId = null, byte[]? acl = null,
        CancellationToken cancellationToken = default)
    {
        lock (_bucketsGate)
        {
            if (_buckets.ContainsKey(bucket))
                throw new S3StorageException(new S3Error(S3ErrorCode.BucketAlreadyOwnedByYou) { Resource = "/" + bucket }
                    .WithDetail("BucketName", bucket));
            var created = new MemoryBucket(bucket, ObjectStore.Now(), ownerId);
            if (acl != null) created.Settings[BucketSetting.Acl] = acl;
            _buckets[bucket] = created;
            return ValueTask.FromResult(created.Info);
        }
    }

    public ValueTask<BucketInfo> GetBucketAsync(string bucket, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Bucket(bucket).Info);

    public ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        var list = _buckets.Values.Select(b => b.Info).ToList();
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return ValueTask.FromResult<IReadOnlyList<BucketInfo>>(list);
    }

    /// <summary>BucketNotEmpty while it holds an object or an upload in progress (checked under every commit stripe).</summary>
    public ValueTask DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        lock (_bucketsGate)
        {
            var b = Bucket(bucket);
            b.UnderAllStripes(() =>
            {
                if (!b.Objects.IsEmpty || !b.Versions.IsEmpty || !b.Uploads.IsEmpty)
                    throw S3StorageException.Of(S3ErrorCode.BucketNotEmpty, null, "/" + bucket);
                b.Deleted = true;
            });
            _buckets.TryRemove(bucket, out _);
            b.Index.Dispose();
            b.VersionIndex.Dispose();
        }
        return default;
    }

    public ValueTask<byte[]?> GetBucketSettingAsync(string bucket, BucketSetting setting, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Bucket(bucket).Settings.TryGetValue(setting, out var document) ? document : null);

    public ValueTask SetBucketSettingAsync(string bucket, BucketSetting setting, byte[]? document,
        CancellationToken cancellationToken = default)
    {
        var b = Bucket(bucket);
        if (setting == BucketSetting.Versioning)
        {
            // Under every stripe: no write is between reading the old state and publishing by it.
            b.UnderAllStripes(() =>
            {
                b.Versioning = VersioningStates.Of(document);
                if (document == null) b.Settings.TryRemove(setting, out _);
                else b.Settings[setting] = document;
            });
            return ValueTask.CompletedTask;
        }
        if (document == null) b.Settings.TryRemove(setting, out _);
        else b.Settings[setting] = document;
        return ValueTask.CompletedTask;
    }

    public ValueTask<BucketIndex> GetKeyIndexAsync(string bucket, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Bucket(bucket).Index);

    public IEnumerable<BucketIndex> OpenKeyIndexes() => _buckets.Values.Select(b => b.Index);

    public bool TryGetKeyIndex(ReadOnlySpan<byte> bucket, out BucketIndex? index)
    {
        bool found = BucketLookup.TryGet(_buckets, bucket, out var b);
        index = b?.Index;
        return found;
    }

    // ---------------------------------------------------------------- objects

    public ValueTask<IObjectWriter> BeginPutAsync(string bucket, string key, ChecksumAlgorithm checksumAlgorithm,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IObjectWriter>(new MemoryObjectWriter(this, Bucket(bucket), key, checksumAlgorithm));

    /// <summary>Every read is in memory: the memory store needs no cache, and a miss sends the caller to <see cref="OpenReadAsync"/>.</summary>
    public bool TryOpenCached(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, out IObjectReader? reader)
    {
        reader = null;
        return false;
    }

    public ValueTask<IObjectReader> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        OpenReadAsync(bucket, key, null, cancellationToken);

    public ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        HeadAsync(bucket, key, null, cancellationToken);

    public ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, bool details, CancellationToken cancellationToken = default) =>
        GetPartsAsync(bucket, key, null, details, cancellationToken);

    public async ValueTask<bool> DeleteAsync(string bucket, string key, WriteCondition? condition = null,
        CancellationToken cancellationToken = default) =>
        (await DeleteVersionAsync(bucket, key, null, condition, cancellationToken).ConfigureAwait(false)).Existed;

    public ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition,
        CancellationToken cancellationToken = default) =>
        CopyAsync(sourceBucket, sourceKey, null, bucket, key, attributesFor, condition, cancellationToken);

    public ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string? sourceVersionId, string bucket,
        string key, Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attributesFor);
        var target = Bucket(bucket);
        var source = FindCopySource(sourceBucket, sourceKey, sourceVersionId);
        var metadata = source.Metadata with
        {
            Key = key,
            LastModified = ObjectStore.Now(),
            Attributes = attributesFor(source.Metadata),
            VersionId = null,
            IsNullVersion = false,
        };
        Reserve(source.Body.Length);
        metadata = Publish(target, new MemoryObject(metadata, source.Body.Share(source.Body.Length), null) { Parts = source.Parts }, condition);
        return ValueTask.FromResult(metadata);
    }

    /// <summary>
    /// Makes <paramref name="version"/> the key's current version, subject to <paramref name="condition"/>, with its
    /// index entry, under the key's stripe; the replaced version's bytes go back to the limit. On failure the
    /// version's own reservation is released when <paramref name="releaseOnFailure"/> (a new body, then gone), not
    /// when its bytes stay held elsewhere (an upload's parts).
    /// </summary>
    internal ObjectMetadata Publish(MemoryBucket bucket, MemoryObject version, WriteCondition? condition, bool releaseOnFailure = true)
    {
        string key = version.Metadata.Key;
        MemoryObject? replaced = null;
        List<MemoryObject>? released = null;
        try
        {
            lock (bucket.StripeOf(key))
            {
                if (bucket.Deleted) throw S3StorageException.NoSuchBucket(bucket.Name);
                bucket.Objects.TryGetValue(key, out var current);
                if (condition != null && condition.Evaluate(current?.Metadata, bucket.Name, key) && current != null)
                    throw S3StorageException.Of(S3ErrorCode.PreconditionFailed, null, "/" + bucket.Name + "/" + key);
                if (bucket.Versioning == VersioningState.Unversioned)
                {
                    bucket.Index.Put(BucketIndexes.EntryFor(version.Metadata));
                    bucket.Objects[key] = version;
                    replaced = current;
                }
                else
                {
                    released = [];
                    version = PublishVersionLocked(bucket, version, current, released);
                }
            }
        }
        catch when (releaseOnFailure)
        {
            Release(version.Body.Reserved);
            throw;
        }
        if (replaced != null) Release(replaced.Body.Reserved);
        if (released != null) foreach (var gone in released) Release(gone.Body.Reserved);
        return version.Metadata;
    }

    public ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes> update, CancellationToken cancellationToken = default) =>
        UpdateAttributesAsync(bucket, key, null, update, cancellationToken);

    public ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key, string? versionId,
        Func<ObjectMetadata, ObjectAttributes> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var b = Bucket(bucket);
        lock (b.StripeOf(key))
        {
            if (b.Deleted) throw S3StorageException.NoSuchBucket(bucket);
            var found = FindLocked(b, key, versionId, "PUT");
            // The same body under new metadata: no bytes move and the reservation stays with the body.
            var metadata = found.Metadata with { Attributes = update(found.Metadata) };
            if (b.Objects.TryGetValue(key, out var current) && ReferenceEquals(current, found)) b.Objects[key] = found with { Metadata = metadata };
            else b.Versions[(key, found.Metadata.VersionId!)] = found with { Metadata = metadata };
            return ValueTask.FromResult(metadata);
        }
    }

    // ---------------------------------------------------------------- multipart uploads

    public ValueTask<MultipartUploadInfo> CreateMultipartUploadAsync(string bucket, string key, ObjectAttributes attributes,
        ChecksumAlgorithm checksumAlgorithm, string? checksumType = null, CancellationToken cancellationToken = default)
    {
        var b = Bucket(bucket);
        var info = new MultipartUploadInfo(bucket, key, StorageLayout.NewUploadId(), ObjectStore.Now(),
            attributes ?? ObjectAttributes.Empty, checksumAlgorithm) { ChecksumType = checksumType };
        lock (b.StripeOf(key))
        {
            if (b.Deleted) throw S3StorageException.NoSuchBucket(bucket);
            b.Uploads[info.UploadId] = new MemoryUpload(info);
        }
        return ValueTask.FromResult(info);
    }

    private MemoryUpload Upload(string bucket, string key, string uploadId) =>
        Bucket(bucket).Uploads.TryGetValue(uploadId, out var upload) && upload.Info.Key == key
            ? upload : throw S3StorageException.NoSuchUpload(uploadId);

    public ValueTask<MultipartUploadInfo> GetMultipartUploadAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Upload(bucket, key, uploadId).Info);

    public ValueTask<IPartWriter> BeginUploadPartAsync(string bucket, string key, string uploadId, int partNumber,
        CancellationToken cancellationToken = default)
    {
        if (partNumber is < 1 or > MultipartAssembly.MaxPartNumber)
            throw new S3StorageException(new S3Error(S3ErrorCode.InvalidArgument,
                    "Part number must be an integer between 1 and 10000, inclusive")
                .WithDetail("ArgumentName", "partNumber").WithDetail("ArgumentValue", partNumber.ToString(CultureInfo.InvariantCulture)));
        return ValueTask.FromResult<IPartWriter>(new MemoryPartWriter(this, Upload(bucket, key, uploadId), partNumber));
    }

    /// <summary>Stores a part (replacing one with its number); NoSuchUpload, with the part's bytes released, if the upload ended.</summary>
    internal void PublishPart(MemoryUpload upload, MemoryPart part)
    {
        MemoryPart? replaced = null;
        lock (upload.Gate)
        {
            if (upload.Ended)
            {
                Release(part.Body.Reserved);
                throw S3StorageException.NoSuchUpload(upload.Info.UploadId);
            }
            upload.Parts.TryGetValue(part.Info.PartNumber, out replaced);
            upload.Parts[part.Info.PartNumber] = part;
        }
        if (replaced != null) Release(replaced.Body.Reserved);
    }

    public ValueTask<IReadOnlyList<PartInfo>> ListPartsAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default)
    {
        var upload = Upload(bucket, key, uploadId);
        lock (upload.Gate) return ValueTask.FromResult<IReadOnlyList<PartInfo>>(upload.Parts.Values.Select(p => p.Info).ToList());
    }

    public ValueTask AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default)
    {
        var b = Bucket(bucket);
        var upload = Upload(bucket, key, uploadId);
        long released = 0;
        lock (upload.Gate)
        {
            if (upload.Ended) throw S3StorageException.NoSuchUpload(uploadId);
            upload.Ended = true;
            foreach (var part in upload.Parts.Values) released += part.Body.Reserved;
            upload.Parts.Clear();
            b.Uploads.TryRemove(uploadId, out _);
        }
        Release(released);
        return default;
    }

    /// <summary>
    /// Publishes the listed parts as the object (S3's rules: <see cref="MultipartAssembly"/>); their chunks become
    /// the object's, unlisted parts are dropped. A retry after a success (its answer lost) answers the same metadata
    /// while the key still holds that upload's object.
    /// </summary>
    public ValueTask<ObjectMetadata> CompleteMultipartUploadAsync(string bucket, string key, string uploadId,
        IReadOnlyList<CompletedPart> parts, WriteCondition? condition, CompleteChecks? checks = null,
        CancellationToken cancellationToken = default)
    {
        MultipartAssembly.CheckOrder(parts);
        var b = Bucket(bucket);
        MemoryUpload upload;
        try
        {
            upload = Upload(bucket, key, uploadId);
        }
        catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchUpload)
        {
            if (b.Objects.TryGetValue(key, out var current) && current.UploadId == uploadId && current.Metadata.PartCount == parts.Count)
                return ValueTask.FromResult(current.Metadata);
            throw;
        }
        lock (upload.Gate)
        {
            if (upload.Ended) throw S3StorageException.NoSuchUpload(uploadId);
            var stored = new PartInfo?[parts.Count];
            var bodies = new MemoryBody[parts.Count];
            for (int i = 0; i < parts.Count; i++)
            {
                MultipartAssembly.CheckNumber(parts[i]);
                if (!upload.Parts.TryGetValue(parts[i].PartNumber, out var part)) continue;
                stored[i] = part.Info;
                bodies[i] = part.Body;
            }
            var metadata = MultipartAssembly.Assemble(key, upload.Info, parts, stored, ObjectStore.Now(), checks);
            long kept = bodies.Sum(body => body.Reserved);
            long dropped = upload.Parts.Values.Sum(p => p.Body.Reserved) - kept;
            // The listed parts' reservations pass to the object; if it is refused they stay with the upload.
            metadata = Publish(b, new MemoryObject(metadata, MemoryBody.Concat(bodies, kept), uploadId) { Parts = stored.Select(p => p!).ToArray() },
                condition, releaseOnFailure: false);
            upload.Ended = true;
            upload.Parts.Clear();
            b.Uploads.TryRemove(uploadId, out _);
            Release(dropped);
            return ValueTask.FromResult(metadata);
        }
    }

    public ValueTask<IReadOnlyList<MultipartUploadInfo>> ListMultipartUploadsAsync(string bucket,
        CancellationToken cancellationToken = default)
    {
        var uploads = Bucket(bucket).Uploads.Values.Select(u => u.Info).ToList();
        uploads.Sort((a, b) =>
        {
            int byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : a.Initiated.CompareTo(b.Initiated);
        });
        return ValueTask.FromResult<IReadOnlyList<MultipartUploadInfo>>(uploads);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var b in _buckets.Values)
        {
            b.Index.Dispose();
            b.VersionIndex.Dispose();
        }
        _buckets.Clear();
        Interlocked.Exchange(ref _used, 0);
        return default;
    }
}
