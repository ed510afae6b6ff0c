using Sluice.S3.Xml;

namespace Sluice.Client.Model;

/// <summary>
/// What a GetObject or HeadObject response says about the object: entity headers, user metadata, checksums and the
/// range served. For GetObject, <see cref="ContentLength"/> is the number of body bytes delivered to the caller.
/// </summary>
public sealed record ObjectMetadata
{
    public int StatusCode { get; init; }

    /// <summary>The answer's x-amz-rdma-reply (S3 over RDMA): 200/206 placed, 501 declined, 0 none, -1 unreadable.</summary>
    public int PlacementReply { get; init; }

    /// <summary>The answer's x-amz-rdma-bytes-transferred (-1 without one).</summary>
    public long PlacedBytes { get; init; } = -1;

    /// <summary>The ETag as sent, quotes included.</summary>
    public string? ETag { get; init; }

    public DateTimeOffset? LastModified { get; init; }

    /// <summary>Bytes of this response's body (the range length for a ranged GET).</summary>
    public long ContentLength { get; init; }

    /// <summary>The whole object's size (from Content-Range when ranged, else Content-Length).</summary>
    public long ObjectSize { get; init; }

    /// <summary>The range served (first, last byte) when the answer was 206.</summary>
    public (long First, long Last)? Range { get; init; }

    public string? ContentType { get; init; }

    public string? ContentEncoding { get; init; }

    public string? ContentDisposition { get; init; }

    public string? ContentLanguage { get; init; }

    public string? CacheControl { get; init; }

    public string? Expires { get; init; }

    public string? VersionId { get; init; }

    public string? StorageClass { get; init; }

    /// <summary>x-amz-mp-parts-count, for objects completed from multipart uploads when asked with partNumber.</summary>
    public int? PartsCount { get; init; }

    /// <summary>x-amz-server-side-encryption (AES256, aws:kms, aws:kms:dsse), or null.</summary>
    public string? ServerSideEncryption { get; init; }

    /// <summary>x-amz-server-side-encryption-customer-algorithm: set when the object is encrypted with SSE-C.</summary>
    public string? SseCustomerAlgorithm { get; init; }

    /// <summary>x-amz-server-side-encryption-aws-kms-key-id: the KMS key of an SSE-KMS object.</summary>
    public string? SseKmsKeyId { get; init; }

    /// <summary>x-amz-tagging-count: how many tags the object has (S3 sends it on GET when there are any).</summary>
    public int? TagCount { get; init; }

    /// <summary>x-amz-object-lock-mode: GOVERNANCE or COMPLIANCE when the version has a retention.</summary>
    public string? ObjectLockMode { get; init; }

    /// <summary>x-amz-object-lock-retain-until-date: until when <see cref="ObjectLockMode"/> holds.</summary>
    public DateTimeOffset? ObjectLockRetainUntilDate { get; init; }

    /// <summary>x-amz-object-lock-legal-hold: true for ON, false for OFF, null when not sent.</summary>
    public bool? ObjectLockLegalHold { get; init; }

    /// <summary>x-amz-meta-* headers with the prefix removed; names are lower case.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = EmptyMetadata;

    /// <summary>x-amz-checksum-* values (sent when the request asked with x-amz-checksum-mode: ENABLED).</summary>
    public ObjectChecksums Checksums { get; init; } = new();

    public string? RequestId { get; init; }

    /// <summary>
    /// The <see cref="System.Diagnostics.Stopwatch"/> timestamp at which the response head had arrived: the first
    /// byte of the answer, for time-to-first-byte figures (sluice bench). 0 when not recorded.
    /// </summary>
    public long HeadReceivedTimestamp { get; init; }

    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
}
