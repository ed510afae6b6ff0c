using System.Collections.Concurrent;
using Sluice.Server.Index;

namespace Sluice.Server.Storage;

/// <summary>
/// One <see cref="BucketIndex"/> per bucket, persisted under DIR/.index/&lt;bucket&gt; (a name the object store never
/// uses: bucket names cannot start with '.'). An index with no files is rebuilt from the store's scan of the bucket.
/// </summary>
/// <remarks>
/// The index records a write (durably) before the store publishes it, so a crash between the two leaves an entry
/// for a version the store does not have (or, for a delete, no entry for an object still there). Neither write was
/// acknowledged, but listings must agree with GET. A clean stop leaves DIR/.index/.clean; a start that finds it missing reconciles every index with the
/// store (<see cref="OpenAllAsync"/>). The marker is removed, durably, before the server takes any request.
/// </remarks>
public sealed class BucketIndexes : IDisposable
{
    private readonly ObjectStore _store;
    private readonly string _root;
    private readonly KeyIndexOptions? _options;

    private readonly ConcurrentDictionary<string, BucketIndex> _open = new(StringComparer.Ordinal);

    // Version indexes (noncurrent versions and delete markers) under DIR/.index/.versions/<bucket>.
    private readonly ConcurrentDictionary<string, BucketIndex> _versions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _rebuilt = new(StringComparer.Ordinal);
    private bool _allPersisted = true;

    // Outside any bucket's index directory: bucket names cannot start with '.'.
    private const string CleanMarkerName = ".clean";

    public BucketIndexes(ObjectStore store, KeyIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options;
        _root = Path.Join(store.Directory, ".index");
    }

    private string DirectoryOf(string bucket) => Path.Join(_root, bucket);

    private string VersionsDirectoryOf(string bucket) => Path.Join(_root, ".versions", bucket);

