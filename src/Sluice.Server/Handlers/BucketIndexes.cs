using System.Collections.Concurrent;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// One <see cref="BucketIndex"/> per bucket, persisted under DIR/.index/&lt;bucket&gt; (a name the object store never
/// uses: bucket names cannot start with '.'). An index with no files is rebuilt from the store's scan of the bucket.
/// </summary>
public sealed class BucketIndexes : IDisposable
{
    private readonly ObjectStore _store;
    private readonly string _root;
    private readonly ConcurrentDictionary<string, BucketIndex> _open = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public BucketIndexes(ObjectStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _root = Path.Join(store.Directory, ".index");
    }

    private string DirectoryOf(string bucket) => Path.Join(_root, bucket);

    /// <summary>Opens the index of every existing bucket (rebuilding lost ones) so requests never wait for a scan.</summary>
    public async ValueTask OpenAllAsync(CancellationToken cancellationToken = default)
    {
        foreach (var bucket in await _store.ListBucketsAsync(cancellationToken).ConfigureAwait(false))
            await GetAsync(bucket.Name, cancellationToken).ConfigureAwait(false);
    }

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
                await foreach (var stored in _store.EnumerateObjectsAsync(bucket, cancellationToken).ConfigureAwait(false))
                    entries.Add(EntryFor(stored.Metadata));
            }
            index = BucketIndex.OpenOrRebuild(directory, () => entries);
            _open[bucket] = index;
            return index;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A new bucket starts with an empty index (replacing anything left by an earlier bucket of that name).</summary>
    public async ValueTask CreateAsync(string bucket, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_open.TryRemove(bucket, out var old)) old.Dispose();
            _open[bucket] = BucketIndex.Rebuild(DirectoryOf(bucket), []);
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
        return new IndexEntry(metadata.Key, metadata.Size, metadata.ETag, metadata.LastModified,
            metadata.Attributes.StorageClass ?? "STANDARD", metadata.ChecksumAlgorithm,
            metadata.ChecksumAlgorithm == S3.Checksums.ChecksumAlgorithm.None ? ObjectChecksumType.None : type);
    }

    /// <summary>Flushes and closes every index.</summary>
    public void Dispose()
    {
        foreach (var index in _open.Values) index.Dispose();
        _open.Clear();
        _gate.Dispose();
    }
}
