using System.Buffers.Binary;

namespace Sluice.S3.Checksums;

/// <summary>
/// Incremental CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), the checksum S3 carries base64-encoded, big-endian, in <c>x-amz-checksum-crc64nvme</c>.
/// A <c>default</c> value is ready to use (the CRC of no data is 0). This is a mutable struct: keep it in a
/// field or local and do not copy it mid-stream.
/// </summary>
public struct Crc64Nvme
{
    /// <summary>Size of the big-endian digest S3 base64-encodes.</summary>
    public const int HashLengthInBytes = 8;

    // The finished CRC of the data so far; with init == xorout == all ones, 0 is the empty state.
    private ulong _hash;

    /// <summary>Adds <paramref name="source"/> to the running checksum.</summary>
    public void Append(ReadOnlySpan<byte> source) => _hash = (ulong)CrcEngine.Crc64Nvme.Append(_hash, source);

    /// <summary>The checksum of everything appended since the last reset.</summary>
    public readonly ulong GetCurrentHash() => _hash;

    /// <summary>Writes the checksum big-endian (the bytes S3 base64-encodes); returns 8.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than 8 bytes.</exception>
    public readonly int GetCurrentHash(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _hash);
        return HashLengthInBytes;
    }

    /// <summary>Starts over with no data.</summary>
    public void Reset() => _hash = 0;

    /// <summary>The checksum of <paramref name="source"/> in one call.</summary>
    public static ulong HashToUInt64(ReadOnlySpan<byte> source) => (ulong)CrcEngine.Crc64Nvme.Append(0, source);

    /// <summary>
    /// The checksum of A followed by B, given checksum(A), checksum(B) and B's length in bytes: builds a
    /// whole-object CRC from part CRCs (S3's FULL_OBJECT checksum type) without reading the data again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lengthB"/> is negative.</exception>
    public static ulong Combine(ulong crcA, ulong crcB, long lengthB) => (ulong)CrcEngine.Crc64Nvme.Combine(crcA, crcB, lengthB);
}
