using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sluice.S3.Checksums;

/// <summary>
/// Multi-buffer MD5: eight independent MD5 computations at once, one in each 32-bit lane of a 256-bit vector. One
/// MD5 is a serial chain (each step needs the previous one's result), so a core runs it at the latency of that
/// chain with most of its execution units idle; eight unrelated chains side by side fill them, and a pass over one
/// block per lane costs little more than one scalar block. Each lane reads its own stream's next block: per block
/// the kernel loads eight 64-byte blocks and transposes them so vector i holds message word i of every lane. Needs
/// AVX2 (with AVX-512VL the rotates and the round functions become single instructions); without it each lane runs
/// through <see cref="Md5Block"/> in turn, with the same results.
/// </summary>
internal static unsafe class Md5x8
{
    /// <summary>Streams per pass.</summary>
    public const int Lanes = 8;

    /// <summary>What an idle lane reads: one block of zeros, reread for every block of the pass.</summary>
    private static readonly byte* ZeroBlock = (byte*)NativeMemory.AllocZeroed(Md5Block.Size);

    /// <summary>Whether passes run in vectors (false: lane by lane through the scalar function).</summary>
    public static bool IsVectorized => Avx2.IsSupported;

    /// <summary>Lane <paramref name="lane"/>'s state.</summary>
    public static Md5State GetLane(in Md5x8State states, int lane) => new()
    {
        A = states[lane], B = states[Lanes + lane], C = states[2 * Lanes + lane], D = states[3 * Lanes + lane],
    };

    /// <summary>Puts <paramref name="state"/> into lane <paramref name="lane"/>.</summary>
    public static void SetLane(ref Md5x8State states, int lane, in Md5State state)
    {
        states[lane] = state.A;
        states[Lanes + lane] = state.B;
        states[2 * Lanes + lane] = state.C;
        states[3 * Lanes + lane] = state.D;
    }

    /// <summary>
    /// Runs <paramref name="blocks"/> consecutive blocks of every active lane (non-zero pointer; each must have that
    /// many readable blocks) into its state. Idle lanes' states change too (they hash zeros): callers do not keep them.
    /// </summary>
    public static void Compress(ref Md5x8State states, in Md5LanePointers lanes, int blocks) =>
        Compress(ref states, lanes, blocks, vectorized: IsVectorized);

