using System.Buffers.Binary;

namespace Sluice.S3.Checksums;

/// <summary>
/// The four chaining words of one MD5 computation (RFC 1321 §3.3): what the compression function carries from block
/// to block. Plain data, so a stream's state can move between the scalar path and a lane of <see cref="Md5x8"/>.
/// </summary>
internal struct Md5State
{
    public uint A;
    public uint B;
    public uint C;
    public uint D;

    /// <summary>The initial value (RFC 1321 §3.3, words A..D).</summary>
    public static Md5State Initial => new() { A = 0x67452301u, B = 0xefcdab89u, C = 0x98badcfeu, D = 0x10325476u };

    /// <summary>The 16-byte digest these words spell (low-order byte first, A..D).</summary>
    public readonly void WriteDigest(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, A);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], B);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], C);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], D);
    }
}
