namespace Sluice.S3.Checksums;

/// <summary>
/// The additional checksums S3 supports (<c>x-amz-checksum-algorithm</c> / <c>x-amz-sdk-checksum-algorithm</c>).
/// See <see cref="ChecksumAlgorithmExtensions"/> for wire names, header names and digest sizes.
/// </summary>
public enum ChecksumAlgorithm
{
    /// <summary>No additional checksum.</summary>
    None = 0,

    /// <summary>CRC-32 ("CRC32"), 4 bytes.</summary>
    Crc32,

    /// <summary>CRC-32C ("CRC32C"), 4 bytes.</summary>
    Crc32C,

    /// <summary>CRC-64/NVME ("CRC64NVME"), 8 bytes.</summary>
    Crc64Nvme,

    /// <summary>SHA-1 ("SHA1"), 20 bytes.</summary>
    Sha1,

    /// <summary>SHA-256 ("SHA256"), 32 bytes.</summary>
    Sha256,
}
