using System.Text;
using Sluice.S3.Errors;
using Sluice.Server.Index;

namespace Sluice.Server.Storage.Memory;

/// <summary>
/// Versions in the memory store. A key's current version is in <see cref="MemoryBucket.Objects"/> and the key index
/// (absent when the newest version is a delete marker); its noncurrent versions and delete markers are in
/// <see cref="MemoryBucket.Versions"/> and the bucket's version index. Every change of a key's versions happens
/// under the key's stripe, so the two indexes always agree with each other and with the maps.
/// </summary>
public sealed partial class MemoryStorage
{
    public ValueTask<VersioningState> GetVersioningAsync(string bucket, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Bucket(bucket).Versioning);

    public ValueTask<BucketIndex> GetVersionIndexAsync(string bucket, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Bucket(bucket).VersionIndex);

    public ValueTask<IObjectReader> OpenReadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken = default)
    {
        var found = Find(bucket, key, versionId, "GET");
        return ValueTask.FromResult<IObjectReader>(new MemoryObjectReader(found.Metadata, found.Body));
    }

    public ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Find(bucket, key, versionId, "HEAD").Metadata);

    public ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, string? versionId, bool details,
        CancellationToken cancellationToken = default)
    {
        var found = Find(bucket, key, versionId, "GET");
        return ValueTask.FromResult(new ObjectParts(found.Metadata, found.Parts));
    }

    /// <summary>The version a read names; the current one without taking a lock when it is there.</summary>
    private MemoryObject Find(string bucket, string key, string? versionId, string method)
    {
        var b = Bucket(bucket);
        if (versionId == null && b.Objects.TryGetValue(key, out var current)) return current;
        lock (b.StripeOf(key)) return FindLocked(b, key, versionId, method);
    }

    private MemoryObject FindCopySource(string bucket, string key, string? versionId)
    {
        try
        {
            return Find(bucket, key, versionId, "GET");
        }
        catch (S3StorageException e) when (e.Code == S3ErrorCode.MethodNotAllowed)
        {
            throw new S3StorageException(new S3Error(S3ErrorCode.InvalidRequest,
                "The source of a copy request may not specifically refer to a delete marker by version id."));
        }
    }

    /// <summary>The named version under the key's stripe, or S3's answer for a delete marker or a missing version.</summary>
    private static MemoryObject FindLocked(MemoryBucket b, string key, string? versionId, string method)
    {
        b.Objects.TryGetValue(key, out var current);
        if (versionId == null)
        {
            if (current != null) return current;
            var newest = VersionIndexReads.Newest(b.VersionIndex, VersionKeys.PrefixOf(key));
            if (newest is { IsDeleteMarker: true }) throw S3StorageException.DeletedKey(b.Name, key, newest.ReportedVersionId);
            throw S3StorageException.NoSuchKey(b.Name, key);
        }
        if (current != null && VersionIndexReads.Names(current.Metadata, versionId)) return current;
        var entry = VersionIndexReads.Find(b.VersionIndex, key, versionId);
        if (entry == null || !b.Versions.TryGetValue((key, entry.VersionId!), out var version))
            throw S3StorageException.NoSuchVersion(b.Name, key, versionId);
        if (version.Metadata.IsDeleteMarker) throw S3StorageException.DeleteMarkerNamed(b.Name, key, versionId, method);
        return version;
    }

    /// <summary>
    /// Publishes <paramref name="version"/> in a versioned bucket (under the key's stripe): it gets a new id and
    /// becomes current; the version it replaces moves to the version index — or, when versioning is suspended and
    /// that is the null version, goes (as does a null version further down). Replaced bodies go to
    /// <paramref name="released"/>.
    /// </summary>
    private static MemoryObject PublishVersionLocked(MemoryBucket b, MemoryObject version, MemoryObject? current, List<MemoryObject> released)
    {
        string key = version.Metadata.Key;
        bool suspended = b.Versioning == VersioningState.Suspended;
        byte[] prefix = VersionKeys.PrefixOf(key);
        string id = NewIdLocked(b, prefix, current);
        version = version with { Metadata = version.Metadata with { VersionId = id, IsNullVersion = suspended } };
        if (suspended)
        {
            RemoveNullVersionLocked(b, key, prefix, released);
            if (current is { Metadata.IsNull: true })
            {
                released.Add(current);
                current = null;
            }
        }
        if (current != null) PushDownLocked(b, current);
        b.Index.Put(BucketIndexes.EntryFor(version.Metadata));
        b.Objects[key] = version;
        return version;
    }

    /// <summary>A new id above the key's newest version's (a key's ids order its history).</summary>
    private static string NewIdLocked(MemoryBucket b, byte[] prefix, MemoryObject? current)
    {
        var newest = VersionIndexReads.Newest(b.VersionIndex, prefix);
        long atLeast = Math.Max(VersionIds.SequenceOf(current?.Metadata.VersionId), VersionIds.SequenceOf(newest?.VersionId)) + 1;
        // A never-versioned current version will be ordered by its date when pushed down: the new one goes above it.
        if (current is { Metadata.VersionId: null }) atLeast = Math.Max(atLeast, VersionIds.SequenceAt(current.Metadata.LastModified) + 1);
        return VersionIds.New(atLeast);
    }

    /// <summary>Moves a current version into the version index (a never-versioned one gets an id by its date).</summary>
    private static void PushDownLocked(MemoryBucket b, MemoryObject current)
    {
        var m = current.Metadata;
        if (m.VersionId == null) m = m with { VersionId = VersionIds.ForOlderVersion(m.LastModified), IsNullVersion = true };
        b.Versions[(m.Key, m.VersionId)] = current with { Metadata = m };
        b.VersionIndex.Put(BucketIndexes.VersionEntryFor(m));
    }

    /// <summary>Removes the key's null version from the version index, if it is there.</summary>
    private static void RemoveNullVersionLocked(MemoryBucket b, string key, byte[] prefix, List<MemoryObject> released)
    {
        foreach (var entry in VersionIndexReads.OfKey(b.VersionIndex, prefix))
        {
            if (!entry.IsNullVersion) continue;
            b.VersionIndex.TryDelete(entry.Key, out _, out _);
            if (b.Versions.TryRemove((key, entry.VersionId!), out var gone)) released.Add(gone);
            return;
        }
    }

    /// <summary>
    /// Makes the key's newest noncurrent version current again when the key has no current version and that
    /// version is not a delete marker (after the current version or a newest delete marker was removed by id).
    /// </summary>
    private static void PromoteLocked(MemoryBucket b, string key, byte[] prefix)
    {
        if (b.Objects.ContainsKey(key)) return;
        var newest = VersionIndexReads.Newest(b.VersionIndex, prefix);
        if (newest == null || newest.IsDeleteMarker) return;
        if (!b.Versions.TryRemove((key, newest.VersionId!), out var version)) return;
        b.VersionIndex.TryDelete(newest.Key, out _, out _);
        b.Index.Put(BucketIndexes.EntryFor(version.Metadata));
        b.Objects[key] = version;
    }

    public ValueTask<DeleteOutcome> DeleteVersionAsync(string bucket, string key, string? versionId, WriteCondition? condition,
        CancellationToken cancellationToken = default)
    {
        var b = Bucket(bucket);
        var released = new List<MemoryObject>();
        DeleteOutcome outcome;
        lock (b.StripeOf(key))
        {
            if (b.Deleted) throw S3StorageException.NoSuchBucket(bucket);
            outcome = versionId != null ? DeleteByIdLocked(b, key, versionId, condition, released)
                : DeleteCurrentLocked(b, key, condition, released);
        }
        foreach (var gone in released) Release(gone.Body.Reserved);
        return ValueTask.FromResult(outcome);
    }

    private static DeleteOutcome DeleteCurrentLocked(MemoryBucket b, string key, WriteCondition? condition, List<MemoryObject> released)
    {
        b.Objects.TryGetValue(key, out var current);
        condition?.Evaluate(current?.Metadata, b.Name, key);
        var state = b.Versioning;
        if (state == VersioningState.Unversioned)
        {
            if (current == null || !b.Objects.TryRemove(key, out _)) return default;
            b.Index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out _);
            released.Add(current);
            return new DeleteOutcome(true, current.Metadata.VersionIdHeader, false);
        }
        // Versioned: a delete marker becomes the newest version (the null one while suspended, replacing the old null version).
        bool suspended = state == VersioningState.Suspended;
        byte[] prefix = VersionKeys.PrefixOf(key);
        string id = NewIdLocked(b, prefix, current);
        if (suspended) RemoveNullVersionLocked(b, key, prefix, released);
        if (current != null)
        {
            b.Objects.TryRemove(key, out _);
            b.Index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out _);
            if (suspended && current.Metadata.IsNull) released.Add(current);
            else PushDownLocked(b, current);
        }
        var marker = new ObjectMetadata
        {
            Key = key,
            Size = 0,
            ETag = string.Empty,
            LastModified = ObjectStore.Now(),
            VersionId = id,
            IsNullVersion = suspended,
            IsDeleteMarker = true,
        };
        b.Versions[(key, id)] = new MemoryObject(marker, MemoryBody.Empty, null);
        b.VersionIndex.Put(BucketIndexes.VersionEntryFor(marker));
        return new DeleteOutcome(true, marker.ReportedVersionId, true);
    }

    private static DeleteOutcome DeleteByIdLocked(MemoryBucket b, string key, string versionId, WriteCondition? condition,
        List<MemoryObject> released)
    {
        byte[] prefix = VersionKeys.PrefixOf(key);
        if (b.Objects.TryGetValue(key, out var current) && VersionIndexReads.Names(current.Metadata, versionId))
        {
            condition?.Evaluate(current.Metadata, b.Name, key);
            condition?.EvaluateLock(current.Metadata);
            b.Objects.TryRemove(key, out _);
            b.Index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out _);
            released.Add(current);
            PromoteLocked(b, key, prefix);
            return new DeleteOutcome(true, versionId, false);
        }
        var entry = VersionIndexReads.Find(b.VersionIndex, key, versionId);
        if (entry == null || !b.Versions.TryGetValue((key, entry.VersionId!), out var version))
        {
            // S3 answers 204 for a version that is not there (a delete is idempotent), naming the id.
            condition?.Evaluate(null, b.Name, key);
            return new DeleteOutcome(false, versionId, false);
        }
        condition?.Evaluate(version.Metadata.IsDeleteMarker ? null : version.Metadata, b.Name, key);
        condition?.EvaluateLock(version.Metadata);
        b.VersionIndex.TryDelete(entry.Key, out _, out _);
        b.Versions.TryRemove((key, entry.VersionId!), out _);
        released.Add(version);
        PromoteLocked(b, key, prefix);
        return new DeleteOutcome(true, versionId, version.Metadata.IsDeleteMarker);
    }
}
