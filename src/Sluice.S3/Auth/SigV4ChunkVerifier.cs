using System.Security.Cryptography;

namespace Sluice.S3.Auth;

/// <summary>
/// Server-side chunk signature verification for aws-chunked uploads. Seeded from a successful
/// <see cref="SigV4AuthResult"/>; chunk bytes are appended as they arrive (one reusable incremental SHA-256, no
/// per-chunk allocation), then the chunk's claimed signature is checked and the chain advances. After any failure
/// every later check fails. Reusable across uploads via <see cref="Reset(in SigV4AuthResult)"/>; not thread-safe.
/// </summary>
public sealed class SigV4ChunkVerifier : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _timestamp = new byte[AmzDate.Length];
    private readonly byte[] _previous = new byte[SigV4Algorithm.HashLength];
    private SigV4SigningKey? _key;
    private bool _failed;

    /// <summary>True once a chunk or trailer signature did not verify.</summary>
    public bool HasFailed => _failed;

    /// <summary>Starts a new chain from a verified request using a signed streaming payload mode.</summary>
    public void Reset(in SigV4AuthResult auth)
    {
        if (!auth.IsAuthenticated || auth.SigningKey is null
            || auth.PayloadMode is not (SigV4PayloadMode.StreamingSigned or SigV4PayloadMode.StreamingSignedTrailer))
        {
            throw new ArgumentException("Chunk verification needs an authenticated signed-streaming request.", nameof(auth));
        }

        Reset(auth.SigningKey, auth.Timestamp, auth.SeedSignature);
    }

    /// <summary>Starts a new chain from <paramref name="seedSignature"/> (32 raw bytes).</summary>
    public void Reset(SigV4SigningKey key, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> seedSignature)
    {
        ArgumentNullException.ThrowIfNull(key);
        SigV4Algorithm.ThrowIfInvalidChainSeed(timestamp, seedSignature);

        _key = key;
        timestamp.CopyTo(_timestamp);
        seedSignature.CopyTo(_previous);
        _failed = false;
        Span<byte> discard = stackalloc byte[SigV4Algorithm.HashLength];
        _hash.GetHashAndReset(discard);
    }

    /// <summary>Feeds the next bytes of the current chunk's data.</summary>
    public void AppendChunkData(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>
    /// Ends the current chunk and checks its claimed signature (64 hex digits, ASCII); on success the chain advances.
    /// The final 0-byte chunk is verified the same way with no data appended.
    /// </summary>
    public bool VerifyChunk(ReadOnlySpan<byte> claimedSignatureHex)
    {
        Span<byte> dataHash = stackalloc byte[SigV4Algorithm.HashLength];
        _hash.GetHashAndReset(dataHash);
        if (_failed || _key is null)
        {
            return Fail();
        }

        Span<byte> computed = stackalloc byte[SigV4Algorithm.HashLength];
        SigV4Algorithm.SignChunk(_key.Key, _timestamp, _key.ScopeUtf8, _previous, dataHash, computed);
        return Accept(computed, claimedSignatureHex);
    }

    /// <summary>
    /// Checks the trailer signature. <paramref name="trailerLines"/> are the trailer header lines as received
    /// ("name:value\r\n" each) excluding the <c>x-amz-trailer-signature</c> line.
    /// </summary>
    public bool VerifyTrailer(ReadOnlySpan<byte> trailerLines, ReadOnlySpan<byte> claimedSignatureHex)
    {
        if (_failed || _key is null)
        {
            return Fail();
        }

        Span<byte> trailerHash = stackalloc byte[SigV4Algorithm.HashLength];
        SigV4Algorithm.HashTrailers(trailerLines, trailerHash);
        Span<byte> computed = stackalloc byte[SigV4Algorithm.HashLength];
        SigV4Algorithm.SignTrailer(_key.Key, _timestamp, _key.ScopeUtf8, _previous, trailerHash, computed);
        return Accept(computed, claimedSignatureHex);
    }

    /// <inheritdoc/>
    public void Dispose() => _hash.Dispose();

    private bool Accept(ReadOnlySpan<byte> computed, ReadOnlySpan<byte> claimedSignatureHex)
    {
        Span<byte> claimed = stackalloc byte[SigV4Algorithm.HashLength];
        if (!HexEncoding.TryDecodeLower(claimedSignatureHex, claimed) || !CryptographicOperations.FixedTimeEquals(computed, claimed))
        {
            return Fail();
        }

        computed.CopyTo(_previous);
        return true;
    }

    private bool Fail()
    {
        _failed = true;
        return false;
    }
}