    /// <summary>
    /// Opens the index of every existing bucket (rebuilding lost ones) so requests never wait for a scan. When the
    /// last run did not stop cleanly, every loaded index is reconciled with the store; the returned repair counts
    /// what that changed. Call once, before serving.
    /// </summary>
    public async ValueTask<IndexRepair> OpenAllAsync(CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(_root);
        string marker = Path.Join(_root, CleanMarkerName);
        bool clean = File.Exists(marker);
        var repair = default(IndexRepair);
        foreach (var bucket in await _store.ListBucketsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!clean)
            {
                // Versions first: their files decide which version is current, which the key index then follows.
                int moved = await _store.ReconcileVersionsAsync(bucket.Name, cancellationToken).ConfigureAwait(false);
                await RebuildVersionsAsync(bucket.Name, cancellationToken).ConfigureAwait(false);
                if (moved > 0) repair = repair with { Reconciled = true };
            }
            var index = await GetAsync(bucket.Name, cancellationToken).ConfigureAwait(false);
            if (!clean && !_rebuilt.Contains(bucket.Name))
                repair += await ReconcileAsync(bucket.Name, index, cancellationToken).ConfigureAwait(false);
            // New ids must sort above every stored one, whatever the clock says now (VersionIds.Observe).
            foreach (var entry in index.EnumerateEntries()) VersionIds.Observe(entry.VersionId);
            foreach (var entry in (await GetVersionsAsync(bucket.Name, cancellationToken).ConfigureAwait(false)).EnumerateEntries())
                VersionIds.Observe(entry.VersionId);
        }
        if (clean)
        {
            // From here on a crash must be noticed by the next start.
            File.Delete(marker);
            DirectorySync.Flush(_root);
        }
        return repair;
    }

    /// <summary>
    /// Makes <paramref name="index"/> agree with the store's files: adds objects it lacks, updates entries that
    /// differ, drops entries whose object is gone; durable before it returns. Requests must not run meanwhile.
    /// </summary>
    public async ValueTask<IndexRepair> ReconcileAsync(string bucket, BucketIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        var stored = new Dictionary<string, IndexEntry>(StringComparer.Ordinal);
        await foreach (var found in _store.EnumerateObjectsAsync(bucket, cancellationToken).ConfigureAwait(false))
            stored[found.Key] = EntryFor(found.Metadata);

        var puts = new List<IndexEntry>();
        var deletes = new List<byte[]>();
        int added = 0, updated = 0;
        foreach (var entry in index.EnumerateEntries())
        {
            string key = entry.GetKeyString();
            if (stored.Remove(key, out var actual))
            {
                if (actual.ContentEquals(entry)) continue;
                puts.Add(actual);
                updated++;
            }
            else
            {
                deletes.Add(entry.Key.ToArray());
            }
        }
        foreach (var entry in stored.Values)
        {
            puts.Add(entry);
            added++;
        }
        try
        {
            await index.WaitDurableAsync(Apply(index, puts, deletes)).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The index cannot be written (a full or failing disk): it was undone to what its files hold. Serve the
            // store's truth from memory anyway; the bucket stays read-only until a write can persist it all.
            index.ApplyUnjournaled(i => Apply(i, puts, deletes));
        }
        return new IndexRepair(Reconciled: true, added, updated, deletes.Count);
    }

    private static CommitTicket Apply(BucketIndex index, List<IndexEntry> puts, List<byte[]> deletes)
    {
        CommitTicket last = default;
        foreach (var key in deletes)
            if (index.TryDelete(key, out _, out var ticket)) last = ticket;
        foreach (var entry in puts) last = index.Put(entry);
        return last;
    }

    /// <summary>Buckets whose index cannot be written now (read-only for writes), with the reason.</summary>
    public IReadOnlyList<(string Bucket, Exception Cause)> ReadOnlyBuckets() =>
        [.. _open.Concat(_versions).Where(p => p.Value.ReadOnlyCause != null).Select(p => (p.Key, p.Value.ReadOnlyCause!)).DistinctBy(p => p.Key)];

    /// <summary>
    /// Records a clean stop (after every index is flushed) so the next start can skip reconciling. False when the
    /// marker could not be written (the directory is gone or read-only): the next start then reconciles, which is safe.
    /// </summary>
    public bool MarkCleanStop()
    {
        // An index whose files lack what it held (its disk was full at the end) must be reconciled at the next start.
        if (!_allPersisted) return false;
        string marker = Path.Join(_root, CleanMarkerName);
        try
        {
            using (var file = new FileStream(marker, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
                file.Flush(flushToDisk: true);
            DirectorySync.Flush(_root);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The open index of a bucket named by its ASCII bytes (as routed), without allocating; false if not open yet.</summary>
    public bool TryGetOpen(ReadOnlySpan<byte> bucket, out BucketIndex? index) => BucketLookup.TryGet(_open, bucket, out index);

    /// <summary>The key indexes open now (not the version indexes).</summary>
    public IEnumerable<BucketIndex> Open => _open.Values;

    /// <summary>The bucket's index; NoSuchBucket (<see cref="S3StorageException"/>) when there is no such bucket.</summary>
    public ValueTask<BucketIndex> GetAsync(string bucket, CancellationToken cancellationToken = default) =>
        _open.TryGetValue(bucket, out var index) ? ValueTask.FromResult(index) : OpenAsync(bucket, cancellationToken);

    private async ValueTask<BucketIndex> OpenAsync(string bucket, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_open.TryGetValue(bucket, out var index)) return index;
            await _store.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false); // NoSuchBucket: no index for it
            var entries = new List<IndexEntry>();
            string directory = DirectoryOf(bucket);
            if (!System.IO.Directory.Exists(directory) || !System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
            {
                _rebuilt.Add(bucket);
                await foreach (var stored in _store.EnumerateObjectsAsync(bucket, cancellationToken).ConfigureAwait(false))
                    entries.Add(EntryFor(stored.Metadata));
            }
            index = BucketIndex.OpenOrRebuild(directory, () => entries, _options);
            _open[bucket] = index;
            return index;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The bucket's version index; opened from its files, or rebuilt from the bucket's version files.</summary>
    public ValueTask<BucketIndex> GetVersionsAsync(string bucket, CancellationToken cancellationToken = default) =>
        _versions.TryGetValue(bucket, out var index) ? ValueTask.FromResult(index) : OpenVersionsAsync(bucket, cancellationToken);

    private async ValueTask<BucketIndex> OpenVersionsAsync(string bucket, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_versions.TryGetValue(bucket, out var index)) return index;
            await _store.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            string directory = VersionsDirectoryOf(bucket);
            var entries = new List<IndexEntry>();
            if (!System.IO.Directory.Exists(directory) || !System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
                await foreach (var version in _store.EnumerateVersionsAsync(bucket, cancellationToken).ConfigureAwait(false))
                    entries.Add(VersionEntryFor(version));
            index = BucketIndex.OpenOrRebuild(directory, () => entries, _options);
            _versions[bucket] = index;
            return index;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Rebuilds the bucket's version index from its version files (after an unclean stop, once they are reconciled).</summary>
    private async ValueTask RebuildVersionsAsync(string bucket, CancellationToken cancellationToken)
    {
        var entries = new List<IndexEntry>();
        await foreach (var version in _store.EnumerateVersionsAsync(bucket, cancellationToken).ConfigureAwait(false))
            entries.Add(VersionEntryFor(version));
        if (_versions.TryRemove(bucket, out var old)) old.Dispose();
        System.IO.Directory.CreateDirectory(Path.Join(_root, ".versions"));
        _versions[bucket] = BucketIndex.Rebuild(VersionsDirectoryOf(bucket), entries, _options);
    }

    /// <summary>A new bucket starts with an empty index (replacing anything left by an earlier bucket of that name).</summary>
    public async ValueTask CreateAsync(string bucket, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_open.TryRemove(bucket, out var old)) old.Dispose();
            _open[bucket] = BucketIndex.Rebuild(DirectoryOf(bucket), [], _options);
            if (_versions.TryRemove(bucket, out var oldVersions)) oldVersions.Dispose();
            System.IO.Directory.CreateDirectory(Path.Join(_root, ".versions"));
            _versions[bucket] = BucketIndex.Rebuild(VersionsDirectoryOf(bucket), [], _options);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops a deleted bucket's index and its files.</summary>
    public async ValueTask DeleteAsync(string bucket, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_open.TryRemove(bucket, out var old)) old.Dispose();
            string directory = DirectoryOf(bucket);
            if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
            if (_versions.TryRemove(bucket, out var oldVersions)) oldVersions.Dispose();
            string versions = VersionsDirectoryOf(bucket);
            if (System.IO.Directory.Exists(versions)) System.IO.Directory.Delete(versions, recursive: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The index record of an object as the store describes it.</summary>
    public static IndexEntry EntryFor(ObjectMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var type = metadata.ChecksumType switch
        {
            "FULL_OBJECT" => ObjectChecksumType.FullObject,
            "COMPOSITE" => ObjectChecksumType.Composite,
            _ => ObjectChecksumType.None,
        };
        return new IndexEntry(metadata.Key, ObjectEncryption.VisibleSize(metadata), metadata.ETag, metadata.LastModified,
            metadata.Attributes.StorageClass ?? "STANDARD", metadata.ChecksumAlgorithm,
            metadata.ChecksumAlgorithm == S3.Checksums.ChecksumAlgorithm.None ? ObjectChecksumType.None : type)
        {
            VersionId = metadata.VersionId,
            IsNullVersion = metadata.IsNullVersion,
        };
    }

    /// <summary>The version index record of a noncurrent version or delete marker (it must have an id).</summary>
    public static IndexEntry VersionEntryFor(ObjectMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var entry = EntryFor(metadata with { Key = "-" });
        return new IndexEntry(VersionKeys.Of(metadata.Key, metadata.VersionId!), entry.Size, entry.ETag,
            entry.LastModifiedUtcTicks, entry.StorageClass, entry.ChecksumAlgorithm, entry.ChecksumType, 0)
        {
            VersionId = metadata.VersionId,
            IsNullVersion = metadata.IsNullVersion,
            IsDeleteMarker = metadata.IsDeleteMarker,
        };
    }

    /// <summary>Flushes and closes every index.</summary>
    public void Dispose()
    {
        foreach (var index in _open.Values.Concat(_versions.Values))
        {
            index.Dispose();
            _allPersisted &= index.IsPersisted;
        }
        _open.Clear();
        _versions.Clear();
        _gate.Dispose();
    }
}
