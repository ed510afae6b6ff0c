using Sluice.S3.Checksums;

namespace Sluice.Client.Model;

/// <summary>
/// An SSE-C key: the 256-bit AES key the server encrypts (and decrypts) an object with and does not keep, so every
/// request that writes or reads the object must carry it (with its MD5, which the server checks the key against).
/// The key never appears in <see cref="ToString"/>.
/// </summary>
public sealed class SseCustomerKey
{
    /// <summary>The only algorithm S3 takes for customer keys.</summary>
    public const string Algorithm = "AES256";

    /// <summary>Bytes of an AES-256 key.</summary>
    public const int KeyLength = 32;

    public SseCustomerKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"An SSE-C key is {KeyLength} bytes (AES-256), not {key.Length}.", nameof(key));
        }

        KeyBase64 = Convert.ToBase64String(key);
        Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
        Md5Digest.HashData(key, md5); // the integrity check S3 asks for, not a security use
        KeyMd5Base64 = Convert.ToBase64String(md5);
    }

    /// <summary>The key as sent (x-amz-server-side-encryption-customer-key).</summary>
    public string KeyBase64 { get; }

    /// <summary>The MD5 of the key (x-amz-server-side-encryption-customer-key-MD5).</summary>
    public string KeyMd5Base64 { get; }

    /// <summary>Adds the three headers; <paramref name="prefix"/> is "x-amz-" or, for a copy's source, "x-amz-copy-source-".</summary>
    internal void AddTo(List<KeyValuePair<string, string>> headers, string prefix)
    {
        headers.Add(new(prefix + "server-side-encryption-customer-algorithm", Algorithm));
        headers.Add(new(prefix + "server-side-encryption-customer-key", KeyBase64));
        headers.Add(new(prefix + "server-side-encryption-customer-key-MD5", KeyMd5Base64));
    }

    public override string ToString() => $"SSE-C {Algorithm} key (MD5 {KeyMd5Base64})";
}
