using System.Security.Cryptography;

namespace Sluice.S3.Checksums;

/// <summary>Incremental SHA-1 (FIPS 180-4), as S3 uses for the <c>x-amz-checksum-sha1</c> value.</summary>
public sealed class Sha1Digest : IncrementalDigest
{
    /// <summary>Digest size in bytes.</summary>
    public const int HashSizeInBytes = 20;

    /// <summary>Creates an empty digest.</summary>
    public Sha1Digest()
        : base(HashAlgorithmName.SHA1, HashSizeInBytes)
    {
    }

    /// <summary>The digest of <paramref name="source"/> in one call; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 20 bytes.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "S3 defines SHA-1 as an integrity checksum (x-amz-checksum-sha1), not for security.")]
    public static int HashData(ReadOnlySpan<byte> source, Span<byte> destination) => SHA1.HashData(source, destination);
}
