namespace Sluice.Client.Model;

/// <summary>A CopyObject request (server-side copy, up to 5 GiB).</summary>
public sealed record CopyObjectRequest(string SourceBucket, string SourceKey, string Bucket, string Key)
{
    public string? SourceVersionId { get; init; }

    /// <summary>Preconditions on the source (x-amz-copy-source-if-*).</summary>
    public ObjectConditions? SourceConditions { get; init; }

    /// <summary>True: x-amz-metadata-directive REPLACE with <see cref="Metadata"/> and the content headers given here;
    /// false: COPY the source's metadata.</summary>
    public bool ReplaceMetadata { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public string? ContentType { get; init; }

    public string? CacheControl { get; init; }

    public string? ContentDisposition { get; init; }

    public string? ContentEncoding { get; init; }

    public string? ContentLanguage { get; init; }

    public string? Expires { get; init; }

    public string? StorageClass { get; init; }

    /// <summary>A canned ACL for the copy (x-amz-acl).</summary>
    public CannedAcl? Acl { get; init; }

    /// <summary>Encrypt the copy with service-managed keys.</summary>
    public ServerSideEncryptionMethod? ServerSideEncryption { get; init; }

    public string? SseKmsKeyId { get; init; }

    /// <summary>Encrypt the copy with this customer-provided key (SSE-C).</summary>
    public SseCustomerKey? CustomerKey { get; init; }

    /// <summary>The key the source is encrypted with, when it is SSE-C (x-amz-copy-source-server-side-encryption-customer-*).</summary>
    public SseCustomerKey? SourceCustomerKey { get; init; }

    /// <summary>Tags for the copy: given, x-amz-tagging-directive REPLACE with these; null, the source's tags are copied.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>The checksum the server computes and stores for the copy (x-amz-checksum-algorithm); None keeps the default.</summary>
    public Sluice.S3.Checksums.ChecksumAlgorithm ChecksumAlgorithm { get; init; }

    /// <summary>Preconditions on the destination (e.g. IfNoneMatch = "*").</summary>
    public ObjectConditions? Conditions { get; init; }

    /// <summary>Object lock retention for the copy ("GOVERNANCE" or "COMPLIANCE", with the date); a copy never takes
    /// the source version's lock (without these the destination bucket's default retention applies).</summary>
    public string? ObjectLockMode { get; init; }

    public DateTimeOffset? ObjectLockRetainUntilDate { get; init; }

    /// <summary>Object lock legal hold for the copy (ON or OFF); null: not sent.</summary>
    public bool? ObjectLockLegalHold { get; init; }
}
