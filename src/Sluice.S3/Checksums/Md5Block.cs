using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.S3.Checksums;

/// <summary>
/// The MD5 compression function (RFC 1321 §3.4) on one stream, in C#: the scalar fallback of <see cref="Md5x8"/>,
/// and the path that ends a stream (its last, padded blocks) whatever hashed the rest. Unlike
/// <see cref="Md5Digest"/> (the platform's MD5), its state is open, so a stream can move between this and a lane.
/// </summary>
internal static class Md5Block
{
    /// <summary>Bytes per MD5 block.</summary>
    public const int Size = 64;

    /// <summary>Runs every whole block of <paramref name="blocks"/> (its length a multiple of 64) into <paramref name="state"/>.</summary>
    public static void Compress(ref Md5State state, ReadOnlySpan<byte> blocks)
    {
        if (blocks.Length % Size != 0) throw new ArgumentException("MD5 blocks are 64 bytes", nameof(blocks));
        for (int offset = 0; offset < blocks.Length; offset += Size) CompressOne(ref state, blocks.Slice(offset, Size));
    }

    /// <summary>
    /// Ends a stream: pads <paramref name="tail"/> (the last &lt;64 bytes) with the bit length of all
    /// <paramref name="totalLength"/> bytes (RFC 1321 §3.1–3.2) and writes the digest.
    /// </summary>
    public static void Finish(Md5State state, ReadOnlySpan<byte> tail, long totalLength, Span<byte> digest)
    {
        if (tail.Length >= Size) throw new ArgumentException("the tail is shorter than a block", nameof(tail));
        Span<byte> last = stackalloc byte[2 * Size];
        last.Clear();
        tail.CopyTo(last);
        last[tail.Length] = 0x80;
        int length = tail.Length + 1 + 8 <= Size ? Size : 2 * Size;
        BinaryPrimitives.WriteUInt64LittleEndian(last[(length - 8)..], (ulong)totalLength << 3);
        Compress(ref state, last[..length]);
        state.WriteDigest(digest);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Word(ReadOnlySpan<byte> block, int index)
    {
        uint word = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(block), index * 4));
        return BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint F(uint x, uint y, uint z) => z ^ (x & (y ^ z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint G(uint x, uint y, uint z) => y ^ (z & (x ^ y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint H(uint x, uint y, uint z) => x ^ y ^ z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint I(uint x, uint y, uint z) => y ^ (x | ~z);

    // The 64 steps unrolled: rounds of F, G, H and I with RFC 1321's table T[i] = floor(2^32 * |sin(i + 1)|).
    private static void CompressOne(ref Md5State state, ReadOnlySpan<byte> block)
    {
        uint x0 = Word(block, 0);
        uint x1 = Word(block, 1);
        uint x2 = Word(block, 2);
        uint x3 = Word(block, 3);
        uint x4 = Word(block, 4);
        uint x5 = Word(block, 5);
        uint x6 = Word(block, 6);
        uint x7 = Word(block, 7);
        uint x8 = Word(block, 8);
        uint x9 = Word(block, 9);
        uint x10 = Word(block, 10);
        uint x11 = Word(block, 11);
        uint x12 = Word(block, 12);
        uint x13 = Word(block, 13);
        uint x14 = Word(block, 14);
        uint x15 = Word(block, 15);
        uint a = state.A, b = state.B, c = state.C, d = state.D;

        a = b + BitOperations.RotateLeft(a + F(b, c, d) + x0 + 0xd76aa478u, 7);
        d = a + BitOperations.RotateLeft(d + F(a, b, c) + x1 + 0xe8c7b756u, 12);
        c = d + BitOperations.RotateLeft(c + F(d, a, b) + x2 + 0x242070dbu, 17);
        b = c + BitOperations.RotateLeft(b + F(c, d, a) + x3 + 0xc1bdceeeu, 22);
        a = b + BitOperations.RotateLeft(a + F(b, c, d) + x4 + 0xf57c0fafu, 7);
        d = a + BitOperations.RotateLeft(d + F(a, b, c) + x5 + 0x4787c62au, 12);
        c = d + BitOperations.RotateLeft(c + F(d, a, b) + x6 + 0xa8304613u, 17);
        b = c + BitOperations.RotateLeft(b + F(c, d, a) + x7 + 0xfd469501u, 22);
        a = b + BitOperations.RotateLeft(a + F(b, c, d) + x8 + 0x698098d8u, 7);
        d = a + BitOperations.RotateLeft(d + F(a, b, c) + x9 + 0x8b44f7afu, 12);
        c = d + BitOperations.RotateLeft(c + F(d, a, b) + x10 + 0xffff5bb1u, 17);
        b = c + BitOperations.RotateLeft(b + F(c, d, a) + x11 + 0x895cd7beu, 22);
        a = b + BitOperations.RotateLeft(a + F(b, c, d) + x12 + 0x6b901122u, 7);
        d = a + BitOperations.RotateLeft(d + F(a, b, c) + x13 + 0xfd987193u, 12);
        c = d + BitOperations.RotateLeft(c + F(d, a, b) + x14 + 0xa679438eu, 17);
        b = c + BitOperations.RotateLeft(b + F(c, d, a) + x15 + 0x49b40821u, 22);
        a = b + BitOperations.RotateLeft(a + G(b, c, d) + x1 + 0xf61e2562u, 5);
        d = a + BitOperations.RotateLeft(d + G(a, b, c) + x6 + 0xc040b340u, 9);
        c = d + BitOperations.RotateLeft(c + G(d, a, b) + x11 + 0x265e5a51u, 14);
        b = c + BitOperations.RotateLeft(b + G(c, d, a) + x0 + 0xe9b6c7aau, 20);
        a = b + BitOperations.RotateLeft(a + G(b, c, d) + x5 + 0xd62f105du, 5);
        d = a + BitOperations.RotateLeft(d + G(a, b, c) + x10 + 0x02441453u, 9);
        c = d + BitOperations.RotateLeft(c + G(d, a, b) + x15 + 0xd8a1e681u, 14);
        b = c + BitOperations.RotateLeft(b + G(c, d, a) + x4 + 0xe7d3fbc8u, 20);
        a = b + BitOperations.RotateLeft(a + G(b, c, d) + x9 + 0x21e1cde6u, 5);
        d = a + BitOperations.RotateLeft(d + G(a, b, c) + x14 + 0xc33707d6u, 9);
        c = d + BitOperations.RotateLeft(c + G(d, a, b) + x3 + 0xf4d50d87u, 14);
        b = c + BitOperations.RotateLeft(b + G(c, d, a) + x8 + 0x455a14edu, 20);
        a = b + BitOperations.RotateLeft(a + G(b, c, d) + x13 + 0xa9e3e905u, 5);
        d = a + BitOperations.RotateLeft(d + G(a, b, c) + x2 + 0xfcefa3f8u, 9);
        c = d + BitOperations.RotateLeft(c + G(d, a, b) + x7 + 0x676f02d9u, 14);
        b = c + BitOperations.RotateLeft(b + G(c, d, a) + x12 + 0x8d2a4c8au, 20);
        a = b + BitOperations.RotateLeft(a + H(b, c, d) + x5 + 0xfffa3942u, 4);
        d = a + BitOperations.RotateLeft(d + H(a, b, c) + x8 + 0x8771f681u, 11);
        c = d + BitOperations.RotateLeft(c + H(d, a, b) + x11 + 0x6d9d6122u, 16);
        b = c + BitOperations.RotateLeft(b + H(c, d, a) + x14 + 0xfde5380cu, 23);
        a = b + BitOperations.RotateLeft(a + H(b, c, d) + x1 + 0xa4beea44u, 4);
        d = a + BitOperations.RotateLeft(d + H(a, b, c) + x4 + 0x4bdecfa9u, 11);
        c = d + BitOperations.RotateLeft(c + H(d, a, b) + x7 + 0xf6bb4b60u, 16);
        b = c + BitOperations.RotateLeft(b + H(c, d, a) + x10 + 0xbebfbc70u, 23);
        a = b + BitOperations.RotateLeft(a + H(b, c, d) + x13 + 0x289b7ec6u, 4);
        d = a + BitOperations.RotateLeft(d + H(a, b, c) + x0 + 0xeaa127fau, 11);
        c = d + BitOperations.RotateLeft(c + H(d, a, b) + x3 + 0xd4ef3085u, 16);
        b = c + BitOperations.RotateLeft(b + H(c, d, a) + x6 + 0x04881d05u, 23);
        a = b + BitOperations.RotateLeft(a + H(b, c, d) + x9 + 0xd9d4d039u, 4);
        d = a + BitOperations.RotateLeft(d + H(a, b, c) + x12 + 0xe6db99e5u, 11);
        c = d + BitOperations.RotateLeft(c + H(d, a, b) + x15 + 0x1fa27cf8u, 16);
        b = c + BitOperations.RotateLeft(b + H(c, d, a) + x2 + 0xc4ac5665u, 23);
        a = b + BitOperations.RotateLeft(a + I(b, c, d) + x0 + 0xf4292244u, 6);
        d = a + BitOperations.RotateLeft(d + I(a, b, c) + x7 + 0x432aff97u, 10);
        c = d + BitOperations.RotateLeft(c + I(d, a, b) + x14 + 0xab9423a7u, 15);
        b = c + BitOperations.RotateLeft(b + I(c, d, a) + x5 + 0xfc93a039u, 21);
        a = b + BitOperations.RotateLeft(a + I(b, c, d) + x12 + 0x655b59c3u, 6);
        d = a + BitOperations.RotateLeft(d + I(a, b, c) + x3 + 0x8f0ccc92u, 10);
        c = d + BitOperations.RotateLeft(c + I(d, a, b) + x10 + 0xffeff47du, 15);
        b = c + BitOperations.RotateLeft(b + I(c, d, a) + x1 + 0x85845dd1u, 21);
        a = b + BitOperations.RotateLeft(a + I(b, c, d) + x8 + 0x6fa87e4fu, 6);
        d = a + BitOperations.RotateLeft(d + I(a, b, c) + x15 + 0xfe2ce6e0u, 10);
        c = d + BitOperations.RotateLeft(c + I(d, a, b) + x6 + 0xa3014314u, 15);
        b = c + BitOperations.RotateLeft(b + I(c, d, a) + x13 + 0x4e0811a1u, 21);
        a = b + BitOperations.RotateLeft(a + I(b, c, d) + x4 + 0xf7537e82u, 6);
        d = a + BitOperations.RotateLeft(d + I(a, b, c) + x11 + 0xbd3af235u, 10);
        c = d + BitOperations.RotateLeft(c + I(d, a, b) + x2 + 0x2ad7d2bbu, 15);
        b = c + BitOperations.RotateLeft(b + I(c, d, a) + x9 + 0xeb86d391u, 21);

        state.A += a;
        state.B += b;
        state.C += c;
        state.D += d;
    }
}
