using System.Security.Cryptography;

namespace Sluice.S3.Checksums;

/// <summary>Incremental SHA-256 (FIPS 180-4), as S3 uses for the <c>x-amz-checksum-sha256</c> value and SigV4 payload hashes.</summary>
public sealed class Sha256Digest : IncrementalDigest
{
    /// <summary>Digest size in bytes.</summary>
    public const int HashSizeInBytes = 32;

    /// <summary>Creates an empty digest.</summary>
    public Sha256Digest()
        : base(HashAlgorithmName.SHA256, HashSizeInBytes)
    {
    }

    /// <summary>The digest of <paramref name="source"/> in one call; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public static int HashData(ReadOnlySpan<byte> source, Span<byte> destination) => SHA256.HashData(source, destination);
}
