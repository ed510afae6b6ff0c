using System.Security.Cryptography;

namespace Sluice.S3.Auth;

/// <summary>
/// Client-side chunk signatures for <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)</c>: each chunk's signature is
/// chained from the previous one, starting at the request's seed signature; the final 0-byte chunk and the trailer
/// are signed the same way. One instance per upload; not thread-safe.
/// </summary>
public sealed class SigV4ChunkSigner
{
    private readonly SigV4SigningKey _key;
    private readonly byte[] _timestamp = new byte[AmzDate.Length];
    private readonly byte[] _previous = new byte[SigV4Algorithm.HashLength];

    /// <summary>Chains from a header signature made with <see cref="SigV4Signer.SignHeaders"/>.</summary>
    public SigV4ChunkSigner(in SigV4SigningResult seed)
        : this(seed.SigningKey, seed.Timestamp, seed.Signature)
    {
    }

    /// <summary>Chains from <paramref name="seedSignature"/> (32 raw bytes) made at <paramref name="timestamp"/>.</summary>
    public SigV4ChunkSigner(SigV4SigningKey key, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> seedSignature)
    {
        ArgumentNullException.ThrowIfNull(key);
        SigV4Algorithm.ThrowIfInvalidChainSeed(timestamp, seedSignature);

        _key = key;
        timestamp.CopyTo(_timestamp);
        seedSignature.CopyTo(_previous);
    }

    /// <summary>Signs the next chunk (empty for the final chunk) and writes its 64 hex digits.</summary>
    public void SignChunk(ReadOnlySpan<byte> chunkData, Span<byte> signatureHex)
    {
        Span<byte> hash = stackalloc byte[SigV4Algorithm.HashLength];
        SHA256.HashData(chunkData, hash);
        SigV4Algorithm.SignChunk(_key.Key, _timestamp, _key.ScopeUtf8, _previous, hash, _previous);
        HexEncoding.EncodeLower(_previous, signatureHex);
    }

    /// <summary>Signs the next chunk and returns its signature as hex.</summary>
    public string SignChunk(ReadOnlySpan<byte> chunkData)
    {
        Span<byte> hex = stackalloc byte[SigV4Algorithm.HexHashLength];
        SignChunk(chunkData, hex);
        return System.Text.Encoding.ASCII.GetString(hex);
    }

    /// <summary>
    /// Signs the trailer (after the final chunk). <paramref name="trailerLines"/> are the trailer header lines as
    /// sent ("name:value\r\n" each), without the <c>x-amz-trailer-signature</c> line.
    /// </summary>
    public void SignTrailer(ReadOnlySpan<byte> trailerLines, Span<byte> signatureHex)
    {
        Span<byte> hash = stackalloc byte[SigV4Algorithm.HashLength];
        SigV4Algorithm.HashTrailers(trailerLines, hash);
        SigV4Algorithm.SignTrailer(_key.Key, _timestamp, _key.ScopeUtf8, _previous, hash, _previous);
        HexEncoding.EncodeLower(_previous, signatureHex);
    }

    /// <summary>Signs the trailer and returns its signature as hex.</summary>
    public string SignTrailer(ReadOnlySpan<byte> trailerLines)
    {
        Span<byte> hex = stackalloc byte[SigV4Algorithm.HexHashLength];
        SignTrailer(trailerLines, hex);
        return System.Text.Encoding.ASCII.GetString(hex);
    }
}
