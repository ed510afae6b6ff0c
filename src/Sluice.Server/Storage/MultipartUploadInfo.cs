using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>An in-progress multipart upload (ListMultipartUploads, and what Complete will create).</summary>
public sealed record MultipartUploadInfo(string Bucket, string Key, string UploadId, DateTimeOffset Initiated,
    ObjectAttributes Attributes, ChecksumAlgorithm ChecksumAlgorithm)
{
    /// <summary>FULL_OBJECT or COMPOSITE as CreateMultipartUpload asked; null: the algorithm's default
    /// (<see cref="MultipartAssembly.ChecksumTypeOf"/>).</summary>
    public string? ChecksumType { get; init; }
}
