namespace Sluice.Server.Storage;

/// <summary>
/// The stored form of an encrypted body. Each stream (a single-PUT object, or one part of a multipart object) is
/// <code>
/// [0, 4)    "SLE1"
/// [4, 36)   salt: 32 random bytes; the stream key is HMAC-SHA256(data key, "sluice-sse-stream-v1" || salt)
/// then      chunks: AES-256-GCM of up to ChunkSize plaintext bytes, each followed by its 16-byte tag
/// </code>
/// Every chunk but the last holds exactly ChunkSize bytes; an empty plaintext is one empty chunk (its tag alone), so a
/// stream is never empty and truncation is always detected. The 12-byte GCM nonce of chunk i is i (u64 big-endian)
/// followed by 0x00000001 for the last chunk, 0 otherwise: chunks cannot be reordered (the index is in the nonce), and
/// a stream cut at a chunk boundary fails because its new last chunk was sealed as not-last (the STREAM construction).
/// The nonce can be a counter because each stream has its own key (a fresh salt per stream), so no (key, nonce) pair
/// ever repeats, even for one SSE-C key used on many objects or a multipart part uploaded twice.
/// Sizes follow from each other: stored = 36 + plain + 16 × chunks, so a part's plaintext length is computed from its
/// stored length, and a range of plaintext maps to the chunks holding it.
/// </summary>
public static class EncryptedLayout
{
    public const int HeaderSize = 36;
    public const int TagSize = 16;
    public const int SaltSize = 32;
    public const int DefaultChunkSize = 64 * 1024;

    public static ReadOnlySpan<byte> Magic => "SLE1"u8;

    public static long ChunkCount(long plainLength, int chunkSize) =>
        plainLength == 0 ? 1 : (plainLength + chunkSize - 1) / chunkSize;

    public static long StoredLength(long plainLength, int chunkSize) =>
        HeaderSize + plainLength + (TagSize * ChunkCount(plainLength, chunkSize));

    /// <summary>The plaintext length of a stream stored in <paramref name="storedLength"/> bytes (-1: not a valid length).</summary>
    public static long PlainLength(long storedLength, int chunkSize)
    {
        long sealedBytes = storedLength - HeaderSize;
        if (sealedBytes < TagSize) return -1;
        long chunks = (sealedBytes + chunkSize + TagSize - 1) / (chunkSize + TagSize);
        return sealedBytes - (TagSize * chunks);
    }
}
