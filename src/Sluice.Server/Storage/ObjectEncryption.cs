using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>
/// How an object (or a multipart upload, whose parts inherit it) is encrypted at rest: the mode and what is needed to
/// find its data key again, and the plaintext's size. Stores persist it with the other attributes and otherwise treat
/// the body as opaque bytes: their <see cref="ObjectMetadata.Size"/> is the stored (ciphertext) length, and what
/// clients see — the plaintext size — is <see cref="VisibleSize"/>. Produced and consumed above the stores (the
/// encryption handlers, <see cref="Service.Encryption.SseEncryptor"/>, <see cref="Service.Encryption.SseDecryptingReader"/>);
/// the stored bytes are <see cref="EncryptedLayout"/> streams.
/// </summary>
public sealed record ObjectEncryption
{
    /// <summary>SSE-S3 and SSE-C use AES256 (x-amz-server-side-encryption or -customer-algorithm); SSE-KMS aws:kms.</summary>
    public const string Aes256 = "AES256";

    public const string Kms = "aws:kms";

    /// <summary><see cref="Aes256"/> or <see cref="Kms"/>.</summary>
    public required string Algorithm { get; init; }

    /// <summary>SSE-C: the client holds the key; the server keeps only <see cref="CustomerKeyMd5"/> and <see cref="KeyVerifier"/>.</summary>
    public bool CustomerKey { get; init; }

    /// <summary>SSE-C: base64 MD5 of the customer's key, echoed in responses.</summary>
    public string? CustomerKeyMd5 { get; init; }

    /// <summary>SSE-C: base64 of a random salt and HMAC-SHA256(key, salt): tells a wrong key from the right one
    /// without storing anything the key could be recovered from.</summary>
    public string? KeyVerifier { get; init; }

    /// <summary>SSE-S3 / SSE-KMS: the object's data key wrapped (AES-256-GCM) by the master key or the KMS key.</summary>
    public string? WrappedKey { get; init; }

    /// <summary>SSE-KMS: the key the data key is wrapped with, as the key file names it.</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>SSE-KMS: x-amz-server-side-encryption-context as sent (base64 JSON), bound into the wrapping.</summary>
    public string? KmsContext { get; init; }

    /// <summary>x-amz-server-side-encryption-bucket-key-enabled, echoed.</summary>
    public bool BucketKeyEnabled { get; init; }

    /// <summary>Plaintext bytes per sealed chunk of each stream.</summary>
    public int ChunkSize { get; init; } = EncryptedLayout.DefaultChunkSize;

    /// <summary>The plaintext's length: what Content-Length, HEAD and listings report.</summary>
    public long PlainSize { get; init; }

    // Set by the service for a commit only (not persisted): what the stored metadata must say instead of what the store
    // computed over the ciphertext.

    /// <summary>The ETag to store (SSE-S3: the plaintext's MD5); null keeps the store's (MD5 of the ciphertext).</summary>
    public string? ETag { get; init; }

    public ChecksumAlgorithm ChecksumAlgorithm { get; init; }

    /// <summary>The plaintext's checksum (x-amz-checksum-*), or null.</summary>
    public string? Checksum { get; init; }

    public string? ChecksumType { get; init; }

    /// <summary>What a store commits for an encrypted body: the ETag and checksum the service computed over the
    /// plaintext replace those the store computed over the ciphertext. Unencrypted metadata is returned as is.</summary>
    public static ObjectMetadata Seal(ObjectMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Attributes.Encryption is not { } e) return metadata;
        return metadata with
        {
            ETag = e.ETag ?? metadata.ETag,
            ChecksumAlgorithm = e.Checksum == null ? ChecksumAlgorithm.None : e.ChecksumAlgorithm,
            Checksum = e.Checksum,
            ChecksumType = e.Checksum == null ? null : e.ChecksumType,
            Attributes = metadata.Attributes with { Encryption = e.Persisted() },
        };
    }

    /// <summary>The size clients see: the plaintext's for an encrypted object, else the stored size.</summary>
    public static long VisibleSize(ObjectMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Attributes.Encryption is { } e ? e.PlainSize : metadata.Size;
    }

    /// <summary>The metadata as clients see it (the plaintext's size).</summary>
    public static ObjectMetadata Present(ObjectMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Attributes.Encryption is { } e ? metadata with { Size = e.PlainSize } : metadata;
    }

    /// <summary>Without the commit-only fields.</summary>
    public ObjectEncryption Persisted() => this with { ETag = null, ChecksumAlgorithm = ChecksumAlgorithm.None, Checksum = null, ChecksumType = null };
}
