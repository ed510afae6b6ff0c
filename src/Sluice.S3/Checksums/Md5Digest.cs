using System.Security.Cryptography;

namespace Sluice.S3.Checksums;

/// <summary>Incremental MD5 (RFC 1321), as S3 uses for <c>Content-MD5</c> and single-part ETags.</summary>
public sealed class Md5Digest : IncrementalDigest
{
    /// <summary>Digest size in bytes.</summary>
    public const int HashSizeInBytes = 16;

    /// <summary>Creates an empty digest.</summary>
    public Md5Digest()
        : base(HashAlgorithmName.MD5, HashSizeInBytes)
    {
    }

    /// <summary>The digest of <paramref name="source"/> in one call; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 16 bytes.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "S3 defines MD5 (Content-MD5, ETags) as an integrity check, not for security.")]
    public static int HashData(ReadOnlySpan<byte> source, Span<byte> destination) => MD5.HashData(source, destination);
}
