using Sluice.Client.Model;

namespace Sluice.Client.Transfer;

/// <summary>
/// Per-upload settings: the object's headers, metadata, ACL, encryption and tags (sent with the PutObject or the
/// CreateMultipartUpload; an SSE-C key with every UploadPart too), and resuming an interrupted multipart upload.
/// </summary>
public sealed record UploadOptions
{
    /// <summary>The Content-Type; null sends none (the server's default), unless <see cref="GuessContentType"/>.</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// With no <see cref="ContentType"/>, send the type of the source file's extension (<see cref="MimeTypes.Guess"/>,
    /// as the AWS CLI guesses); a file whose extension is not known gets none.
    /// </summary>
    public bool GuessContentType { get; init; }

    public string? CacheControl { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentLanguage { get; init; }

    /// <summary>The Expires header, as an HTTP date.</summary>
    public string? Expires { get; init; }

    public string? StorageClass { get; init; }

    /// <summary>User metadata (x-amz-meta-*).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public CannedAcl? Acl { get; init; }

    /// <summary>Encryption with service-managed keys (SSE-S3 or SSE-KMS).</summary>
    public ServerSideEncryptionMethod? ServerSideEncryption { get; init; }

    public string? SseKmsKeyId { get; init; }

    /// <summary>Encrypt with a customer-provided key (SSE-C): sent with the write and with every part.</summary>
    public SseCustomerKey? CustomerKey { get; init; }

    /// <summary>The object's tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>
    /// Continue this multipart upload (from <see cref="TransferException.UploadId"/>): parts already listed with
    /// the right size and checksum (or ETag) are kept, the rest uploaded.
    /// </summary>
    public string? ResumeUploadId { get; init; }

    /// <summary>
    /// A resumed upload's parts carry the upload's own checksum algorithm (what ListParts reports or its parts carry, or
    /// none when neither names one), which may not be the engine's. With this set, an upload known to have another
    /// algorithm is refused (a <see cref="TransferException"/> before any part is sent) instead of followed: the caller
    /// asked for one. One whose algorithm the server does not tell is resumed (a server that keeps no checksums tells
    /// none, for this engine's uploads too).
    /// </summary>
    public bool RequireChecksumAlgorithm { get; init; }

    /// <summary>Abort the multipart upload when the transfer fails or is cancelled instead of leaving it for a resume.</summary>
    public bool AbortOnFailure { get; init; }

    /// <summary>Object lock retention of what is written ("GOVERNANCE" or "COMPLIANCE", with <see cref="ObjectLockRetainUntilDate"/>).</summary>
    public string? ObjectLockMode { get; init; }

    /// <summary>Until when <see cref="ObjectLockMode"/> holds.</summary>
    public DateTimeOffset? ObjectLockRetainUntilDate { get; init; }

    /// <summary>Object lock legal hold of what is written (ON: true, OFF: false); null: not sent.</summary>
    public bool? ObjectLockLegalHold { get; init; }
}
