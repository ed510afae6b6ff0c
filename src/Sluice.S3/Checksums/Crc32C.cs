using System.Buffers.Binary;

namespace Sluice.S3.Checksums;

/// <summary>
/// Incremental CRC-32C (Castagnoli/iSCSI, reflected polynomial 0x82F63B78), the checksum S3 carries base64-encoded, big-endian, in <c>x-amz-checksum-crc32c</c>.
/// A <c>default</c> value is ready to use (the CRC of no data is 0). This is a mutable struct: keep it in a
/// field or local and do not copy it mid-stream.
/// </summary>
public struct Crc32C
{
    /// <summary>Size of the big-endian digest S3 base64-encodes.</summary>
    public const int HashLengthInBytes = 4;

    // The finished CRC of the data so far; with init == xorout == all ones, 0 is the empty state.
    private uint _hash;

    /// <summary>Adds <paramref name="source"/> to the running checksum.</summary>
    public void Append(ReadOnlySpan<byte> source) => _hash = (uint)CrcEngine.Crc32C.Append(_hash, source);

    /// <summary>The checksum of everything appended since the last reset.</summary>
    public readonly uint GetCurrentHash() => _hash;

    /// <summary>Writes the checksum big-endian (the bytes S3 base64-encodes); returns 4.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than 4 bytes.</exception>
    public readonly int GetCurrentHash(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, _hash);
        return HashLengthInBytes;
    }

    /// <summary>Starts over with no data.</summary>
    public void Reset() => _hash = 0;

    /// <summary>The checksum of <paramref name="source"/> in one call.</summary>
    public static uint HashToUInt32(ReadOnlySpan<byte> source) => (uint)CrcEngine.Crc32C.Append(0, source);

    /// <summary>
    /// The checksum of A followed by B, given checksum(A), checksum(B) and B's length in bytes: builds a
    /// whole-object CRC from part CRCs (S3's FULL_OBJECT checksum type) without reading the data again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lengthB"/> is negative.</exception>
    public static uint Combine(uint crcA, uint crcB, long lengthB) => (uint)CrcEngine.Crc32C.Combine(crcA, crcB, lengthB);
}
