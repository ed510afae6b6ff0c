using Sluice.S3.Checksums;

namespace Sluice.Client.Model;

/// <summary>An UploadPart request.</summary>
public sealed record UploadPartRequest(string Bucket, string Key, string UploadId, int PartNumber)
{
    /// <summary>Compute and send this checksum of the part (x-amz-checksum-*).</summary>
    public ChecksumAlgorithm ChecksumAlgorithm { get; init; }

    /// <summary>A precomputed base64 checksum (skips computing it).</summary>
    public string? ChecksumValue { get; init; }

    /// <summary>
    /// The part's MD5 as base64, sent as Content-MD5 so the server checks the bytes: for an upload created without a
    /// checksum algorithm, whose parts carry no x-amz-checksum-*.
    /// </summary>
    public string? ContentMd5 { get; init; }

    /// <summary>The SSE-C key the upload was created with (every part must carry it).</summary>
    public SseCustomerKey? CustomerKey { get; init; }
}
