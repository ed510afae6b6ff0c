using System.Security.Cryptography;

namespace Sluice.S3.Checksums;

/// <summary>Incremental SHA-512 (FIPS 180-4), as S3 uses for the <c>x-amz-checksum-sha512</c> value.</summary>
public sealed class Sha512Digest : IncrementalDigest
{
    /// <summary>Digest size in bytes.</summary>
    public const int HashSizeInBytes = 64;

    /// <summary>Creates an empty digest.</summary>
    public Sha512Digest()
        : base(HashAlgorithmName.SHA512, HashSizeInBytes)
    {
    }

    /// <summary>The digest of <paramref name="source"/> in one call; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 64 bytes.</exception>
    public static int HashData(ReadOnlySpan<byte> source, Span<byte> destination) => SHA512.HashData(source, destination);
}
