using Sluice.IO;
using Sluice.S3.Errors;
using Sluice.Server.Index;

namespace Sluice.Server.Storage;

// Versions on disk (docs/server.md, "Versioning"). A key's current version is its file as always; its noncurrent
// versions and delete markers are files in DIR/<bucket>/.versions/<key's file name>/<version id>: a version pushed
// down is the current file hard-linked there (no byte copied), a delete marker a header-only file. Under the key's
// commit stripe, the index records (key index and version index) are made durable first, then files move: link down,
// rename (or unlink) the key's file, rename a marker in, unlink a version removed. After an unclean stop
// ReconcileVersionsAsync makes the files consistent before the indexes are rebuilt from them.
public sealed partial class ObjectStore
{
    /// <summary>The directory holding a key's noncurrent versions and delete markers.</summary>
    private string VersionDirectory(string bucket, ObjectLocation location) =>
        Path.Join(Layout.Bucket(bucket), ".versions", Path.GetFileName(location.File));

    private string VersionsRoot(string bucket) => Path.Join(Layout.Bucket(bucket), ".versions");

    /// <summary>The current version's header (null when the key has none).</summary>
    private async ValueTask<StoredHeader?> CurrentHeaderAsync(string key, ObjectLocation location, CancellationToken cancellationToken)
    {
        try
        {
            var header = await TryReadHeaderAsync(location.File, cancellationToken).ConfigureAwait(false);
            return header is { } h && string.Equals(h.Metadata.Key, key, StringComparison.Ordinal) ? h : null;
        }
        catch (IoException e) when (e.Errno == 5)
        {
            return null;
        }
    }

    /// <summary>A version pushed down: a never-versioned one gets an id by its date (it is the key's oldest).</summary>
    private static ObjectMetadata PushedDown(ObjectMetadata current) => current.VersionId == null
        ? current with { VersionId = VersionIds.ForOlderVersion(current.LastModified), IsNullVersion = true }
        : current;

