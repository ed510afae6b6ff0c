using Sluice.S3.Checksums;

namespace Sluice.Client.Model;

/// <summary>A PutObject (or CreateMultipartUpload) request: the key, standard headers, user metadata, checksum.</summary>
public sealed record PutObjectRequest(string Bucket, string Key)
{
    public string? ContentType { get; init; }

    public string? ContentEncoding { get; init; }

    public string? ContentDisposition { get; init; }

    public string? ContentLanguage { get; init; }

    public string? CacheControl { get; init; }

    public string? Expires { get; init; }

    public string? StorageClass { get; init; }

    /// <summary>User metadata, sent as x-amz-meta-NAME (ASCII names and values).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>A canned ACL (x-amz-acl).</summary>
    public CannedAcl? Acl { get; init; }

    /// <summary>Encryption with service-managed keys (x-amz-server-side-encryption).</summary>
    public ServerSideEncryptionMethod? ServerSideEncryption { get; init; }

    /// <summary>The KMS key for <see cref="ServerSideEncryptionMethod.AwsKms"/> (x-amz-server-side-encryption-aws-kms-key-id).</summary>
    public string? SseKmsKeyId { get; init; }

    /// <summary>Encrypt with this customer-provided key (SSE-C); for a multipart upload every UploadPart needs it too.</summary>
    public SseCustomerKey? CustomerKey { get; init; }

    /// <summary>The object's tag set (x-amz-tagging, URL-encoded).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Write preconditions: IfNoneMatch = "*" creates only; IfMatch replaces only that version.</summary>
    public ObjectConditions? Conditions { get; init; }

    /// <summary>Compute this checksum over the body and send it as x-amz-checksum-*; the server verifies it.
    /// For CreateMultipartUpload it is sent as x-amz-checksum-algorithm.</summary>
    public ChecksumAlgorithm ChecksumAlgorithm { get; init; }

    /// <summary>A precomputed base64 checksum for <see cref="ChecksumAlgorithm"/> (skips computing it).</summary>
    public string? ChecksumValue { get; init; }

    /// <summary>
    /// For CreateMultipartUpload: how the parts' checksums make the object's (x-amz-checksum-type), "COMPOSITE" or
    /// "FULL_OBJECT"; null leaves it to the server's default for the algorithm. Not sent with PutObject.
    /// </summary>
    public string? ChecksumType { get; init; }

    /// <summary>
    /// Object lock retention for the new version (x-amz-object-lock-mode): "GOVERNANCE" or "COMPLIANCE", with
    /// <see cref="ObjectLockRetainUntilDate"/>. The bucket must have object lock. A PutObject with any lock setting
    /// and no <see cref="ChecksumAlgorithm"/> sends a CRC32 checksum, as S3 requires an integrity check then.
    /// </summary>
    public string? ObjectLockMode { get; init; }

    /// <summary>Until when <see cref="ObjectLockMode"/> holds (x-amz-object-lock-retain-until-date).</summary>
    public DateTimeOffset? ObjectLockRetainUntilDate { get; init; }

    /// <summary>Object lock legal hold for the new version (x-amz-object-lock-legal-hold: ON or OFF); null: not sent.</summary>
    public bool? ObjectLockLegalHold { get; init; }

    /// <summary>True when any object lock setting is given.</summary>
    internal bool HasObjectLock => ObjectLockMode is not null || ObjectLockRetainUntilDate is not null || ObjectLockLegalHold is not null;
}
