using System.Buffers.Binary;
using Sluice.IO;
using Sluice.IO.Files;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Objects;

namespace Sluice.Server.Storage;

// Multipart uploads: staged under DIR/.multipart/<bucket>/<uploadId>/; Complete publishes a manifest naming the parts.
public sealed partial class ObjectStore
{
    /// <summary>Every part but the last must be at least 5 MiB (Amazon S3 User Guide, "Multipart upload limits").</summary>
    public const long MinPartSize = MultipartAssembly.MinPartSize;

    /// <summary>Part numbers run from 1 to 10,000.</summary>
    public const int MaxPartNumber = MultipartAssembly.MaxPartNumber;

    /// <summary>
    /// CreateMultipartUpload: a staging directory holding the upload record (key, attributes, checksum algorithm,
    /// initiation time), prepared under DIR/.tmp and published by one rename.
    /// </summary>
    public async ValueTask<MultipartUploadInfo> CreateMultipartUploadAsync(string bucket, string key,
        ObjectAttributes? attributes = null, ChecksumAlgorithm checksumAlgorithm = ChecksumAlgorithm.None,
        string? checksumType = null, CancellationToken cancellationToken = default)
    {
        var location = Layout.Object(bucket, key);
        await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        var upload = new MultipartUploadInfo(bucket, key, StorageLayout.NewUploadId(), Now(),
            attributes ?? ObjectAttributes.Empty, checksumAlgorithm) { ChecksumType = checksumType };
        var record = new ObjectMetadata
        {
            Key = key,
            Size = 0,
            ETag = "",
            LastModified = upload.Initiated,
            Attributes = upload.Attributes,
            ChecksumAlgorithm = checksumAlgorithm,
            ChecksumType = checksumType, // the upload record keeps the requested combination
        };
        string staging = Layout.NewTemp();
        StorageNative.MakeDirectory(staging);
        try
        {
            await EnsureDirectoryAsync(Layout.MultipartBucket(bucket), Layout.Multipart).ConfigureAwait(false);
            await WriteAssembledAsync(Path.Join(staging, "upload"), record, (_, _) => ValueTask.CompletedTask,
                cancellationToken).ConfigureAwait(false);
            await FsyncDirectoryAsync(staging, cancellationToken).ConfigureAwait(false);
            // Under the key's stripe: DeleteBucket holds all stripes, so it sees this upload or the bucket is gone.
            var stripe = _stripes[location.Stripe];
            await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
                if (!StorageNative.RenameNoReplace(staging, Layout.Upload(bucket, upload.UploadId)))
                    throw new IoException("rename", StorageNative.EEXIST, "upload id collision");
            }
            finally
            {
                stripe.Release();
            }
        }
        catch
        {
            DeleteTree(staging);
            throw;
        }
        await FsyncDirectoryAsync(Layout.MultipartBucket(bucket), CancellationToken.None).ConfigureAwait(false);
        return upload;
    }

    /// <summary>The upload's record; NoSuchUpload when it does not exist or belongs to another key.</summary>
    public async ValueTask<MultipartUploadInfo> GetMultipartUploadAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default)
    {
        StorageLayout.KeyBytes(key);
        var upload = await TryReadUploadAsync(bucket, uploadId, cancellationToken).ConfigureAwait(false);
        if (upload == null)
        {
            await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            throw S3StorageException.NoSuchUpload(uploadId);
        }
        if (!string.Equals(upload.Key, key, StringComparison.Ordinal)) throw S3StorageException.NoSuchUpload(uploadId);
        return upload;
    }

    /// <summary>UploadPart: a writer for part <paramref name="partNumber"/> (1..10000, else InvalidArgument).</summary>
    public async ValueTask<PartWriter> BeginUploadPartAsync(string bucket, string key, string uploadId, int partNumber,
        CancellationToken cancellationToken = default)
    {
        if (partNumber is < 1 or > MaxPartNumber)
            throw new S3StorageException(new S3Error(S3ErrorCode.InvalidArgument,
                    "Part number must be an integer between 1 and 10000, inclusive")
                .WithDetail("ArgumentName", "partNumber").WithDetail("ArgumentValue", partNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var upload = await GetMultipartUploadAsync(bucket, key, uploadId, cancellationToken).ConfigureAwait(false);
        string temp = Layout.NewTemp();
        var file = await Engine.OpenFileAsync(temp, CreateNew, cancellationToken).ConfigureAwait(false);
        return new PartWriter(this, upload, partNumber, temp, file);
    }

    /// <summary>Renames a sealed part into its upload (under the upload's lock) and fsyncs the upload directory.</summary>
    internal async ValueTask PublishPartAsync(string temp, MultipartUploadInfo upload, int partNumber,
        CancellationToken cancellationToken)
    {
        bool published = false;
        var gate = UploadLock(upload.UploadId);
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!await UploadExistsAsync(upload, cancellationToken).ConfigureAwait(false))
                    throw S3StorageException.NoSuchUpload(upload.UploadId);
                await Engine.RenameAsync(temp, Layout.Part(upload.Bucket, upload.UploadId, partNumber), cancellationToken)
                    .ConfigureAwait(false);
                published = true;
            }
            finally
            {
                gate.Release();
            }
        }
        finally
        {
            if (!published) await TryDeleteFileAsync(temp).ConfigureAwait(false);
        }
        await FsyncDirectoryAsync(Layout.Upload(upload.Bucket, upload.UploadId), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>ListParts: the committed parts in part-number order.</summary>
    public async ValueTask<IReadOnlyList<PartInfo>> ListPartsAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default)
    {
        var upload = await GetMultipartUploadAsync(bucket, key, uploadId, cancellationToken).ConfigureAwait(false);
        var parts = new List<PartInfo>();
        foreach (var (number, path) in PartFiles(upload))
        {
            var header = await TryReadHeaderAsync(path, cancellationToken).ConfigureAwait(false);
            if (header is { } h) parts.Add(ToPartInfo(number, h));
        }
        parts.Sort((a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }

    /// <summary>AbortMultipartUpload: the staging directory disappears in one rename, then is deleted.</summary>
    public async ValueTask AbortMultipartUploadAsync(string bucket, string key, string uploadId,
        CancellationToken cancellationToken = default)
    {
        var gate = UploadLock(StorageLayout.CheckUploadId(uploadId));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await GetMultipartUploadAsync(bucket, key, uploadId, cancellationToken).ConfigureAwait(false);
            await RemoveDirectoryDurablyAsync(Layout.Upload(bucket, uploadId), Layout.MultipartBucket(bucket),
                cancellationToken).ConfigureAwait(false);
            _uploads.TryRemove(new(uploadId, gate));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// CompleteMultipartUpload: checks the list (ascending numbers → InvalidPartOrder; unknown part, ETag or checksum
    /// mismatch → InvalidPart; a non-last part under 5 MiB → EntityTooSmall), publishes the object as a manifest
    /// naming the part files, which move (hard links) into the object's own parts directory: no byte is copied.
    /// Published like a PUT (with <paramref name="condition"/>), then the upload is removed. A retry after a
    /// success (its answer lost) answers the same metadata while the key still holds that upload's object. ETag: MD5 of the parts' binary MD5s
    /// plus "-N". With a checksum algorithm: CRC64NVME gives the full-object CRC (combined from the parts'), the
    /// others S3's composite checksum (the algorithm over the parts' binary checksums, plus "-N").
    /// </summary>
    public ValueTask<ObjectMetadata> CompleteMultipartUploadAsync(string bucket, string key, string uploadId,
        IReadOnlyList<CompletedPart> parts, WriteCondition? condition = null, CompleteChecks? checks = null,
        CancellationToken cancellationToken = default) =>
        CompleteMultipartUploadAsync(bucket, key, uploadId, parts, condition, checks, null, cancellationToken);

    /// <summary>As the public CompleteMultipartUploadAsync, recording the new version in <paramref name="journal"/> before it is published.</summary>
    internal async ValueTask<ObjectMetadata> CompleteMultipartUploadAsync(string bucket, string key, string uploadId,
        IReadOnlyList<CompletedPart> parts, WriteCondition? condition, CompleteChecks? checks, IPublishJournal? journal,
        CancellationToken cancellationToken)
    {
        var location = Layout.Object(bucket, key);
        MultipartAssembly.CheckOrder(parts);

        var gate = UploadLock(StorageLayout.CheckUploadId(uploadId));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            MultipartUploadInfo upload;
            try
            {
                upload = await GetMultipartUploadAsync(bucket, key, uploadId, cancellationToken).ConfigureAwait(false);
            }
            catch (S3StorageException e) when (e.Error.Code == S3ErrorCode.NoSuchUpload)
            {
                // A retry of a Complete that succeeded (its answer was lost): S3 answers success again. The object
                // still being the manifest this upload published is the record of that.
                var header = await TryReadHeaderAsync(location.File, cancellationToken).ConfigureAwait(false);
                if (header is { IsManifest: true } h && h.UploadId == uploadId &&
                    string.Equals(h.Metadata.Key, key, StringComparison.Ordinal) && h.Metadata.PartCount == parts.Count)
                    return h.Metadata;
                throw;
            }
            var headers = new StoredHeader[parts.Count];
            var stored = new PartInfo?[parts.Count];
            for (int i = 0; i < parts.Count; i++)
            {
                MultipartAssembly.CheckNumber(parts[i]);
                var found = await TryReadHeaderAsync(Layout.Part(bucket, uploadId, parts[i].PartNumber), cancellationToken)
                    .ConfigureAwait(false);
                if (found is not { } header) continue;
                headers[i] = header;
                stored[i] = ToPartInfo(parts[i].PartNumber, header);
            }
            var metadata = Stamp(MultipartAssembly.Assemble(key, upload, parts, stored, Now(), checks), journal);
            var manifest = new ManifestPart[parts.Count];
            for (int i = 0; i < parts.Count; i++)
                manifest[i] = new ManifestPart(parts[i].PartNumber, headers[i].BodyOffset, headers[i].BodyLength);
            if (!await PublishManifestAsync(bucket, key, location, metadata, manifest,
                    n => Layout.Part(bucket, uploadId, n), uploadId, condition,
                    journal, cancellationToken).ConfigureAwait(false))
                throw new IoException("link", StorageNative.ENOENT, $"a part of upload {uploadId} vanished during its completion");
            // A crash before this line leaves the object complete and the upload still listed; the next open sees
            // the manifest naming this upload and removes it (completing again before that republishes the same
            // parts; aborting drops only the upload's names for them).
            await RemoveDirectoryDurablyAsync(Layout.Upload(bucket, uploadId), Layout.MultipartBucket(bucket),
                CancellationToken.None).ConfigureAwait(false);
            _uploads.TryRemove(new(uploadId, gate));
            return metadata;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Start-up reconciliation of manifests' parts directories (run at open, before any writer): a directory its
    /// object's manifest does not name is left from a crash (a Complete or copy that never published, or a version
    /// replaced before its parts were removed) and is removed; an upload whose manifest was published but whose
    /// staging directory survived a crash is finished (removed). Costs one header read per multipart object.
    /// </summary>
    internal async ValueTask ReconcilePartsAsync(CancellationToken cancellationToken)
    {
        foreach (string bucketPath in System.IO.Directory.EnumerateDirectories(Layout.Root))
        {
            string bucket = Path.GetFileName(bucketPath);
            string root = Path.Join(bucketPath, ".parts");
            if (bucket.StartsWith('.') || !System.IO.Directory.Exists(root)) continue;
            var versionParts = await VersionPartsDirectoriesAsync(bucket, cancellationToken).ConfigureAwait(false);
            foreach (string directory in System.IO.Directory.EnumerateDirectories(root))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = Path.GetFileName(directory);
                if (!StorageLayout.TryParsePartsDirectoryName(name, out string objectName)) continue; // not ours
                if (versionParts.Contains(name)) continue; // a noncurrent version's manifest uses it
                StoredHeader? header;
                try
                {
                    header = await TryReadHeaderAsync(Layout.ObjectByName(bucket, objectName).File, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (IoException e) when (e.Errno == 5)
                {
                    continue; // a damaged object file: keep what may be its parts
                }
                if (header is { IsManifest: true } h && h.PartsDirectory == name)
                {
                    string? upload = UploadDirectoryOrNull(bucket, h.UploadId);
                    if (upload != null && System.IO.Directory.Exists(upload))
                        await RemoveDirectoryDurablyAsync(upload, Layout.MultipartBucket(bucket), cancellationToken)
                            .ConfigureAwait(false);
                    continue;
                }
                await RemoveDirectoryDurablyAsync(directory, root, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The staging directory of <paramref name="uploadId"/>; null for none or an id that is not ours.</summary>
    private string? UploadDirectoryOrNull(string bucket, string? uploadId)
    {
        if (uploadId == null) return null;
        try
        {
            return Layout.Upload(bucket, uploadId);
        }
        catch (S3StorageException)
        {
            return null;
        }
    }

    /// <summary>ListMultipartUploads: the bucket's in-progress uploads, by key then initiation time.</summary>
    public async ValueTask<IReadOnlyList<MultipartUploadInfo>> ListMultipartUploadsAsync(string bucket,
        CancellationToken cancellationToken = default)
    {
        await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        var uploads = new List<MultipartUploadInfo>();
        string directory = Layout.MultipartBucket(bucket);
        if (!System.IO.Directory.Exists(directory)) return uploads;
        foreach (string path in System.IO.Directory.EnumerateDirectories(directory))
        {
            string id = Path.GetFileName(path);
            if (id.Length != StorageLayout.UploadIdLength) continue;
            var upload = await TryReadUploadAsync(bucket, id, cancellationToken).ConfigureAwait(false);
            if (upload != null) uploads.Add(upload);
        }
        uploads.Sort((a, b) =>
        {
            int byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : a.Initiated.CompareTo(b.Initiated);
        });
        return uploads;
    }

    private async ValueTask<MultipartUploadInfo?> TryReadUploadAsync(string bucket, string uploadId,
        CancellationToken cancellationToken)
    {
        var header = await TryReadHeaderAsync(Layout.UploadRecord(bucket, uploadId), cancellationToken).ConfigureAwait(false);
        if (header is not { } h) return null;
        return new MultipartUploadInfo(bucket, h.Metadata.Key, uploadId, h.Metadata.LastModified, h.Metadata.Attributes,
            h.Metadata.ChecksumAlgorithm) { ChecksumType = h.Metadata.ChecksumType };
    }

    private async ValueTask<bool> UploadExistsAsync(MultipartUploadInfo upload, CancellationToken cancellationToken)
    {
        try
        {
            await Engine.StatAsync(Layout.UploadRecord(upload.Bucket, upload.UploadId), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IoException e) when (e.Errno == StorageNative.ENOENT)
        {
            return false;
        }
    }

    /// <summary>
    /// The key's current version and, for a multipart object (a manifest), its parts from the part list (numbers,
    /// sizes) and, with <paramref name="details"/>, each part file's header (ETag, checksum). A part file that is gone
    /// means the manifest was replaced meanwhile: the current version is read again.
    /// </summary>
    public async ValueTask<ObjectParts> GetPartsAsync(string bucket, string key, bool details,
        CancellationToken cancellationToken = default)
    {
        var location = Layout.Object(bucket, key);
        for (int attempt = 0; attempt < MaxOpenAttempts; attempt++)
        {
            StoredHeader header;
            ManifestPart[]? manifest = null;
            var file = await TryOpenAsync(location.File, cancellationToken).ConfigureAwait(false);
            if (file == null) throw await MissingObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            await using (file.ConfigureAwait(false))
            {
                header = await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(header.Metadata.Key, key, StringComparison.Ordinal)) throw S3StorageException.NoSuchKey(bucket, key);
                if (header.IsManifest) manifest = await ObjectManifest.ReadAsync(file, header, cancellationToken).ConfigureAwait(false);
            }
            if (manifest == null) return new ObjectParts(header.Metadata, []);
            var parts = new PartInfo[manifest.Length];
            string directory = Layout.PartsDirectory(bucket, header.PartsDirectory!);
            bool replaced = false;
            for (int i = 0; i < manifest.Length && !replaced; i++)
            {
                var m = manifest[i];
                if (!details)
                {
                    parts[i] = new PartInfo(m.Number, m.Length, string.Empty, header.Metadata.LastModified, null);
                    continue;
                }
                var part = await TryReadHeaderAsync(Path.Join(directory, StorageLayout.PartFileName(m.Number)), cancellationToken)
                    .ConfigureAwait(false);
                if (part is { } h) parts[i] = ToPartInfo(m.Number, h);
                else replaced = true;
            }
            if (!replaced) return new ObjectParts(header.Metadata, parts);
        }
        throw new IoException("open", StorageNative.EAGAIN, $"{bucket}/{key} kept being replaced while its parts were read");
    }

    private async ValueTask<StoredHeader?> TryReadHeaderAsync(string path, CancellationToken cancellationToken)
    {
        var file = await TryOpenAsync(path, cancellationToken).ConfigureAwait(false);
        if (file == null) return null;
        await using (file.ConfigureAwait(false))
            return await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<(int Number, string Path)> PartFiles(MultipartUploadInfo upload)
    {
        foreach (string path in System.IO.Directory.EnumerateFiles(Layout.Upload(upload.Bucket, upload.UploadId), "part-*"))
        {
            if (int.TryParse(Path.GetFileName(path).AsSpan(5), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out int number) && number is >= 1 and <= MaxPartNumber)
                yield return (number, path);
        }
    }

    private SemaphoreSlim UploadLock(string uploadId) => _uploads.GetOrAdd(uploadId, _ => new SemaphoreSlim(1, 1));

    private static PartInfo ToPartInfo(int number, StoredHeader header) =>
        new(number, header.BodyLength, header.Metadata.ETag, header.Metadata.LastModified, header.Metadata.Checksum);
}
