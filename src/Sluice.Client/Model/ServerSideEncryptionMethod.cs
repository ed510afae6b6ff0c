namespace Sluice.Client.Model;

/// <summary>Server-side encryption with keys the service manages (x-amz-server-side-encryption); see
/// <see cref="SseCustomerKey"/> for keys the caller provides (SSE-C).</summary>
public enum ServerSideEncryptionMethod
{
    /// <summary>SSE-S3: AES256 with keys S3 manages.</summary>
    Aes256,

    /// <summary>SSE-KMS: keys in a key management service (the key id, when given, names which).</summary>
    AwsKms,

    /// <summary>DSSE-KMS: dual-layer encryption with KMS keys.</summary>
    AwsKmsDsse,
}
