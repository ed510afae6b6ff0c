using System.Buffers;
using System.Text;
using Sluice.IO.Buffers;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Service;

/// <summary>
/// The one place an object write happens, between the handlers (HTTP ↔ S3) and storage. A write takes the key's
/// lock, then the store commits it; the key index records it, durably, from inside that commit (the store's
/// BeforePublish / beforeDelete hook, under the key's commit stripe, after the write condition held and just before
/// the rename or unlink makes it visible). A write the index cannot journal changes nothing: the index undoes it and
/// the store never publishes it. A publish that fails after the index recorded it leaves the index resynced to what
/// the store holds. Readers see a new version only once it is durable in both. Request bodies reach a store writer
/// through <see cref="WriteBodyAsync"/>. Like the handlers, it awaits in the front's context (no
/// ConfigureAwait(false)), so a request's continuations come back to the thread serving it.
/// </summary>
public sealed class ObjectService
{
    /// <summary>Receive buffer for object bodies, rented per upload.</summary>
    private const int BodyBufferSize = 256 * 1024;

    /// <summary>Bodies at least this long are received, hashed and written as a pipeline (two buffers).</summary>
    private const long PipelinedBodyMinBytes = 1 << 20;

    private readonly KeyLocks _keyLocks = new();

    public ObjectService(ObjectStore store, BucketIndexes indexes)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(indexes);
        Store = store;
        Indexes = indexes;
    }

    public ObjectStore Store { get; }

    public BucketIndexes Indexes { get; }

    // ---------------------------------------------------------------- writes

    /// <summary>Commits a received body as the key's new version (PutObject).</summary>
    public ValueTask<ObjectMetadata> PutAsync(BucketIndex index, string bucket, string key, ObjectWriter writer,
        ObjectAttributes attributes, string? expectedContentMd5, string? expectedChecksum, WriteCondition? condition) =>
        CommitAsync(index, bucket, key, beforePublish => writer.CommitAsync(attributes, new ObjectCommitOptions
        {
            ExpectedContentMd5 = expectedContentMd5,
            ExpectedChecksum = expectedChecksum,
            Condition = condition,
            BeforePublish = beforePublish,
        }));

    /// <summary>Copies a source version to the key (CopyObject); <paramref name="attributesFor"/> may refuse the source.</summary>
    public ValueTask<ObjectMetadata> CopyAsync(BucketIndex index, string sourceBucket, string sourceKey, string bucket,
        string key, Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition) =>
        CommitAsync(index, bucket, key, beforePublish =>
            Store.CopyAsync(sourceBucket, sourceKey, bucket, key, attributesFor, condition, beforePublish: beforePublish));

    /// <summary>Publishes a multipart upload's parts as the key's new version (CompleteMultipartUpload).</summary>
    public ValueTask<ObjectMetadata> CompleteMultipartUploadAsync(BucketIndex index, string bucket, string key,
        string uploadId, IReadOnlyList<CompletedPart> parts, WriteCondition? condition) =>
        CommitAsync(index, bucket, key, beforePublish =>
            Store.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, condition, beforePublish: beforePublish));

    /// <summary>Deletes the key (absent is fine, as S3 answers it).</summary>
    public async ValueTask DeleteAsync(BucketIndex index, string bucket, string key, byte[] keyBytes)
    {
        using (await _keyLocks.AcquireAsync(bucket, key))
        {
            bool recorded = false;
            try
            {
                await Store.DeleteAsync(bucket, key, beforeDelete: async () =>
                {
                    await RecordDeleteAsync(index, keyBytes);
                    recorded = true;
                });
            }
            catch when (recorded)
            {
                await ResyncIndexAsync(index, bucket, key);
                throw;
            }
        }
    }

    /// <summary>
    /// Runs a store commit that publishes a new version of the key under the key's lock, handing it the hook that
    /// journals the version in the index before it is published.
    /// </summary>
    private async ValueTask<ObjectMetadata> CommitAsync(BucketIndex index, string bucket, string key,
        Func<Func<ObjectMetadata, ValueTask>, ValueTask<ObjectMetadata>> commit)
    {
        using (await _keyLocks.AcquireAsync(bucket, key))
        {
            bool recorded = false;
            try
            {
                return await commit(async metadata =>
                {
                    await RecordPutAsync(index, metadata);
                    recorded = true;
                });
            }
            catch when (recorded)
            {
                await ResyncIndexAsync(index, bucket, key);
                throw;
            }
        }
    }

    /// <summary>Journals a put and waits until it is durable; an index failure is an S3 error (nothing changed).</summary>
    private static async ValueTask RecordPutAsync(BucketIndex index, ObjectMetadata metadata)
    {
        try
        {
            await index.WaitDurableAsync(index.Put(BucketIndexes.EntryFor(metadata)));
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
            if (index.TryDelete(key, out _, out var ticket)) await index.WaitDurableAsync(ticket);
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
                entry = BucketIndexes.EntryFor(await Store.HeadAsync(bucket, key));
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey)
            {
            }
            CommitTicket ticket = default;
            if (entry != null) ticket = index.Put(entry);
            else index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out ticket);
            await index.WaitDurableAsync(ticket);
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

    // ---------------------------------------------------------------- bodies

    /// <summary>
    /// Streams a verified body into a store writer, also feeding <paramref name="extra"/> when given. Bytes are
    /// received into a registered native buffer when one is free (the writer then writes it with WRITE_FIXED on
    /// io_uring), filling it before each write so writes stay large; else into a pooled array. A body of
    /// <paramref name="declaredLength"/> ≥ 1 MiB is pipelined over two buffers.
    /// </summary>
    public async ValueTask WriteBodyAsync(IBodySource body, long declaredLength, BodyWriter writer, S3Checksum? extra = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(writer);
        var buffers = Store.Engine.Buffers;
        if (declaredLength >= PipelinedBodyMinBytes && buffers.TryRent(BodyBufferSize, out var first))
        {
            if (buffers.TryRent(BodyBufferSize, out var second))
            {
                await WritePipelinedAsync(body, writer, first, second, extra);
                return;
            }
            first.Return();
        }
        if (buffers.TryRent(BodyBufferSize, out var native))
        {
            try
            {
                var memory = native.Memory; // the whole size class: fewer, larger file writes
                while (true)
                {
                    int filled = 0, n = 0;
                    while (filled < memory.Length && (n = await body.ReadAsync(memory[filled..])) > 0) filled += n;
                    if (filled > 0)
                    {
                        extra?.Append(native.GetSpan()[..filled]);
                        await writer.WriteAsync(native, filled);
                    }
                    if (n == 0) return; // the payload is complete and verified
                }
            }
            finally
            {
                native.Return();
            }
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BodyBufferSize);
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
            {
                extra?.Append(buffer.AsSpan(0, n));
                await writer.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies <paramref name="length"/> body bytes of a stored version from <paramref name="offset"/> into a writer (UploadPartCopy).</summary>
    public static async ValueTask CopyRangeAsync(ObjectReader source, long offset, long length, BodyWriter writer)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(writer);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BodyBufferSize);
        try
        {
            for (long done = 0; done < length;)
            {
                int want = (int)Math.Min(buffer.Length, length - done);
                int n = await source.ReadAsync(buffer.AsMemory(0, want), offset + done);
                if (n == 0) throw new IOException("the source object ended early");
                await writer.WriteAsync(buffer.AsMemory(0, n));
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A large body with two registered buffers: while one buffer is written and hashed (the hash on another core,
    /// see <see cref="BodyWriter.WriteHashingElsewhereAsync"/>), the front receives into the other, so receiving,
    /// hashing and writing overlap instead of taking turns on one core. Returns both buffers.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012:Use ValueTasks correctly",
        Justification = "Each chunk's ValueTask is held while the next chunk arrives and awaited once: inFlight tracks it.")]
    private static async ValueTask WritePipelinedAsync(IBodySource body, BodyWriter writer, NativeBuffer first,
        NativeBuffer second, S3Checksum? extra)
    {
        var current = first;
        var other = second;
        ValueTask pending = default;
        bool inFlight = false;
        try
        {
            while (true)
            {
                var memory = current.Memory;
                int filled = 0, n = 0;
                while (filled < memory.Length && (n = await body.ReadAsync(memory[filled..])) > 0) filled += n;
                if (inFlight)
                {
                    inFlight = false;
                    await pending;
                    await body.ResumeOnOwner();
                }
                if (filled > 0)
                {
                    pending = writer.WriteHashingElsewhereAsync(current, filled, extra);
                    inFlight = true;
                    (current, other) = (other, current);
                }
                if (n == 0) break; // the payload is complete and verified
            }
            if (inFlight)
            {
                inFlight = false;
                await pending;
                await body.ResumeOnOwner();
            }
        }
        finally
        {
            if (inFlight) await DrainAfterFailureAsync(body, pending); // never throws: the buffers always go back
            first.Return();
            second.Return();
        }
    }

    /// <summary>The request already failed: wait until the chunk in flight no longer reads its buffer.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "The body is abandoned whatever the chunk's own outcome (an I/O error, a cancelled operation when the server stops); the first failure is the one reported.")]
    private static async ValueTask DrainAfterFailureAsync(IBodySource body, ValueTask pending)
    {
        try
        {
            await pending;
        }
        catch (Exception)
        {
        }
        await body.ResumeOnOwner();
    }
}
