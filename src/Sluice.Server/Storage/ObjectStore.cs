using System.Collections.Concurrent;
using System.Text;
using Sluice.IO;
using Sluice.IO.Files;
using Sluice.S3.Checksums;
using Sluice.S3.Conditions;
using Sluice.S3.Errors;

namespace Sluice.Server.Storage;

/// <summary>
/// The durable object store under a data directory (layout: <see cref="StorageLayout"/>). Every write lands in a temp
/// file under DIR/.tmp, is fsynced, renamed over its final name, and the directory is fsynced before the call returns:
/// after a crash a key holds either its old object or its new one, never part of one. All file contents, renames,
/// unlinks and fsyncs go through the <see cref="IoEngine"/> (io_uring or managed); directory creation, listing and
/// the few calls the engine lacks (RENAME_NOREPLACE, copy_file_range, flock) use libc directly.
/// One process owns a directory at a time (flock on DIR/.lock). Storage errors that are S3 errors are
/// <see cref="S3StorageException"/>; disk failures (ENOSPC, EIO, ...) stay <see cref="IoException"/>.
/// </summary>
public sealed partial class ObjectStore : IAsyncDisposable
{
    internal const string FullObject = "FULL_OBJECT";
    internal const string Composite = "COMPOSITE";

    /// <summary>Opens of a multipart object retried when it is replaced between reading its manifest and opening its parts.</summary>
    private const int MaxOpenAttempts = 8;

    /// <summary>
    /// Bodies up to this size are read with their header (one read) and kept with the open object, so a GET sends
    /// head and body in one write instead of a head, a page-cache probe and a sendfile (docs/server.md). Bounds the
    /// open-object cache's memory to capacity × this (16 MiB at the default 1024 entries).
    /// </summary>
    public const int InlineBodyBytes = 16 * 1024;

    internal static readonly IoFileOptions CreateNew = new() { Write = true, CreateExclusive = true };

    // Commits (rename over a key's file, with its condition check) and deletes of keys on one stripe are
    // serialized; DeleteBucket takes every stripe so no commit can land in a bucket it is removing.
    private readonly SemaphoreSlim[] _stripes;

    // Directories created (and made durable) by this process, so a PUT into an existing fan-out directory costs
    // no mkdir; Lazy so concurrent writers wait for the one that fsyncs the parent.
    private readonly ConcurrentDictionary<string, Lazy<Task>> _directories = new();

    // Per-upload locks: part commits, Complete and Abort of one upload never interleave.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _uploads = new();

    // Open small objects by key for GET and HEAD; every rename over or unlink of an object file tells it.
    private readonly OpenObjectCache _openObjects;

    private int _lockFd;

    private ObjectStore(IoEngine engine, StorageLayout layout, int lockFd, int openCacheCapacity)
    {
        Engine = engine;
        Layout = layout;
        _lockFd = lockFd;
        _openObjects = new OpenObjectCache(openCacheCapacity);
        _stripes = new SemaphoreSlim[StorageLayout.StripeCount];
        for (int i = 0; i < _stripes.Length; i++) _stripes[i] = new SemaphoreSlim(1, 1);
    }

    internal IoEngine Engine { get; }
    internal StorageLayout Layout { get; }