    /// <summary>Hard-links the key's current file into its versions directory as <paramref name="versionId"/> (durable).</summary>
    private async ValueTask LinkDownAsync(string bucket, ObjectLocation location, string versionId, CancellationToken cancellationToken)
    {
        string directory = VersionDirectory(bucket, location);
        string root = VersionsRoot(bucket);
        await EnsureDirectoryAsync(root, Layout.Bucket(bucket)).ConfigureAwait(false);
        await EnsureDirectoryAsync(directory, root).ConfigureAwait(false);
        string target = Path.Join(directory, versionId);
        try
        {
            StorageNative.HardLink(location.File, target);
        }
        catch (IoException e) when (e.Errno == 17 /* EEXIST: a crash left it; same inode by construction */)
        {
        }
        await FsyncDirectoryAsync(directory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a version's file (and a manifest's parts directory) for good.</summary>
    private async ValueTask RemoveVersionFileAsync(string bucket, ObjectLocation location, string versionId, CancellationToken cancellationToken)
    {
        string path = Path.Join(VersionDirectory(bucket, location), versionId);
        string? parts = null;
        try
        {
            parts = (await TryReadHeaderAsync(path, cancellationToken).ConfigureAwait(false))?.PartsDirectory;
        }
        catch (IoException e) when (e.Errno == 5)
        {
        }
        await TryDeleteFileAsync(path).ConfigureAwait(false);
        await FsyncDirectoryAsync(VersionDirectory(bucket, location), cancellationToken).ConfigureAwait(false);
        if (parts != null) await RemovePartsDirectoryAsync(bucket, parts).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes a versioned write under the key's stripe (called by <see cref="PublishAsync"/>): records the change,
    /// links the current version down (unless it is the null version a suspended write replaces, or the same version
    /// getting new attributes), renames the new version in, and removes a replaced null version. Returns the parts
    /// directory of a version that is gone for good, for the caller to remove.
    /// </summary>
    private async ValueTask<string?> PublishVersionLockedAsync(string temp, string bucket, string key, ObjectLocation location,
        ObjectMetadata metadata, IPublishJournal journal, CancellationToken cancellationToken)
    {
        var header = await CurrentHeaderAsync(key, location, cancellationToken).ConfigureAwait(false);
        var current = header?.Metadata;
        var puts = new List<ObjectMetadata>();
        var deletes = new List<IndexEntry>();
        string? pushed = null, goneParts = null;
        IndexEntry? nullEntry = null;
        if (current != null && current.VersionId == metadata.VersionId)
        {
            goneParts = header!.Value.PartsDirectory; // new attributes on the same version (its parts were re-linked)
        }
        else
        {
            // Ids are taken before the stripe, so a concurrent write of the key may have published a newer one (or a
            // delete marker) first. The writes were concurrent: ordering them by id is as valid as any, so this one
            // goes into the history below the newer one instead of replacing it.
            var newest = VersionIndexReads.Newest(journal.Versions, VersionKeys.PrefixOf(key));
            string? newestId = current?.VersionId ?? newest?.VersionId;
            if (current?.VersionId != null && newest?.VersionId != null && string.CompareOrdinal(newest.VersionId, current.VersionId) < 0)
                newestId = newest.VersionId;
            if (newestId != null && string.CompareOrdinal(metadata.VersionId, newestId) > 0)
            {
                await PublishBelowLockedAsync(temp, bucket, key, location, metadata, current, journal, cancellationToken).ConfigureAwait(false);
                return null;
            }
            if (metadata.IsNullVersion)
            {
                nullEntry = VersionIndexReads.Find(journal.Versions, key, VersionIds.Null);
                if (nullEntry != null) deletes.Add(nullEntry);
            }
            if (current != null)
            {
                if (metadata.IsNullVersion && current.IsNull)
                {
                    goneParts = header!.Value.PartsDirectory;
                }
                else
                {
                    var down = PushedDown(current);
                    puts.Add(down);
                    pushed = down.VersionId;
                }
            }
        }
        await journal.RecordVersionsAsync(key, metadata, puts, deletes).ConfigureAwait(false);
        if (pushed != null) await LinkDownAsync(bucket, location, pushed, cancellationToken).ConfigureAwait(false);
        await DisposeAsync(_openObjects.BeginChange(bucket, key)).ConfigureAwait(false);
        try
        {
            await RenameIntoPlaceAsync(temp, bucket, location, createOnly: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(_openObjects.EndChange(bucket, key)).ConfigureAwait(false);
        }
        await FsyncDirectoryAsync(location.Directory, CancellationToken.None).ConfigureAwait(false);
        if (nullEntry != null) await RemoveVersionFileAsync(bucket, location, nullEntry.VersionId!, CancellationToken.None).ConfigureAwait(false);
        return goneParts;
    }

    /// <summary>A versioned write that lost the race to a newer version of the key: it enters the history below it.</summary>
    private async ValueTask PublishBelowLockedAsync(string temp, string bucket, string key, ObjectLocation location,
        ObjectMetadata metadata, ObjectMetadata? current, IPublishJournal journal, CancellationToken cancellationToken)
    {
        var deletes = new List<IndexEntry>();
        if (metadata.IsNullVersion)
        {
            if (current is { IsNull: true })
            {
                // A newer null version already replaced it: written and replaced at once, nothing to keep.
                await TryDeleteFileAsync(temp).ConfigureAwait(false);
                return;
            }
            if (VersionIndexReads.Find(journal.Versions, key, VersionIds.Null) is { } nullEntry) deletes.Add(nullEntry);
        }
        await journal.RecordVersionsAsync(key, current, [metadata], deletes).ConfigureAwait(false);
        string directory = VersionDirectory(bucket, location);
        await EnsureDirectoryAsync(VersionsRoot(bucket), Layout.Bucket(bucket)).ConfigureAwait(false);
        await EnsureDirectoryAsync(directory, VersionsRoot(bucket)).ConfigureAwait(false);
        await Engine.RenameAsync(temp, Path.Join(directory, metadata.VersionId), cancellationToken).ConfigureAwait(false);
        await FsyncDirectoryAsync(directory, CancellationToken.None).ConfigureAwait(false);
        foreach (var gone in deletes) await RemoveVersionFileAsync(bucket, location, gone.VersionId!, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// New attributes (tags) on a noncurrent version, as PutObjectTagging by versionId: its file is rewritten with the
    /// new header (the body copied in the kernel, or a manifest's part list as it was) and renamed over itself under
    /// the key's stripe; the index is unchanged (it holds no tags).
    /// </summary>
    internal async ValueTask<ObjectMetadata> UpdateNoncurrentAttributesAsync(string bucket, string key, string versionId,
        BucketIndex versions, Func<ObjectMetadata, ObjectAttributes> update, CancellationToken cancellationToken)
    {
        var location = Layout.Object(bucket, key);
        var stripe = _stripes[location.Stripe];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        string temp = Layout.NewTemp();
        try
        {
            var (path, entry) = await NoncurrentAsync(bucket, key, versionId, versions, "PUT", cancellationToken).ConfigureAwait(false);
            StoredHeader header;
            ManifestPart[]? parts = null;
            var file = await TryOpenAsync(path, cancellationToken).ConfigureAwait(false) ?? throw S3StorageException.NoSuchVersion(bucket, key, versionId);
            await using (file.ConfigureAwait(false))
            {
                header = await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
                if (header.IsManifest) parts = await ObjectManifest.ReadAsync(file, header, cancellationToken).ConfigureAwait(false);
            }
            var reported = header.Metadata with { VersionId = entry.VersionId, IsNullVersion = entry.IsNullVersion };
            var stored = header.Metadata with { Attributes = update(reported) };
            if (parts == null)
            {
                await WriteAssembledAsync(temp, stored, async (bodyOffset, ct) =>
                    await KernelCopy.CopyAsync(Engine, path, header.BodyOffset, temp, bodyOffset, header.BodyLength, ct).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
            else
            {
                byte[] json = ObjectHeader.EncodeMetadata(stored, 0, header.PartsDirectory, header.UploadId);
                long bodyOffset = ObjectHeader.BodyOffsetFor(json.Length);
                await using var output = await Engine.OpenFileAsync(temp, CreateNew, cancellationToken).ConfigureAwait(false);
                await output.WriteAsync(ObjectHeader.Build(json, bodyOffset, stored.Size, ObjectHeader.ManifestVersion), 0, cancellationToken).ConfigureAwait(false);
                await output.WriteAsync(ObjectManifest.Encode(parts), bodyOffset, cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(dataOnly: true, cancellationToken).ConfigureAwait(false);
            }
            await Engine.RenameAsync(temp, path, cancellationToken).ConfigureAwait(false);
            temp = string.Empty;
            await FsyncDirectoryAsync(Path.GetDirectoryName(path)!, CancellationToken.None).ConfigureAwait(false);
            return stored with { VersionId = entry.VersionId, IsNullVersion = entry.IsNullVersion };
        }
        finally
        {
            if (temp.Length > 0) await TryDeleteFileAsync(temp).ConfigureAwait(false);
            stripe.Release();
        }
    }

    /// <summary>
    /// DeleteObject in a versioned bucket, or of one version (<paramref name="versionId"/>); see
    /// <see cref="IObjectStorage.DeleteVersionAsync"/>. Never-versioned deletes stay <see cref="DeleteAsync(string, string, WriteCondition?, IPublishJournal?, CancellationToken)"/>.
    /// </summary>
    internal async ValueTask<DeleteOutcome> DeleteVersionAsync(string bucket, string key, string? versionId, WriteCondition? condition,
        IPublishJournal journal, CancellationToken cancellationToken)
    {
        var location = Layout.Object(bucket, key);
        await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        var stripe = _stripes[location.Stripe];
        string? goneParts = null;
        bool recorded = false;
        DeleteOutcome outcome;
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var header = await CurrentHeaderAsync(key, location, cancellationToken).ConfigureAwait(false);
            var current = header?.Metadata;
            byte[] prefix = VersionKeys.PrefixOf(key);
            if (versionId == null)
            {
                condition?.Evaluate(current, bucket, key);
                var state = journal.Versioning;
                bool suspended = state == VersioningState.Suspended;
                var newest = VersionIndexReads.Newest(journal.Versions, prefix);
                long atLeast = Math.Max(VersionIds.SequenceOf(current?.VersionId), VersionIds.SequenceOf(newest?.VersionId)) + 1;
                if (current is { VersionId: null }) atLeast = Math.Max(atLeast, VersionIds.SequenceAt(current.LastModified) + 1);
                var marker = new ObjectMetadata
                {
                    Key = key,
                    Size = 0,
                    ETag = string.Empty,
                    LastModified = Now(),
                    VersionId = VersionIds.New(atLeast),
                    IsNullVersion = suspended,
                    IsDeleteMarker = true,
                };
                string temp = Layout.NewTemp();
                try
                {
                    await WriteAssembledAsync(temp, marker, static (_, _) => ValueTask.CompletedTask, cancellationToken).ConfigureAwait(false);
                    var puts = new List<ObjectMetadata>();
                    var deletes = new List<IndexEntry>();
                    var nullEntry = suspended ? VersionIndexReads.Find(journal.Versions, key, VersionIds.Null) : null;
                    if (nullEntry != null) deletes.Add(nullEntry);
                    string? pushed = null;
                    if (current != null)
                    {
                        if (suspended && current.IsNull) goneParts = header!.Value.PartsDirectory;
                        else
                        {
                            var down = PushedDown(current);
                            puts.Add(down);
                            pushed = down.VersionId;
                        }
                    }
                    puts.Add(marker);
                    recorded = true;
                    await journal.RecordVersionsAsync(key, null, puts, deletes).ConfigureAwait(false);
                    if (pushed != null) await LinkDownAsync(bucket, location, pushed, cancellationToken).ConfigureAwait(false);
                    if (current != null) await UnlinkCurrentAsync(bucket, key, location, cancellationToken).ConfigureAwait(false);
                    // The marker goes in after the unlink: a crash before it leaves the key as it was (the next start
                    // makes the version linked down current again), never a marker that hides a version still there.
                    string directory = VersionDirectory(bucket, location);
                    await EnsureDirectoryAsync(VersionsRoot(bucket), Layout.Bucket(bucket)).ConfigureAwait(false);
                    await EnsureDirectoryAsync(directory, VersionsRoot(bucket)).ConfigureAwait(false);
                    await Engine.RenameAsync(temp, Path.Join(directory, marker.VersionId), cancellationToken).ConfigureAwait(false);
                    temp = string.Empty;
                    await FsyncDirectoryAsync(directory, CancellationToken.None).ConfigureAwait(false);
                    if (nullEntry != null) await RemoveVersionFileAsync(bucket, location, nullEntry.VersionId!, CancellationToken.None).ConfigureAwait(false);
                    outcome = new DeleteOutcome(true, marker.ReportedVersionId, true);
                }
                finally
                {
                    if (temp.Length > 0) await TryDeleteFileAsync(temp).ConfigureAwait(false);
                }
            }
            else if (current != null && VersionIndexReads.Names(current, versionId))
            {
                condition?.Evaluate(current, bucket, key);
                condition?.EvaluateLock(current);
                goneParts = header!.Value.PartsDirectory;
                var (promoted, promotedEntry) = await NextCurrentAsync(bucket, location, journal.Versions, prefix, skip: null, cancellationToken)
                    .ConfigureAwait(false);
                recorded = true;
                await journal.RecordVersionsAsync(key, promoted, [], promotedEntry != null ? [promotedEntry] : []).ConfigureAwait(false);
                await UnlinkCurrentAsync(bucket, key, location, cancellationToken).ConfigureAwait(false);
                if (promoted != null) await PromoteAsync(bucket, key, location, promoted.VersionId!, cancellationToken).ConfigureAwait(false);
                outcome = new DeleteOutcome(true, versionId, false);
            }
            else
            {
                var entry = VersionIndexReads.Find(journal.Versions, key, versionId);
                if (entry == null)
                {
                    condition?.Evaluate(null, bucket, key);
                    return new DeleteOutcome(false, versionId, false);
                }
                if (condition != null)
                {
                    var named = entry.IsDeleteMarker ? null : await VersionHeaderAsync(bucket, key, location, entry, cancellationToken).ConfigureAwait(false);
                    condition.Evaluate(named?.Metadata, bucket, key);
                    condition.EvaluateLock(named?.Metadata);
                }
                ObjectMetadata? promoted = null;
                IndexEntry? promotedEntry = null;
                if (current == null && VersionIndexReads.Newest(journal.Versions, prefix)?.VersionId == entry.VersionId)
                    (promoted, promotedEntry) = await NextCurrentAsync(bucket, location, journal.Versions, prefix, skip: entry, cancellationToken)
                        .ConfigureAwait(false);
                var deletes = new List<IndexEntry> { entry };
                if (promotedEntry != null) deletes.Add(promotedEntry);
                recorded = true;
                await journal.RecordVersionsAsync(key, promoted ?? current, [], deletes).ConfigureAwait(false);
                await RemoveVersionFileAsync(bucket, location, entry.VersionId!, cancellationToken).ConfigureAwait(false);
                if (promoted != null) await PromoteAsync(bucket, key, location, promoted.VersionId!, cancellationToken).ConfigureAwait(false);
                outcome = new DeleteOutcome(true, versionId, entry.IsDeleteMarker);
            }
        }
        catch when (recorded)
        {
            await journal.ResyncAsync(key).ConfigureAwait(false);
            throw;
        }
        finally
        {
            stripe.Release();
        }
        if (goneParts != null) await RemovePartsDirectoryAsync(bucket, goneParts).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// The version that becomes current when the key loses its current version (or its newest marker): the newest in
    /// the version index after <paramref name="skip"/>, when it is not a delete marker; with its entry.
    /// </summary>
    private async ValueTask<(ObjectMetadata? Metadata, IndexEntry? Entry)> NextCurrentAsync(string bucket, ObjectLocation location,
        BucketIndex versions, byte[] prefix, IndexEntry? skip, CancellationToken cancellationToken)
    {
        foreach (var entry in VersionIndexReads.OfKey(versions, prefix))
        {
            if (skip != null && entry.VersionId == skip.VersionId) continue;
            if (entry.IsDeleteMarker) return (null, null);
            var header = await VersionHeaderAsync(bucket, VersionKeys.KeyOf(entry.Key), location, entry, cancellationToken).ConfigureAwait(false);
            return header == null ? (null, null) : (header.Value.Metadata, entry);
        }
        return (null, null);
    }

    /// <summary>A noncurrent version's header, its metadata carrying the id and null flag the index gives it.</summary>
    private async ValueTask<StoredHeader?> VersionHeaderAsync(string bucket, string key, ObjectLocation location, IndexEntry entry,
        CancellationToken cancellationToken)
    {
        var header = await TryReadHeaderAsync(Path.Join(VersionDirectory(bucket, location), entry.VersionId!), cancellationToken).ConfigureAwait(false);
        if (header is not { } h || !string.Equals(h.Metadata.Key, key, StringComparison.Ordinal)) return null;
        return h with { Metadata = h.Metadata with { VersionId = entry.VersionId, IsNullVersion = entry.IsNullVersion } };
    }

    private async ValueTask UnlinkCurrentAsync(string bucket, string key, ObjectLocation location, CancellationToken cancellationToken)
    {
        await DisposeAsync(_openObjects.BeginChange(bucket, key)).ConfigureAwait(false);
        try
        {
            await Engine.DeleteAsync(location.File, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(_openObjects.EndChange(bucket, key)).ConfigureAwait(false);
        }
        await FsyncDirectoryAsync(location.Directory, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Makes a noncurrent version current again: its file is renamed back over the key's.</summary>
    private async ValueTask PromoteAsync(string bucket, string key, ObjectLocation location, string versionId, CancellationToken cancellationToken)
    {
        await EnsureObjectDirectoriesAsync(bucket, location, cancellationToken).ConfigureAwait(false);
        await DisposeAsync(_openObjects.BeginChange(bucket, key)).ConfigureAwait(false);
        try
        {
            await Engine.RenameAsync(Path.Join(VersionDirectory(bucket, location), versionId), location.File, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(_openObjects.EndChange(bucket, key)).ConfigureAwait(false);
        }
        await FsyncDirectoryAsync(location.Directory, CancellationToken.None).ConfigureAwait(false);
        await FsyncDirectoryAsync(VersionDirectory(bucket, location), CancellationToken.None).ConfigureAwait(false);
    }

    // ---- reads of a version ----

    /// <summary>The file and header of the version <paramref name="versionId"/> names (not the current one): NoSuchVersion,
    /// or 405 for a delete marker.</summary>
    private async ValueTask<(string Path, IndexEntry Entry)> NoncurrentAsync(string bucket, string key, string versionId,
        BucketIndex versions, string method, CancellationToken cancellationToken)
    {
        await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        var entry = VersionIndexReads.Find(versions, key, versionId) ?? throw S3StorageException.NoSuchVersion(bucket, key, versionId);
        if (entry.IsDeleteMarker) throw S3StorageException.DeleteMarkerNamed(bucket, key, versionId, method);
        return (Path.Join(VersionDirectory(bucket, Layout.Object(bucket, key)), entry.VersionId!), entry);
    }

    /// <summary>True when the key's current file is the version <paramref name="versionId"/> names.</summary>
    internal async ValueTask<bool> IsCurrentAsync(string bucket, string key, string versionId, CancellationToken cancellationToken)
    {
        var header = await CurrentHeaderAsync(key, Layout.Object(bucket, key), cancellationToken).ConfigureAwait(false);
        return header is { } h && VersionIndexReads.Names(h.Metadata, versionId);
    }

    /// <summary>A noncurrent version open for reading (it stays readable if it is removed meanwhile).</summary>
    internal async ValueTask<ObjectReader> OpenNoncurrentAsync(string bucket, string key, string versionId, BucketIndex versions,
        CancellationToken cancellationToken)
    {
        var (path, entry) = await NoncurrentAsync(bucket, key, versionId, versions, "GET", cancellationToken).ConfigureAwait(false);
        var file = await TryOpenAsync(path, cancellationToken).ConfigureAwait(false) ?? throw S3StorageException.NoSuchVersion(bucket, key, versionId);
        StoredHeader header;
        ManifestPart[]? parts = null;
        try
        {
            header = await ObjectHeader.ReadAsync(file, cancellationToken, InlineBodyBytes).ConfigureAwait(false);
            header = header with { Metadata = header.Metadata with { VersionId = entry.VersionId, IsNullVersion = entry.IsNullVersion } };
            if (header.IsManifest) parts = await ObjectManifest.ReadAsync(file, header, cancellationToken).ConfigureAwait(false);
            if (parts == null) return new ObjectReader(file, header);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        await file.DisposeAsync().ConfigureAwait(false);
        var files = await TryOpenPartsAsync(bucket, header.PartsDirectory!, parts, cancellationToken).ConfigureAwait(false)
            ?? throw S3StorageException.NoSuchVersion(bucket, key, versionId);
        return ObjectReader.ForParts(header.Metadata, files, parts);
    }

    /// <summary>A noncurrent version's metadata.</summary>
    internal async ValueTask<ObjectMetadata> HeadNoncurrentAsync(string bucket, string key, string versionId, BucketIndex versions,
        string method, CancellationToken cancellationToken)
    {
        var (_, entry) = await NoncurrentAsync(bucket, key, versionId, versions, method, cancellationToken).ConfigureAwait(false);
        var header = await VersionHeaderAsync(bucket, key, Layout.Object(bucket, key), entry, cancellationToken).ConfigureAwait(false);
        return header?.Metadata ?? throw S3StorageException.NoSuchVersion(bucket, key, versionId);
    }

    /// <summary>A noncurrent version with its parts (numbers and sizes; details when asked).</summary>
    internal async ValueTask<ObjectParts> GetNoncurrentPartsAsync(string bucket, string key, string versionId, BucketIndex versions,
        bool details, CancellationToken cancellationToken)
    {
        var (path, entry) = await NoncurrentAsync(bucket, key, versionId, versions, "GET", cancellationToken).ConfigureAwait(false);
        var file = await TryOpenAsync(path, cancellationToken).ConfigureAwait(false) ?? throw S3StorageException.NoSuchVersion(bucket, key, versionId);
        StoredHeader header;
        ManifestPart[]? manifest = null;
        await using (file.ConfigureAwait(false))
        {
            header = await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
            if (header.IsManifest) manifest = await ObjectManifest.ReadAsync(file, header, cancellationToken).ConfigureAwait(false);
        }
        var metadata = header.Metadata with { VersionId = entry.VersionId, IsNullVersion = entry.IsNullVersion };
        if (manifest == null) return new ObjectParts(metadata, []);
        var parts = new PartInfo[manifest.Length];
        string directory = Layout.PartsDirectory(bucket, header.PartsDirectory!);
        for (int i = 0; i < manifest.Length; i++)
        {
            var m = manifest[i];
            var part = details ? await TryReadHeaderAsync(Path.Join(directory, StorageLayout.PartFileName(m.Number)), cancellationToken).ConfigureAwait(false) : null;
            parts[i] = part is { } h ? ToPartInfo(m.Number, h) : new PartInfo(m.Number, m.Length, string.Empty, metadata.LastModified, null);
        }
        return new ObjectParts(metadata, parts);
    }

    /// <summary>CopyObject from a noncurrent version (a hard link pins it for the copy, as for a current one).</summary>
    internal async ValueTask<ObjectMetadata> CopyNoncurrentAsync(string sourceBucket, string sourceKey, string sourceVersionId,
        BucketIndex sourceVersions, string bucket, string key, Func<ObjectMetadata, ObjectAttributes>? attributes,
        WriteCondition? condition, IPublishJournal? journal, CancellationToken cancellationToken)
    {
        var (path, entry) = await NoncurrentAsync(sourceBucket, sourceKey, sourceVersionId, sourceVersions, "GET", cancellationToken)
            .ConfigureAwait(false);
        return await CopyAsync(sourceBucket, sourceKey, bucket, key, attributes is null ? null
                : m => attributes(m with { VersionId = entry.VersionId, IsNullVersion = entry.IsNullVersion }),
            condition, journal, inPlace: false, cancellationToken, path).ConfigureAwait(false);
    }

    /// <summary>
    /// The version fields of a new write by the bucket's state: none (never versioned), a new id (enabled), a new id
    /// that only orders a null version (suspended). Taken when the header is written, before the key's stripe.
    /// </summary>
    internal static ObjectMetadata Stamp(ObjectMetadata metadata, IPublishJournal? journal)
    {
        var state = journal?.Versioning ?? VersioningState.Unversioned;
        if (state == VersioningState.Unversioned && metadata is { VersionId: null, IsNullVersion: false, IsDeleteMarker: false })
            return metadata; // the common case: nothing to change, nothing allocated
        return state == VersioningState.Unversioned
            ? metadata with { VersionId = null, IsNullVersion = false, IsDeleteMarker = false }
            : metadata with { VersionId = VersionIds.New(), IsNullVersion = state == VersioningState.Suspended, IsDeleteMarker = false };
    }

    // ---- enumeration and reconciliation ----

    /// <summary>Every noncurrent version and delete marker of the bucket, as its files describe them (for a rebuild).</summary>
    internal async IAsyncEnumerable<ObjectMetadata> EnumerateVersionsAsync(string bucket,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string root = VersionsRoot(bucket);
        if (!System.IO.Directory.Exists(root)) yield break;
        foreach (string directory in System.IO.Directory.EnumerateDirectories(root))
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(directory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string id = Path.GetFileName(path);
                if (!VersionIds.IsWellFormed(id)) continue;
                StoredHeader? header;
                try
                {
                    header = await TryReadHeaderAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (IoException)
                {
                    continue;
                }
                if (header is not { } h || Path.GetFileName(Layout.Object(bucket, h.Metadata.Key).File) != Path.GetFileName(directory)) continue;
                yield return h.Metadata with { VersionId = id, IsNullVersion = h.Metadata.IsNull };
            }
        }
    }

    /// <summary>
    /// After an unclean stop, before the indexes are rebuilt from the files: a version file that duplicates the key's
    /// current version (linked down, the rename not reached) goes; a null version below a current null version goes
    /// (the replacement was published, its removal not reached); a key left with no current file whose newest version
    /// is not a delete marker gets it back as current (a delete or promotion interrupted). Returns what changed.
    /// </summary>
    internal async ValueTask<int> ReconcileVersionsAsync(string bucket, CancellationToken cancellationToken)
    {
        int changed = 0;
        var byKey = new Dictionary<string, List<ObjectMetadata>>(StringComparer.Ordinal);
        await foreach (var version in EnumerateVersionsAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            if (!byKey.TryGetValue(version.Key, out var list)) byKey[version.Key] = list = [];
            list.Add(version);
        }
        foreach (var (key, versions) in byKey)
        {
            var location = Layout.Object(bucket, key);
            versions.Sort((a, b) => string.CompareOrdinal(a.VersionId, b.VersionId)); // newest first
            var current = (await CurrentHeaderAsync(key, location, cancellationToken).ConfigureAwait(false))?.Metadata;
            foreach (var v in versions.ToList())
            {
                bool duplicate = current != null && (v.VersionId == current.VersionId || (current.VersionId == null && v.IsNull && !v.IsDeleteMarker && v.ETag == current.ETag && v.LastModified == current.LastModified));
                bool staleNull = current is { IsNull: true } && v.IsNull && !duplicate;
                if (!duplicate && !staleNull) continue;
                await RemoveVersionFileAsync(bucket, location, v.VersionId!, cancellationToken).ConfigureAwait(false);
                versions.Remove(v);
                changed++;
            }
            if (current == null && versions.Count > 0 && !versions[0].IsDeleteMarker)
            {
                await PromoteAsync(bucket, key, location, versions[0].VersionId!, cancellationToken).ConfigureAwait(false);
                changed++;
            }
        }
        return changed;
    }

    /// <summary>The parts directories manifests among the noncurrent versions use (kept by <see cref="ReconcilePartsAsync"/>).</summary>
    private async ValueTask<HashSet<string>> VersionPartsDirectoriesAsync(string bucket, CancellationToken cancellationToken)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        string root = VersionsRoot(bucket);
        if (!System.IO.Directory.Exists(root)) return used;
        foreach (string directory in System.IO.Directory.EnumerateDirectories(root))
            foreach (string path in System.IO.Directory.EnumerateFiles(directory))
            {
                try
                {
                    if ((await TryReadHeaderAsync(path, cancellationToken).ConfigureAwait(false))?.PartsDirectory is { } parts) used.Add(parts);
                }
                catch (IoException)
                {
                }
            }
        return used;
    }
}
