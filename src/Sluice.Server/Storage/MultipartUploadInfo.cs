using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>An in-progress multipart upload (ListMultipartUploads, and what Complete will create).</summary>
public sealed record MultipartUploadInfo(string Bucket, string Key, string UploadId, DateTimeOffset Initiated,
    ObjectAttributes Attributes, ChecksumAlgorithm ChecksumAlgorithm);
