using Sluice.Client.Model;
using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// Per-copy settings of <see cref="TransferEngine.CopyAsync(string, string, string, string, CopyOptions?, IProgress{TransferProgress}?, CancellationToken)"/>.
/// The content headers and user metadata are the source's (S3's metadata directive COPY) unless
/// <see cref="ReplaceMetadata"/>: then exactly the ones given here. That holds for a multipart copy too, which copies
/// the source's headers itself (UploadPartCopy carries no metadata). ACL, encryption, storage class and tags apply
/// either way.
/// </summary>
public sealed record CopyOptions
{
    /// <summary>REPLACE the content headers and metadata with the ones below instead of copying the source's.</summary>
    public bool ReplaceMetadata { get; init; }

    public string? ContentType { get; init; }
    public string? CacheControl { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentLanguage { get; init; }
    public string? Expires { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public string? StorageClass { get; init; }
    public CannedAcl? Acl { get; init; }
    public ServerSideEncryptionMethod? ServerSideEncryption { get; init; }
    public string? SseKmsKeyId { get; init; }

    /// <summary>Encrypt the copy with this customer-provided key (SSE-C).</summary>
    public SseCustomerKey? CustomerKey { get; init; }

    /// <summary>The key the source was written with, when it is SSE-C.</summary>
    public SseCustomerKey? SourceCustomerKey { get; init; }

    /// <summary>Tags for the copy; null copies the source's (a single CopyObject) — a multipart copy carries none then.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>The checksum the server stores for the copy; None: the server's choice.</summary>
    public ChecksumAlgorithm ChecksumAlgorithm { get; init; }

    /// <summary>Object lock retention of what is written ("GOVERNANCE" or "COMPLIANCE", with <see cref="ObjectLockRetainUntilDate"/>).</summary>
    public string? ObjectLockMode { get; init; }

    /// <summary>Until when <see cref="ObjectLockMode"/> holds.</summary>
    public DateTimeOffset? ObjectLockRetainUntilDate { get; init; }

    /// <summary>Object lock legal hold of what is written (ON: true, OFF: false); null: not sent.</summary>
    public bool? ObjectLockLegalHold { get; init; }
}
