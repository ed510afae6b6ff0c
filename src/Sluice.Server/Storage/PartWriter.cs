using Sluice.IO.Files;
using Sluice.S3.Objects;

namespace Sluice.Server.Storage;

/// <summary>
/// An UploadPart in progress (from <see cref="ObjectStore.BeginUploadPartAsync"/>): the part is written, hashed and
/// committed with the same temp + fsync + rename protocol as an object, into its upload's staging directory.
/// </summary>
public sealed class PartWriter : BodyWriter, IPartWriter
{
    private readonly MultipartUploadInfo _upload;

    internal PartWriter(ObjectStore store, MultipartUploadInfo upload, int partNumber, string tempPath, IoFile file)
        : base(store, tempPath, file, upload.ChecksumAlgorithm)
    {
        _upload = upload;
        PartNumber = partNumber;
    }

    public int PartNumber { get; }

    public MultipartUploadInfo Upload => _upload;

    /// <summary>
    /// Verifies the digests (BadDigest), makes the part durable and replaces any earlier part with this number.
    /// NoSuchUpload when the upload was completed or aborted meanwhile.
    /// </summary>
    public async ValueTask<PartInfo> CommitAsync(string? expectedContentMd5 = null, string? expectedChecksum = null,
        ObjectEncryption? encrypted = null, CancellationToken cancellationToken = default)
    {
        var (md5, checksum) = await FinishBodyAsync(expectedContentMd5, expectedChecksum).ConfigureAwait(false);
        Span<byte> etag = stackalloc byte[ETag.SinglePartLength];
        ETag.FormatSinglePart(md5, etag);
        var metadata = new ObjectMetadata
        {
            Key = _upload.Key,
            Size = Length,
            ETag = encrypted?.ETag ?? System.Text.Encoding.ASCII.GetString(etag),
            LastModified = ObjectStore.Now(),
            ChecksumAlgorithm = ChecksumAlgorithm,
            Checksum = encrypted == null ? checksum : encrypted.Checksum,
        };
        await SealAsync(ObjectHeader.EncodeMetadata(metadata, PartNumber), cancellationToken).ConfigureAwait(false);
        await Store.PublishPartAsync(TempPath, _upload, PartNumber, cancellationToken).ConfigureAwait(false);
        return new PartInfo(PartNumber, Length, metadata.ETag, metadata.LastModified, metadata.Checksum);
    }
}
