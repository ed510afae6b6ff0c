using System.Text;
using Sluice.S3.Errors;
using Sluice.Server.Index;

namespace Sluice.Server.Storage;

/// <summary>
/// A bucket's key index as the disk store's publish journal (<see cref="IPublishJournal"/>): each version is recorded
/// and made durable in the index under the key's commit stripe, just before the store's rename or unlink makes it
/// visible. A write the index cannot journal changes nothing (the store never publishes it); a publish that fails
/// after the record leaves the index resynced to what the store holds. One per open index.
/// </summary>
internal sealed class IndexJournal(ObjectStore store, string bucket, BucketIndex index, BucketIndex versions,
    Func<VersioningState> versioning) : IPublishJournal
{
    public BucketIndex Index { get; } = index;

    public BucketIndex Versions { get; } = versions;

    public VersioningState Versioning => versioning();

    public async ValueTask RecordVersionsAsync(string key, ObjectMetadata? current, IReadOnlyList<ObjectMetadata> versionPuts,
        IReadOnlyList<IndexEntry> versionDeletes)
    {
        try
        {
            CommitTicket versionTicket = default;
            foreach (var entry in versionDeletes)
                if (Versions.TryDelete(entry.Key, out _, out var t)) versionTicket = t;
            foreach (var m in versionPuts) versionTicket = Versions.Put(BucketIndexes.VersionEntryFor(m));
            CommitTicket keyTicket = default;
            if (current != null) keyTicket = Index.Put(BucketIndexes.EntryFor(current));
            else Index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out keyTicket);
            await Versions.WaitDurableAsync(versionTicket).ConfigureAwait(false);
            await Index.WaitDurableAsync(keyTicket).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // One index may hold what the other does not: the next start rebuilds the version index from the files.
            Versions.MarkDiverged();
            Index.MarkDiverged();
            throw IndexWriteFailed(e);
        }
    }

    public async ValueTask RecordPutAsync(ObjectMetadata metadata)
    {
        try
        {
            await Index.WaitDurableAsync(Index.Put(BucketIndexes.EntryFor(metadata))).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw IndexWriteFailed(e);
        }
    }

    public async ValueTask RecordDeleteAsync(string key)
    {
        try
        {
            if (Index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out var ticket))
                await Index.WaitDurableAsync(ticket).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw IndexWriteFailed(e);
        }
    }

    /// <summary>
    /// Makes the key's entry describe what the store holds now. When that fails too, the index is marked diverged,
    /// so no stop counts as clean and the next start reconciles it against the store.
    /// </summary>
    public async ValueTask ResyncAsync(string key)
    {
        try
        {
            IndexEntry? entry = null;
            try
            {
                entry = BucketIndexes.EntryFor(await store.HeadAsync(bucket, key).ConfigureAwait(false));
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey)
            {
            }
            CommitTicket ticket = default;
            if (entry != null) ticket = Index.Put(entry);
            else Index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out ticket);
            await Index.WaitDurableAsync(ticket).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or S3StorageException)
        {
            // The failure that brought us here is the one the client sees.
            Index.MarkDiverged();
        }
        // A versioned change may have moved files the version index described: reconciled at the next start.
        if (Versioning != VersioningState.Unversioned) Versions.MarkDiverged();
    }

    /// <summary>
    /// A write the key index could not record: 503 while the index is read-only (its file system is full or failing;
    /// the bucket heals by itself when it can write again), 500 for the write whose journal write failed.
    /// </summary>
    private static S3StorageException IndexWriteFailed(IOException e) => e is IndexReadOnlyException
        ? new(new S3Error(S3ErrorCode.ServiceUnavailable,
            "The bucket's key index cannot be written (its disk is full or failing): the bucket is read-only until it can be. Nothing was changed."))
        : new(new S3Error(S3ErrorCode.InternalError,
            "The write could not be recorded in the bucket's key index (its disk is full or failing). Nothing was changed."));
}
