using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Server.Storage.Memory;

/// <summary>A PutObject into the memory store: the body in chunks, then published under the key's commit lock.</summary>
internal sealed class MemoryObjectWriter(MemoryStorage storage, MemoryBucket bucket, string key, ChecksumAlgorithm checksumAlgorithm)
    : MemoryBodyWriter(storage, checksumAlgorithm), IObjectWriter
{
    public ValueTask<ObjectMetadata> CommitAsync(ObjectAttributes attributes, string? expectedContentMd5,
        string? expectedChecksum, WriteCondition? condition, CancellationToken cancellationToken = default)
    {
        var (md5, checksum, body) = FinishBody(expectedContentMd5, expectedChecksum);
        Span<byte> etag = stackalloc byte[ETag.SinglePartLength];
        ETag.FormatSinglePart(md5, etag);
        var metadata = new ObjectMetadata
        {
            Key = key,
            Size = body.Length,
            ETag = System.Text.Encoding.ASCII.GetString(etag),
            LastModified = ObjectStore.Now(),
            Attributes = attributes,
            ChecksumAlgorithm = ChecksumAlgorithm,
            Checksum = checksum,
            ChecksumType = checksum == null ? null : ObjectStore.FullObject,
        };
        metadata = ObjectEncryption.Seal(metadata);
        return ValueTask.FromResult(Storage.Publish(bucket, new MemoryObject(metadata, body, null), condition));
    }
}

/// <summary>An UploadPart into the memory store.</summary>
internal sealed class MemoryPartWriter(MemoryStorage storage, MemoryUpload upload, int partNumber)
    : MemoryBodyWriter(storage, upload.Info.ChecksumAlgorithm), IPartWriter
{
    public int PartNumber { get; } = partNumber;

    public MultipartUploadInfo Upload => upload.Info;

    public ValueTask<PartInfo> CommitAsync(string? expectedContentMd5 = null, string? expectedChecksum = null,
        ObjectEncryption? encrypted = null, CancellationToken cancellationToken = default)
    {
        var (md5, checksum, body) = FinishBody(expectedContentMd5, expectedChecksum);
        Span<byte> etag = stackalloc byte[ETag.SinglePartLength];
        ETag.FormatSinglePart(md5, etag);
        var info = new PartInfo(PartNumber, body.Length, encrypted?.ETag ?? System.Text.Encoding.ASCII.GetString(etag), ObjectStore.Now(),
            encrypted == null ? checksum : encrypted.Checksum);
        Storage.PublishPart(upload, new MemoryPart(info, body));
        return ValueTask.FromResult(info);
    }
}
