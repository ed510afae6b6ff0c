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

    // The algorithms S3 added after the first five. Appended, never reordered: the key index journals the value.

    /// <summary>MD5 ("MD5"), 16 bytes, as an additional checksum (x-amz-checksum-md5), not Content-MD5.</summary>
    Md5,

    /// <summary>SHA-512 ("SHA512"), 64 bytes.</summary>
    Sha512,

    /// <summary>XXH64 with seed 0 ("XXHASH64"), 8 bytes, big-endian (xxHash's canonical form).</summary>
    XxHash64,

    /// <summary>XXH3 64-bit with seed 0 ("XXHASH3"), 8 bytes, big-endian.</summary>
    XxHash3,

    /// <summary>XXH3 128-bit with seed 0 ("XXHASH128"), 16 bytes, big-endian (canonical: high half first).</summary>
    XxHash128,
}