    /// <summary>As <see cref="Compress(ref Md5x8State, in Md5LanePointers, int)"/>; tests force the scalar path.</summary>
    internal static void Compress(ref Md5x8State states, in Md5LanePointers lanes, int blocks, bool vectorized)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blocks);
        if (blocks == 0) return;
        if (vectorized && Avx2.IsSupported)
        {
            CompressVector(ref states, lanes, blocks);
            return;
        }
        for (int lane = 0; lane < Lanes; lane++)
        {
            if (lanes[lane] == 0) continue;
            var state = GetLane(states, lane);
            Md5Block.Compress(ref state, new ReadOnlySpan<byte>((byte*)lanes[lane], blocks * Md5Block.Size));
            SetLane(ref states, lane, state);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotl(Vector256<uint> x, [ConstantExpected] byte count) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(x, count)
            : Vector256.ShiftLeft(x, count) | Vector256.ShiftRightLogical(x, 32 - count);

    // The round functions; the ternary-logic immediates are their truth tables over (x, y, z) = (0xF0, 0xCC, 0xAA).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> F(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(x, y, z, 0xCA) : z ^ (x & (y ^ z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> G(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(x, y, z, 0xE4) : y ^ (z & (x ^ y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> H(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(x, y, z, 0x96) : x ^ y ^ z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> I(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(x, y, z, 0x39) : y ^ (x | ~z);

    /// <summary>
    /// Transposes eight rows of eight words (row j: words 8k..8k+7 of lane j's block) into eight vectors, vector i
    /// holding word 8k+i of every lane: 32-bit interleaves, then 64-bit interleaves, then 128-bit halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        Vector256<uint> r0, Vector256<uint> r1, Vector256<uint> r2, Vector256<uint> r3,
        Vector256<uint> r4, Vector256<uint> r5, Vector256<uint> r6, Vector256<uint> r7,
        out Vector256<uint> w0, out Vector256<uint> w1, out Vector256<uint> w2, out Vector256<uint> w3,
        out Vector256<uint> w4, out Vector256<uint> w5, out Vector256<uint> w6, out Vector256<uint> w7)
    {
        var t0 = Avx2.UnpackLow(r0, r1).AsUInt64();
        var t1 = Avx2.UnpackHigh(r0, r1).AsUInt64();
        var t2 = Avx2.UnpackLow(r2, r3).AsUInt64();
        var t3 = Avx2.UnpackHigh(r2, r3).AsUInt64();
        var t4 = Avx2.UnpackLow(r4, r5).AsUInt64();
        var t5 = Avx2.UnpackHigh(r4, r5).AsUInt64();
        var t6 = Avx2.UnpackLow(r6, r7).AsUInt64();
        var t7 = Avx2.UnpackHigh(r6, r7).AsUInt64();
        var u0 = Avx2.UnpackLow(t0, t2).AsUInt32();  // words 0 | 4 of lanes 0-3
        var u1 = Avx2.UnpackHigh(t0, t2).AsUInt32(); // words 1 | 5
        var u2 = Avx2.UnpackLow(t1, t3).AsUInt32();  // words 2 | 6
        var u3 = Avx2.UnpackHigh(t1, t3).AsUInt32(); // words 3 | 7
        var u4 = Avx2.UnpackLow(t4, t6).AsUInt32();  // the same for lanes 4-7
        var u5 = Avx2.UnpackHigh(t4, t6).AsUInt32();
        var u6 = Avx2.UnpackLow(t5, t7).AsUInt32();
        var u7 = Avx2.UnpackHigh(t5, t7).AsUInt32();
        w0 = Avx2.Permute2x128(u0, u4, 0x20);
        w1 = Avx2.Permute2x128(u1, u5, 0x20);
        w2 = Avx2.Permute2x128(u2, u6, 0x20);
        w3 = Avx2.Permute2x128(u3, u7, 0x20);
        w4 = Avx2.Permute2x128(u0, u4, 0x31);
        w5 = Avx2.Permute2x128(u1, u5, 0x31);
        w6 = Avx2.Permute2x128(u2, u6, 0x31);
        w7 = Avx2.Permute2x128(u3, u7, 0x31);
    }

    // The 64 steps unrolled (RFC 1321 §3.4), each on all eight lanes; message words are little-endian as loaded.
    private static void CompressVector(ref Md5x8State states, in Md5LanePointers lanes, int blocks)
    {
        nint stride = Md5Block.Size;
        byte* p0 = lanes[0] != 0 ? (byte*)lanes[0] : ZeroBlock, p1 = lanes[1] != 0 ? (byte*)lanes[1] : ZeroBlock;
        byte* p2 = lanes[2] != 0 ? (byte*)lanes[2] : ZeroBlock, p3 = lanes[3] != 0 ? (byte*)lanes[3] : ZeroBlock;
        byte* p4 = lanes[4] != 0 ? (byte*)lanes[4] : ZeroBlock, p5 = lanes[5] != 0 ? (byte*)lanes[5] : ZeroBlock;
        byte* p6 = lanes[6] != 0 ? (byte*)lanes[6] : ZeroBlock, p7 = lanes[7] != 0 ? (byte*)lanes[7] : ZeroBlock;
        nint s0 = lanes[0] != 0 ? stride : 0, s1 = lanes[1] != 0 ? stride : 0, s2 = lanes[2] != 0 ? stride : 0;
        nint s3 = lanes[3] != 0 ? stride : 0, s4 = lanes[4] != 0 ? stride : 0, s5 = lanes[5] != 0 ? stride : 0;
        nint s6 = lanes[6] != 0 ? stride : 0, s7 = lanes[7] != 0 ? stride : 0;

        ref uint words = ref states[0];
        var a = Vector256.LoadUnsafe(ref words);
        var b = Vector256.LoadUnsafe(ref words, 8);
        var c = Vector256.LoadUnsafe(ref words, 16);
        var d = Vector256.LoadUnsafe(ref words, 24);
        for (int block = 0; block < blocks; block++)
        {
            Transpose(
                Vector256.Load((uint*)p0), Vector256.Load((uint*)p1), Vector256.Load((uint*)p2), Vector256.Load((uint*)p3),
                Vector256.Load((uint*)p4), Vector256.Load((uint*)p5), Vector256.Load((uint*)p6), Vector256.Load((uint*)p7),
                out var m0, out var m1, out var m2, out var m3, out var m4, out var m5, out var m6, out var m7);
            Transpose(
                Vector256.Load((uint*)(p0 + 32)), Vector256.Load((uint*)(p1 + 32)), Vector256.Load((uint*)(p2 + 32)),
                Vector256.Load((uint*)(p3 + 32)), Vector256.Load((uint*)(p4 + 32)), Vector256.Load((uint*)(p5 + 32)),
                Vector256.Load((uint*)(p6 + 32)), Vector256.Load((uint*)(p7 + 32)),
                out var m8, out var m9, out var m10, out var m11, out var m12, out var m13, out var m14, out var m15);
            p0 += s0; p1 += s1; p2 += s2; p3 += s3; p4 += s4; p5 += s5; p6 += s6; p7 += s7;
            Vector256<uint> aa = a, bb = b, cc = c, dd = d;

            a = b + Rotl(a + F(b, c, d) + m0 + Vector256.Create(0xd76aa478u), 7);
            d = a + Rotl(d + F(a, b, c) + m1 + Vector256.Create(0xe8c7b756u), 12);
            c = d + Rotl(c + F(d, a, b) + m2 + Vector256.Create(0x242070dbu), 17);
            b = c + Rotl(b + F(c, d, a) + m3 + Vector256.Create(0xc1bdceeeu), 22);
            a = b + Rotl(a + F(b, c, d) + m4 + Vector256.Create(0xf57c0fafu), 7);
            d = a + Rotl(d + F(a, b, c) + m5 + Vector256.Create(0x4787c62au), 12);
            c = d + Rotl(c + F(d, a, b) + m6 + Vector256.Create(0xa8304613u), 17);
            b = c + Rotl(b + F(c, d, a) + m7 + Vector256.Create(0xfd469501u), 22);
            a = b + Rotl(a + F(b, c, d) + m8 + Vector256.Create(0x698098d8u), 7);
            d = a + Rotl(d + F(a, b, c) + m9 + Vector256.Create(0x8b44f7afu), 12);
            c = d + Rotl(c + F(d, a, b) + m10 + Vector256.Create(0xffff5bb1u), 17);
            b = c + Rotl(b + F(c, d, a) + m11 + Vector256.Create(0x895cd7beu), 22);
            a = b + Rotl(a + F(b, c, d) + m12 + Vector256.Create(0x6b901122u), 7);
            d = a + Rotl(d + F(a, b, c) + m13 + Vector256.Create(0xfd987193u), 12);
            c = d + Rotl(c + F(d, a, b) + m14 + Vector256.Create(0xa679438eu), 17);
            b = c + Rotl(b + F(c, d, a) + m15 + Vector256.Create(0x49b40821u), 22);
            a = b + Rotl(a + G(b, c, d) + m1 + Vector256.Create(0xf61e2562u), 5);
            d = a + Rotl(d + G(a, b, c) + m6 + Vector256.Create(0xc040b340u), 9);
            c = d + Rotl(c + G(d, a, b) + m11 + Vector256.Create(0x265e5a51u), 14);
            b = c + Rotl(b + G(c, d, a) + m0 + Vector256.Create(0xe9b6c7aau), 20);
            a = b + Rotl(a + G(b, c, d) + m5 + Vector256.Create(0xd62f105du), 5);
            d = a + Rotl(d + G(a, b, c) + m10 + Vector256.Create(0x02441453u), 9);
            c = d + Rotl(c + G(d, a, b) + m15 + Vector256.Create(0xd8a1e681u), 14);
            b = c + Rotl(b + G(c, d, a) + m4 + Vector256.Create(0xe7d3fbc8u), 20);
            a = b + Rotl(a + G(b, c, d) + m9 + Vector256.Create(0x21e1cde6u), 5);
            d = a + Rotl(d + G(a, b, c) + m14 + Vector256.Create(0xc33707d6u), 9);
            c = d + Rotl(c + G(d, a, b) + m3 + Vector256.Create(0xf4d50d87u), 14);
            b = c + Rotl(b + G(c, d, a) + m8 + Vector256.Create(0x455a14edu), 20);
            a = b + Rotl(a + G(b, c, d) + m13 + Vector256.Create(0xa9e3e905u), 5);
            d = a + Rotl(d + G(a, b, c) + m2 + Vector256.Create(0xfcefa3f8u), 9);
            c = d + Rotl(c + G(d, a, b) + m7 + Vector256.Create(0x676f02d9u), 14);
            b = c + Rotl(b + G(c, d, a) + m12 + Vector256.Create(0x8d2a4c8au), 20);
            a = b + Rotl(a + H(b, c, d) + m5 + Vector256.Create(0xfffa3942u), 4);
            d = a + Rotl(d + H(a, b, c) + m8 + Vector256.Create(0x8771f681u), 11);
            c = d + Rotl(c + H(d, a, b) + m11 + Vector256.Create(0x6d9d6122u), 16);
            b = c + Rotl(b + H(c, d, a) + m14 + Vector256.Create(0xfde5380cu), 23);
            a = b + Rotl(a + H(b, c, d) + m1 + Vector256.Create(0xa4beea44u), 4);
            d = a + Rotl(d + H(a, b, c) + m4 + Vector256.Create(0x4bdecfa9u), 11);
            c = d + Rotl(c + H(d, a, b) + m7 + Vector256.Create(0xf6bb4b60u), 16);
            b = c + Rotl(b + H(c, d, a) + m10 + Vector256.Create(0xbebfbc70u), 23);
            a = b + Rotl(a + H(b, c, d) + m13 + Vector256.Create(0x289b7ec6u), 4);
            d = a + Rotl(d + H(a, b, c) + m0 + Vector256.Create(0xeaa127fau), 11);
            c = d + Rotl(c + H(d, a, b) + m3 + Vector256.Create(0xd4ef3085u), 16);
            b = c + Rotl(b + H(c, d, a) + m6 + Vector256.Create(0x04881d05u), 23);
            a = b + Rotl(a + H(b, c, d) + m9 + Vector256.Create(0xd9d4d039u), 4);
            d = a + Rotl(d + H(a, b, c) + m12 + Vector256.Create(0xe6db99e5u), 11);
            c = d + Rotl(c + H(d, a, b) + m15 + Vector256.Create(0x1fa27cf8u), 16);
            b = c + Rotl(b + H(c, d, a) + m2 + Vector256.Create(0xc4ac5665u), 23);
            a = b + Rotl(a + I(b, c, d) + m0 + Vector256.Create(0xf4292244u), 6);
            d = a + Rotl(d + I(a, b, c) + m7 + Vector256.Create(0x432aff97u), 10);
            c = d + Rotl(c + I(d, a, b) + m14 + Vector256.Create(0xab9423a7u), 15);
            b = c + Rotl(b + I(c, d, a) + m5 + Vector256.Create(0xfc93a039u), 21);
            a = b + Rotl(a + I(b, c, d) + m12 + Vector256.Create(0x655b59c3u), 6);
            d = a + Rotl(d + I(a, b, c) + m3 + Vector256.Create(0x8f0ccc92u), 10);
            c = d + Rotl(c + I(d, a, b) + m10 + Vector256.Create(0xffeff47du), 15);
            b = c + Rotl(b + I(c, d, a) + m1 + Vector256.Create(0x85845dd1u), 21);
            a = b + Rotl(a + I(b, c, d) + m8 + Vector256.Create(0x6fa87e4fu), 6);
            d = a + Rotl(d + I(a, b, c) + m15 + Vector256.Create(0xfe2ce6e0u), 10);
            c = d + Rotl(c + I(d, a, b) + m6 + Vector256.Create(0xa3014314u), 15);
            b = c + Rotl(b + I(c, d, a) + m13 + Vector256.Create(0x4e0811a1u), 21);
            a = b + Rotl(a + I(b, c, d) + m4 + Vector256.Create(0xf7537e82u), 6);
            d = a + Rotl(d + I(a, b, c) + m11 + Vector256.Create(0xbd3af235u), 10);
            c = d + Rotl(c + I(d, a, b) + m2 + Vector256.Create(0x2ad7d2bbu), 15);
            b = c + Rotl(b + I(c, d, a) + m9 + Vector256.Create(0xeb86d391u), 21);

            a += aa;
            b += bb;
            c += cc;
            d += dd;
        }
        a.StoreUnsafe(ref words);
        b.StoreUnsafe(ref words, 8);
        c.StoreUnsafe(ref words, 16);
        d.StoreUnsafe(ref words, 24);
    }
}
