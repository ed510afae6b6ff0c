using System.Buffers.Binary;
using System.Security.Cryptography;
using Sluice.Server.Storage;

namespace Sluice.Server.Service.Encryption;

/// <summary>The key and nonce rules of <see cref="EncryptedLayout"/> streams.</summary>
internal static class SseStreams
{
    private static ReadOnlySpan<byte> StreamLabel => "sluice-sse-stream-v1"u8;

    /// <summary>The stream's own AES-256-GCM key: HMAC-SHA256(data key, label || salt).</summary>
    public static AesGcm StreamCipher(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> salt)
    {
        Span<byte> input = stackalloc byte[StreamLabel.Length + EncryptedLayout.SaltSize];
        StreamLabel.CopyTo(input);
        salt.CopyTo(input[StreamLabel.Length..]);
        Span<byte> key = stackalloc byte[32];
        HMACSHA256.HashData(dataKey, input, key);
        var cipher = new AesGcm(key, EncryptedLayout.TagSize);
        CryptographicOperations.ZeroMemory(key);
        return cipher;
    }

    /// <summary>Chunk <paramref name="index"/>'s nonce: the index, then whether it is the stream's last chunk.</summary>
    public static void Nonce(long index, bool last, Span<byte> nonce)
    {
        BinaryPrimitives.WriteInt64BigEndian(nonce, index);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], last ? 1u : 0u);
    }
}
