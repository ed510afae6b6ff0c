using System.Security.Cryptography;

namespace Sluice.S3.Checksums;

/// <summary>
/// A reusable incremental cryptographic digest (SHA-512, SHA-256, SHA-1 or MD5) over <see cref="IncrementalHash"/>:
/// construct once, then Append / GetHashAndReset into caller buffers with no allocation per use.
/// </summary>
public abstract class IncrementalDigest : IDisposable
{
    /// <summary>Longest digest any subclass produces (SHA-512), for stack buffers.</summary>
    public const int MaxHashLengthInBytes = 64;

    private readonly IncrementalHash _hash;

    private protected IncrementalDigest(HashAlgorithmName algorithm, int hashLengthInBytes)
    {
        _hash = IncrementalHash.CreateHash(algorithm);
        HashLengthInBytes = hashLengthInBytes;
    }

    /// <summary>Digest size in bytes.</summary>
    public int HashLengthInBytes { get; }

    /// <summary>Adds <paramref name="source"/> to the running digest.</summary>
    public void Append(ReadOnlySpan<byte> source) => _hash.AppendData(source);

    /// <summary>Writes the digest of the data so far without resetting; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HashLengthInBytes"/>.</exception>
    public int GetCurrentHash(Span<byte> destination) => _hash.GetCurrentHash(destination);

    /// <summary>Writes the digest and starts over; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HashLengthInBytes"/>.</exception>
    public int GetHashAndReset(Span<byte> destination) => _hash.GetHashAndReset(destination);

    /// <summary>Discards the data appended so far.</summary>
    public void Reset()
    {
        Span<byte> discard = stackalloc byte[MaxHashLengthInBytes];
        _hash.GetHashAndReset(discard);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the underlying hash.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }
    }
}