    /// <summary>The data directory (full path).</summary>
    public string Directory => Layout.Root;

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="directory"/>, takes its lock (an <see cref="IoException"/>
    /// when another process holds it) and removes temp files left by a crash.
    /// </summary>
    public static ValueTask<ObjectStore> OpenAsync(IoEngine engine, string directory,
        CancellationToken cancellationToken = default) =>
        OpenAsync(engine, directory, OpenObjectCache.DefaultCapacity, cancellationToken);

    /// <summary>
    /// As <see cref="OpenAsync(IoEngine, string, CancellationToken)"/>, keeping up to
    /// <paramref name="openCacheCapacity"/> small objects open for reads (0: none).
    /// </summary>
    public static async ValueTask<ObjectStore> OpenAsync(IoEngine engine, string directory, int openCacheCapacity,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(openCacheCapacity);
        ArgumentNullException.ThrowIfNull(engine);
        var layout = new StorageLayout(directory);
        System.IO.Directory.CreateDirectory(layout.Root);
        bool created = StorageNative.MakeDirectory(layout.Temp) | StorageNative.MakeDirectory(layout.Multipart);
        int fd = StorageNative.Open(layout.LockFile, StorageNative.ORdWr | StorageNative.OCreat);
        try
        {
            if (!StorageNative.TryLockExclusive(fd, layout.LockFile))
                throw new IoException("flock", StorageNative.EWOULDBLOCK,
                    $"{layout.Root} is in use by another process (it holds {layout.LockFile})");
        }
        catch
        {
            StorageNative.Close(fd);
            throw;
        }
        var store = new ObjectStore(engine, layout, fd, openCacheCapacity);
        try
        {
            if (created) await store.FsyncDirectoryAsync(layout.Root, cancellationToken).ConfigureAwait(false);
            await store.CleanupAsync(cancellationToken).ConfigureAwait(false);
            await store.ReconcilePartsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return store;
    }

    /// <summary>
    /// Removes everything under DIR/.tmp: bodies of writes that never committed, snapshots and trees being deleted.
    /// Run at open, before any writer exists.
    /// </summary>
    public async ValueTask CleanupAsync(CancellationToken cancellationToken = default)
    {
        foreach (string entry in System.IO.Directory.EnumerateFileSystemEntries(Layout.Temp))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (System.IO.Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                DeleteTree(entry);
            else
                await TryDeleteFileAsync(entry).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes the cached open objects and releases the directory lock. Writers still open are abandoned (their temp
    /// files go at the next open).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeAllAsync(_openObjects.Clear()).ConfigureAwait(false);
        int fd = Interlocked.Exchange(ref _lockFd, -1);
        if (fd >= 0) StorageNative.Close(fd);
    }

    /// <summary>Open-object cache counters (tests).</summary>
    internal OpenObjectCache OpenObjects => _openObjects;

    // ---- objects ----

    /// <summary>
    /// Starts a PutObject: checks the bucket and key, opens a temp file. The writer computes MD5 (and the
    /// <paramref name="checksumAlgorithm"/> checksum when not None) while it writes.
    /// </summary>
    public async ValueTask<ObjectWriter> BeginPutAsync(string bucket, string key,
        ChecksumAlgorithm checksumAlgorithm = ChecksumAlgorithm.None, CancellationToken cancellationToken = default)
    {
        var location = Layout.Object(bucket, key);
        await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        string temp = Layout.NewTemp();
        var file = await Engine.OpenFileAsync(temp, CreateNew, cancellationToken).ConfigureAwait(false);
        return new ObjectWriter(this, bucket, key, location, temp, file, checksumAlgorithm);
    }

    /// <summary>PutObject of a body held in memory (BeginPut, one write, Commit).</summary>
    public async ValueTask<ObjectMetadata> PutAsync(string bucket, string key, ReadOnlyMemory<byte> body,
        ObjectAttributes? attributes = null, ObjectCommitOptions? options = null,
        ChecksumAlgorithm checksumAlgorithm = ChecksumAlgorithm.None, CancellationToken cancellationToken = default)
    {
        await using var writer = await BeginPutAsync(bucket, key, checksumAlgorithm, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        return await writer.CommitAsync(attributes, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>HeadObject: the metadata, read from the header block alone (the body is not touched).</summary>
    public async ValueTask<ObjectMetadata> HeadAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        var location = Layout.Object(bucket, key);
        var file = await TryOpenAsync(location.File, cancellationToken).ConfigureAwait(false);
        if (file == null) throw await MissingObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            var header = await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(header.Metadata.Key, key, StringComparison.Ordinal)) throw S3StorageException.NoSuchKey(bucket, key);
            return header.Metadata;
        }
    }

    /// <summary>
    /// GetObject: the metadata and an open handle on the body. The handle pins this version: a concurrent overwrite
    /// or delete does not change what it reads. Dispose it when done. Small objects come from (and go to) the
    /// open-object cache, so a hot key costs no open, header read or close.
    /// </summary>
    public ValueTask<ObjectReader> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        _openObjects.TryGet(bucket, key, out var cached) ? ValueTask.FromResult(cached!) : OpenUncachedAsync(bucket, key, cancellationToken);

    /// <summary>
    /// <see cref="OpenReadAsync"/> after a <see cref="TryOpenCached"/> miss: opens the file (and offers the reader to
    /// the cache) without looking the key up again.
    /// </summary>
    public async ValueTask<ObjectReader> OpenUncachedAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        long snapshot = _openObjects.Snapshot(bucket, key); // before the open: a change after it keeps this reader out
        var location = Layout.Object(bucket, key);
        for (int attempt = 0; attempt < MaxOpenAttempts; attempt++)
        {
            var file = await TryOpenAsync(location.File, cancellationToken).ConfigureAwait(false);
            if (file == null) throw await MissingObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            StoredHeader header;
            ManifestPart[] parts = [];
            ObjectReader? single = null;
            try
            {
                header = await ObjectHeader.ReadAsync(file, cancellationToken, InlineBodyBytes).ConfigureAwait(false);
                if (!string.Equals(header.Metadata.Key, key, StringComparison.Ordinal)) throw S3StorageException.NoSuchKey(bucket, key);
                if (!header.IsManifest) single = new ObjectReader(file, header);
                else parts = await ObjectManifest.ReadAsync(file, header, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await file.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            if (single != null) return await OfferAsync(bucket, key, snapshot, single).ConfigureAwait(false);
            await file.DisposeAsync().ConfigureAwait(false);
            // The part files' descriptors pin this version; a part that is already gone means the manifest was
            // replaced (and its parts removed) between our two opens: start again on the new version.
            var files = await TryOpenPartsAsync(bucket, header.PartsDirectory!, parts, cancellationToken).ConfigureAwait(false);
            if (files != null) return ObjectReader.ForParts(header.Metadata, files, parts);
        }
        throw new IoException("open", StorageNative.EAGAIN, $"{bucket}/{key} kept being replaced while it was opened");
    }

    /// <summary>Opens a manifest's part files in order; null (nothing left open) when one no longer exists.</summary>
    private async ValueTask<IoFile[]?> TryOpenPartsAsync(string bucket, string partsDirectory, ManifestPart[] parts,
        CancellationToken cancellationToken)
    {
        string directory = Layout.PartsDirectory(bucket, partsDirectory);
        var files = new IoFile[parts.Length];
        int opened = 0;
        try
        {
            for (; opened < parts.Length; opened++)
            {
                var file = await TryOpenAsync(Path.Join(directory, StorageLayout.PartFileName(parts[opened].Number)),
                    cancellationToken).ConfigureAwait(false);
                if (file == null) break;
                files[opened] = file;
            }
        }
        finally
        {
            if (opened < parts.Length)
                for (int i = 0; i < opened; i++) await files[i].DisposeAsync().ConfigureAwait(false);
        }
        return opened < parts.Length ? null : files;
    }

    /// <summary>
    /// Offers a freshly opened single-file reader to the open-object cache (which keeps it only if the key has not
    /// changed since <paramref name="snapshot"/>) and returns it. Multipart readers are not cached: they hold a
    /// descriptor per part.
    /// </summary>
    private async ValueTask<ObjectReader> OfferAsync(string bucket, string key, long snapshot, ObjectReader reader)
    {
        var evicted = _openObjects.TryAdd(bucket, key, snapshot, reader);
        if (evicted != null) await evicted.DisposeAsync().ConfigureAwait(false);
        return reader;
    }

    /// <summary>
    /// The cached open object for (bucket, key) as the router holds them, without allocating; false on a miss (then
    /// call <see cref="OpenReadAsync"/>). Dispose the reader when done.
    /// </summary>
    public bool TryOpenCached(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, out ObjectReader? reader) =>
        _openObjects.TryGet(bucket, key, out reader);

    /// <summary>
    /// DeleteObject: unlinks the key's file and fsyncs its directory. False when there was no such key (S3 answers
    /// 204 either way). <paramref name="condition"/>'s If-Match is checked atomically with the delete.
    /// <paramref name="journal"/> records the delete under the key's commit stripe just before the unlink; if that
    /// throws, nothing changed.
    /// </summary>
    public ValueTask<bool> DeleteAsync(string bucket, string key, WriteCondition? condition = null,
        CancellationToken cancellationToken = default) =>
        DeleteAsync(bucket, key, condition, null, cancellationToken);

    internal async ValueTask<bool> DeleteAsync(string bucket, string key, WriteCondition? condition,
        IPublishJournal? journal, CancellationToken cancellationToken = default)
    {
        var location = Layout.Object(bucket, key);
        var stripe = _stripes[location.Stripe];
        string? oldParts;
        bool recorded = false;
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (journal != null && journal.Versioning != VersioningState.Unversioned)
                // Begun before versioning was enabled: unlinking would drop a version instead of adding a marker.
                throw S3StorageException.Of(S3ErrorCode.OperationAborted,
                    "The bucket's versioning changed while this delete was in progress. Please try again.", "/" + bucket + "/" + key);
            if (condition != null) await CheckConditionAsync(bucket, key, location, condition, cancellationToken).ConfigureAwait(false);
            oldParts = await CurrentPartsDirectoryAsync(location, cancellationToken).ConfigureAwait(false);
            if (journal != null)
            {
                await journal.RecordDeleteAsync(key).ConfigureAwait(false);
                recorded = true;
            }
            await DisposeAsync(_openObjects.BeginChange(bucket, key)).ConfigureAwait(false);
            try
            {
                await Engine.DeleteAsync(location.File, cancellationToken).ConfigureAwait(false);
            }
            catch (IoException e) when (e.Errno == StorageNative.ENOENT)
            {
                await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
                return false;
            }
            finally
            {
                await DisposeAsync(_openObjects.EndChange(bucket, key)).ConfigureAwait(false);
            }
            // Under the stripe, so a failure here is resynced before another write of the key is recorded.
            await FsyncDirectoryAsync(location.Directory, cancellationToken).ConfigureAwait(false);
        }
        catch when (recorded)
        {
            await journal!.ResyncAsync(key).ConfigureAwait(false);
            throw;
        }
        finally
        {
            stripe.Release();
        }
        if (oldParts != null) await RemovePartsDirectoryAsync(bucket, oldParts).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// CopyObject: copies the source's body inside the kernel (copy_file_range) into a new object, published like a
    /// PUT; a multipart source (a manifest) is copied by hard-linking its part files into the new object's own
    /// parts directory (no byte is copied). <paramref name="attributes"/> sees the source's metadata (check
    /// copy-source conditions there, throwing an <see cref="S3StorageException"/>) and returns the attributes to
    /// store: the source's for COPY, new ones for REPLACE. The ETag, checksum and part count carry over (same bytes).
    /// </summary>
    public ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes>? attributes = null, WriteCondition? condition = null,
        CancellationToken cancellationToken = default) =>
        CopyAsync(sourceBucket, sourceKey, bucket, key, attributes, condition, null, cancellationToken);

    /// <summary>As the public CopyAsync, recording the new version in <paramref name="journal"/> before it is published.</summary>
    internal ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes>? attributes, WriteCondition? condition, IPublishJournal? journal,
        CancellationToken cancellationToken) =>
        CopyAsync(sourceBucket, sourceKey, bucket, key, attributes, condition, journal, inPlace: false, cancellationToken);

    /// <summary>
    /// Replaces the attributes of the key's current version (its tags, say) and keeps everything else — bytes, ETag,
    /// LastModified, checksum — as S3's PutObjectTagging does: the version is copied onto itself (kernel copy, or hard
    /// links for a multipart object's parts) with the new header, and published only while the key still holds that
    /// version's ETag; if it was overwritten meanwhile, the new version is updated instead. One rename publishes it,
    /// so a crash leaves the old attributes or the new ones, never a mix.
    /// </summary>
    internal async ValueTask<ObjectMetadata> UpdateAttributesAsync(string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes> update, IPublishJournal? journal, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await CopyAsync(bucket, key, bucket, key, update, null, journal, inPlace: true, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.PreconditionFailed && attempt < MaxOpenAttempts)
            {
                // Overwritten between the snapshot and the publication: update the version that is there now.
            }
        }
    }

    private async ValueTask<ObjectMetadata> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        Func<ObjectMetadata, ObjectAttributes>? attributes, WriteCondition? condition, IPublishJournal? journal,
        bool inPlace, CancellationToken cancellationToken, string? sourceFile = null)
    {
        var source = Layout.Object(sourceBucket, sourceKey);
        sourceFile ??= source.File; // a noncurrent version's file, or the key's
        var destination = Layout.Object(bucket, key);
        await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        for (int attempt = 0; attempt < MaxOpenAttempts; attempt++)
        {
            // A hard link pins the source version for the whole copy, even if it is overwritten meanwhile.
            string snapshot = Layout.NewTemp();
            try
            {
                StorageNative.HardLink(sourceFile, snapshot);
            }
            catch (IoException e) when (e.Errno == StorageNative.ENOENT)
            {
                throw await MissingObjectAsync(sourceBucket, sourceKey, cancellationToken).ConfigureAwait(false);
            }
            string? temp = null;
            try
            {
                StoredHeader header;
                ManifestPart[]? parts = null;
                await using (var file = await Engine.OpenFileAsync(snapshot, IoFileOptions.OpenRead, cancellationToken).ConfigureAwait(false))
                {
                    header = await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
                    if (header.IsManifest) parts = await ObjectManifest.ReadAsync(file, header, cancellationToken).ConfigureAwait(false);
                }
                if (!string.Equals(header.Metadata.Key, sourceKey, StringComparison.Ordinal))
                    throw S3StorageException.NoSuchKey(sourceBucket, sourceKey);
                var metadata = header.Metadata with
                {
                    Key = key,
                    LastModified = inPlace ? header.Metadata.LastModified : Now(),
                    Attributes = attributes?.Invoke(header.Metadata) ?? header.Metadata.Attributes,
                };
                if (inPlace) condition = WriteCondition.Matching(header.Metadata.ETag);
                else metadata = Stamp(metadata, journal);
                if (parts != null)
                {
                    string sourceParts = Layout.PartsDirectory(sourceBucket, header.PartsDirectory!);
                    // False: the source's parts went with a newer version (overwritten after the snapshot): again.
                    if (await PublishManifestAsync(bucket, key, destination, metadata, parts,
                            n => Path.Join(sourceParts, StorageLayout.PartFileName(n)), null, condition,
                            journal, cancellationToken).ConfigureAwait(false))
                        return metadata;
                    continue;
                }
                temp = Layout.NewTemp();
                await WriteAssembledAsync(temp, metadata, async (bodyOffset, ct) =>
                    await KernelCopy.CopyAsync(Engine, snapshot, header.BodyOffset, temp, bodyOffset, header.BodyLength, ct)
                        .ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                string published = temp;
                temp = null; // PublishAsync owns it now
                await PublishAsync(published, bucket, key, destination, metadata, condition, journal, cancellationToken)
                    .ConfigureAwait(false);
                return metadata;
            }
            finally
            {
                await TryDeleteFileAsync(snapshot).ConfigureAwait(false);
                if (temp != null) await TryDeleteFileAsync(temp).ConfigureAwait(false);
            }
        }
        throw new IoException("link", StorageNative.EAGAIN, $"{sourceBucket}/{sourceKey} kept being replaced while it was copied");
    }

    // ---- commit machinery ----

    /// <summary>
    /// Creates <paramref name="temp"/> holding <paramref name="metadata"/>'s header and a body filled by
    /// <paramref name="fillBody"/> (given the body offset), then fdatasyncs it.
    /// </summary>
    private async ValueTask WriteAssembledAsync(string temp, ObjectMetadata metadata,
        Func<long, CancellationToken, ValueTask> fillBody, CancellationToken cancellationToken)
    {
        byte[] json = ObjectHeader.EncodeMetadata(metadata);
        long bodyOffset = ObjectHeader.BodyOffsetFor(json.Length);
        await using var file = await Engine.OpenFileAsync(temp, CreateNew, cancellationToken).ConfigureAwait(false);
        await file.WriteAsync(ObjectHeader.Build(json, bodyOffset, metadata.Size), 0, cancellationToken).ConfigureAwait(false);
        await fillBody(bodyOffset, cancellationToken).ConfigureAwait(false);
        await file.FlushAsync(dataOnly: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes a multipart object as a manifest: hard-links each part file (<paramref name="partFile"/> names the
    /// source of part number n) into a fresh directory under DIR/.tmp, fsyncs it, renames it into the bucket's
    /// parts directory (fsync), writes the manifest (header version 2 + part list, fdatasync) and publishes it like a
    /// PUT. No body byte is copied. False, with nothing changed, when a source part file does not exist. A crash
    /// before the manifest's rename leaves an unreferenced parts directory, which the next open removes.
    /// </summary>
    private async ValueTask<bool> PublishManifestAsync(string bucket, string key, ObjectLocation location,
        ObjectMetadata metadata, ManifestPart[] parts, Func<int, string> partFile, string? uploadId,
        WriteCondition? condition, IPublishJournal? journal, CancellationToken cancellationToken)
    {
        string name = StorageLayout.NewPartsDirectoryName(location);
        string staging = Layout.NewTemp();
        string root = Layout.PartsRoot(bucket);
        string target = Path.Join(root, name);
        bool moved = false, published = false;
        StorageNative.MakeDirectory(staging);
        try
        {
            foreach (var part in parts)
            {
                try
                {
                    StorageNative.HardLink(partFile(part.Number), Path.Join(staging, StorageLayout.PartFileName(part.Number)));
                }
                catch (IoException e) when (e.Errno == StorageNative.ENOENT)
                {
                    return false;
                }
            }
            await FsyncDirectoryAsync(staging, cancellationToken).ConfigureAwait(false);
            try
            {
                await EnsureDirectoryAsync(root, Layout.Bucket(bucket)).ConfigureAwait(false);
                await Engine.RenameAsync(staging, target, cancellationToken).ConfigureAwait(false);
            }
            catch (IoException e) when (e.Errno == StorageNative.ENOENT)
            {
                await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
                _directories.TryRemove(root, out _);
                throw;
            }
            moved = true;
            await FsyncDirectoryAsync(root, cancellationToken).ConfigureAwait(false);
            byte[] json = ObjectHeader.EncodeMetadata(metadata, 0, name, uploadId);
            long bodyOffset = ObjectHeader.BodyOffsetFor(json.Length);
            string temp = Layout.NewTemp();
            try
            {
                await using (var file = await Engine.OpenFileAsync(temp, CreateNew, cancellationToken).ConfigureAwait(false))
                {
                    await file.WriteAsync(ObjectHeader.Build(json, bodyOffset, metadata.Size, ObjectHeader.ManifestVersion), 0,
                        cancellationToken).ConfigureAwait(false);
                    await file.WriteAsync(ObjectManifest.Encode(parts), bodyOffset, cancellationToken).ConfigureAwait(false);
                    await file.FlushAsync(dataOnly: true, cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                await TryDeleteFileAsync(temp).ConfigureAwait(false);
                throw;
            }
            await PublishAsync(temp, bucket, key, location, metadata, condition, journal, cancellationToken).ConfigureAwait(false);
            published = true;
            return true;
        }
        finally
        {
            if (!moved) DeleteTree(staging);
            else if (!published) await RemovePartsDirectoryAsync(bucket, name).ConfigureAwait(false);
        }
    }

    /// <summary>The parts directory of the manifest at <paramref name="location"/>; null for none, a single-file or damaged object.</summary>
    private async ValueTask<string?> CurrentPartsDirectoryAsync(ObjectLocation location, CancellationToken cancellationToken)
    {
        try
        {
            var header = await TryReadHeaderAsync(location.File, cancellationToken).ConfigureAwait(false);
            return header?.PartsDirectory;
        }
        catch (IoException e) when (e.Errno == 5 /* EIO: damaged, replaced anyway */)
        {
            return null;
        }
    }

    /// <summary>Removes a parts directory no manifest refers to any more; on failure the next open's reconciliation does.</summary>
    private async ValueTask RemovePartsDirectoryAsync(string bucket, string name)
    {
        try
        {
            await RemoveDirectoryDurablyAsync(Layout.PartsDirectory(bucket, name), Layout.PartsRoot(bucket), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (IoException)
        {
            // Left for ReconcilePartsAsync at the next open.
        }
    }

    /// <summary>
    /// Publishes a sealed temp file holding <paramref name="metadata"/> as <paramref name="key"/>: under the key's
    /// stripe lock, the condition check, the journal record (<paramref name="journal"/>; if it throws, nothing
    /// changed), the rename and the directory fsync. A failure after the record resyncs the journal before the
    /// stripe is released, so the stripe is the write's only lock. The temp file is gone afterwards whatever happens.
    /// </summary>
    internal async ValueTask PublishAsync(string temp, string bucket, string key, ObjectLocation location,
        ObjectMetadata metadata, WriteCondition? condition, IPublishJournal? journal, CancellationToken cancellationToken)
    {
        bool published = false;
        string? oldParts = null;
        try
        {
            await EnsureObjectDirectoriesAsync(bucket, location, cancellationToken).ConfigureAwait(false);
            var stripe = _stripes[location.Stripe];
            bool recorded = false;
            await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                bool createOnly = condition != null &&
                    await CheckConditionAsync(bucket, key, location, condition, cancellationToken).ConfigureAwait(false);
                if (metadata.VersionId != null && journal != null)
                {
                    // A versioned write: the current version is linked down, not replaced (ObjectStore.Versions.cs).
                    recorded = true;
                    oldParts = await PublishVersionLockedAsync(temp, bucket, key, location, metadata, journal, cancellationToken)
                        .ConfigureAwait(false);
                    published = true;
                }
                else
                {
                    if (journal != null && journal.Versioning != VersioningState.Unversioned
                        && (await CurrentHeaderAsync(key, location, cancellationToken).ConfigureAwait(false))?.Metadata.VersionId != null)
                        // Begun before versioning was enabled: publishing it as never-versioned would drop a version.
                        throw S3StorageException.Of(S3ErrorCode.OperationAborted,
                            "The bucket's versioning changed while this write was in progress. Please try again.", "/" + bucket + "/" + key);
                    oldParts = createOnly ? null : await CurrentPartsDirectoryAsync(location, cancellationToken).ConfigureAwait(false);
                    if (journal != null)
                    {
                        await journal.RecordPutAsync(metadata).ConfigureAwait(false);
                        recorded = true;
                    }
                    await DisposeAsync(_openObjects.BeginChange(bucket, key)).ConfigureAwait(false);
                    try
                    {
                        await RenameIntoPlaceAsync(temp, bucket, location, createOnly, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        await DisposeAsync(_openObjects.EndChange(bucket, key)).ConfigureAwait(false);
                    }
                    published = true;
                    await FsyncDirectoryAsync(location.Directory, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch when (recorded)
            {
                await journal!.ResyncAsync(key).ConfigureAwait(false);
                throw;
            }
            finally
            {
                stripe.Release();
            }
        }
        finally
        {
            if (!published) await TryDeleteFileAsync(temp).ConfigureAwait(false);
        }
        // The replaced version was a manifest: its parts go now (a crash before this leaves them unreferenced, and
        // the next open removes them). Readers that opened it hold the part files open and keep reading.
        if (oldParts != null) await RemovePartsDirectoryAsync(bucket, oldParts).ConfigureAwait(false);
    }

    /// <summary>
    /// Evaluates a write condition against the current object (called under the stripe lock). Returns true when the
    /// rename must not replace an existing file (If-None-Match: *), which RENAME_NOREPLACE then enforces atomically.
    /// </summary>
    private async ValueTask<bool> CheckConditionAsync(string bucket, string key, ObjectLocation location,
        WriteCondition condition, CancellationToken cancellationToken)
    {
        ObjectMetadata? current = null;
        var file = await TryOpenAsync(location.File, cancellationToken).ConfigureAwait(false);
        if (file != null)
        {
            await using (file.ConfigureAwait(false))
            {
                var header = await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
                if (string.Equals(header.Metadata.Key, key, StringComparison.Ordinal)) current = header.Metadata;
            }
        }
        return condition.Evaluate(current, bucket, key);
    }

    private async ValueTask RenameIntoPlaceAsync(string temp, string bucket, ObjectLocation location, bool createOnly,
        CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (!createOnly)
                    await Engine.RenameAsync(temp, location.File, cancellationToken).ConfigureAwait(false);
                else if (!StorageNative.RenameNoReplace(temp, location.File))
                    throw S3StorageException.Of(S3ErrorCode.PreconditionFailed, null, "/" + bucket);
                return;
            }
            catch (IoException e) when (e.Errno == StorageNative.ENOENT && attempt == 0)
            {
                // The fan-out directory vanished: the bucket was deleted (and maybe created again) since we checked.
                await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
                _directories.TryRemove(location.OuterDirectory, out _);
                _directories.TryRemove(location.Directory, out _);
                await EnsureObjectDirectoriesAsync(bucket, location, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static ValueTask DisposeAsync(ObjectReader? reader) => reader?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static async ValueTask DisposeAllAsync(List<ObjectReader> readers)
    {
        foreach (var reader in readers) await reader.DisposeAsync().ConfigureAwait(false);
    }

    internal static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private static S3StorageException NoSuchBucketOr(bool bucketExists, string bucket, Func<S3StorageException> otherwise) =>
        bucketExists ? otherwise() : S3StorageException.NoSuchBucket(bucket);

    private async ValueTask<S3StorageException> MissingObjectAsync(string bucket, string key, CancellationToken cancellationToken) =>
        NoSuchBucketOr(await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false), bucket,
            () => S3StorageException.NoSuchKey(bucket, key));
}
