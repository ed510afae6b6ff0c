namespace Sluice.Client.Transfer;

/// <summary>Per-upload settings: the object's headers and metadata, and resuming an interrupted multipart upload.</summary>
public sealed record UploadOptions
{
    public string? ContentType { get; init; }
    public string? CacheControl { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentEncoding { get; init; }
    public string? StorageClass { get; init; }

    /// <summary>User metadata (x-amz-meta-*).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Continue this multipart upload (from <see cref="TransferException.UploadId"/>): parts already listed with
    /// the right size and checksum (or ETag) are kept, the rest uploaded.
    /// </summary>
    public string? ResumeUploadId { get; init; }

    /// <summary>Abort the multipart upload when the transfer fails or is cancelled instead of leaving it for a resume.</summary>
    public bool AbortOnFailure { get; init; }
}
