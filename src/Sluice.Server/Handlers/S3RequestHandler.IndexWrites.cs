using System.Text;
using Sluice.S3.Errors;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// How a write reaches the key index. The index records it, durably, from inside the store's commit (its
/// BeforePublish / beforeDelete hook, under the key's commit lock, after the write condition held and just before
/// the rename or unlink makes it visible): a write the index cannot journal changes nothing, because the index
/// undoes it and the store then never publishes it. Readers see the new version only once it is durable in both.
/// </summary>
public sealed partial class S3RequestHandler
{
    /// <summary>Journals a put and waits until it is durable; an index failure is an S3 error (nothing changed).</summary>
    private static async ValueTask RecordPutAsync(BucketIndex index, ObjectMetadata metadata)
    {
        try
        {
            await index.WaitDurableAsync(index.Put(BucketIndexes.EntryFor(metadata))).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw IndexWriteFailed(e);
        }
    }

    /// <summary>Journals a delete (when the index has the key) and waits until it is durable.</summary>
    private static async ValueTask RecordDeleteAsync(BucketIndex index, byte[] key)
    {
        try
        {
            if (index.TryDelete(key, out _, out var ticket)) await index.WaitDurableAsync(ticket).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw IndexWriteFailed(e);
        }
    }

    /// <summary>
    /// After the index recorded a write whose publication then failed (a rename or directory fsync error): makes the
    /// key's entry describe what the store holds now. When that fails too, the index is marked diverged, so no stop
    /// counts as clean and the next start reconciles it against the store.
    /// </summary>
    private async ValueTask ResyncIndexAsync(BucketIndex index, string bucket, string key)
    {
        try
        {
            IndexEntry? entry = null;
            try
            {
                entry = BucketIndexes.EntryFor(await _store.HeadAsync(bucket, key).ConfigureAwait(false));
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey)
            {
            }
            CommitTicket ticket = default;
            if (entry != null) ticket = index.Put(entry);
            else index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out ticket);
            await index.WaitDurableAsync(ticket).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or S3StorageException)
        {
            // The failure that brought us here is the one the client sees.
            index.MarkDiverged();
        }
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
