using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sluice.S3.Checksums;

/// <summary>
/// One engine for every reflected CRC up to 64 bits whose init and xorout are all ones (CRC-32, CRC-32C,
/// CRC-64/NVME). Long inputs are folded with carry-less multiplication over four independent accumulators;
/// short inputs and tails use slicing-by-8 tables (or the SSE4.2 CRC32 instruction for CRC-32C).
/// </summary>
/// <remarks>
/// Conventions. A register is a W-bit value in the reflected domain: bit i is the coefficient of x^(W-1-i).
/// A 16-byte block loaded little-endian is a 128-bit reflected polynomial: bit j is x^(127-j), so the low
/// qword holds the high-degree half. Carry-less multiplying two reflected 64-bit operands yields their
/// product times x in that 128-bit frame, hence fold constants for a distance of D bits are
/// x^(D+63) mod P (low qword, multiplies the high-degree half) and x^(D-1) mod P (high qword).
/// After folding, the single 128-bit remainder is congruent mod P to the data it replaced, so running the
/// table CRC over its 16 bytes with a zero register yields the register for everything folded so far.
/// </remarks>
internal sealed class CrcEngine
{
    /// <summary>
    /// Smallest input folded (two 16-byte blocks: one to start from, one to fold into). Measured on x86-64
    /// (Zen 4): folding 32 bytes plus its 16-byte table finish already beats slicing-by-8 over 32 bytes.
    /// </summary>
    internal const int FoldMinLength = 32;

    /// <summary>
    /// CRC-32C only: below this many bytes the SSE4.2 CRC32 instruction (8 bytes per 3-cycle dependency)
    /// beats the fixed cost of setting up and reducing the folding accumulators (measured crossover
    /// between 192 and 256 bytes).
    /// </summary>
    internal const int Sse42FoldMinLength = 256;

    /// <summary>The 256-bit loop needs this much to run at least one full 128-byte iteration after its
    /// 128-byte warm-up; shorter inputs reduce faster through the 128-bit loop.</summary>
    internal const int Vector256MinLength = 256;

    /// <summary>The 512-bit loop needs this much to run at least one full 256-byte iteration after its
    /// 256-byte warm-up.</summary>
    internal const int Vector512MinLength = 512;

    private const int TableCount = 8;

    /// <summary>CRC-32/ISO-HDLC, the zlib/Ethernet CRC, reflected polynomial 0xEDB88320.</summary>
    public static readonly CrcEngine Crc32 = new(32, 0xEDB88320);

    /// <summary>CRC-32/ISCSI (Castagnoli), reflected polynomial 0x82F63B78.</summary>
    public static readonly CrcEngine Crc32C = new(32, 0x82F63B78);

    /// <summary>CRC-64/NVME, reflected polynomial 0x9A6C9329AC4BC9B5.</summary>
    public static readonly CrcEngine Crc64Nvme = new(64, 0x9A6C9329AC4BC9B5);

    // Slicing tables: entry [k * 256 + b] is the register after byte b followed by k zero bytes.
    private readonly ulong[] _table;

    // x^(8 * 2^k) mod P, for Combine's square-and-multiply over the length in bytes.
    private readonly ulong[] _powersOfTwoBytes;

    private readonly Vector128<ulong> _fold128;
    private readonly Vector128<ulong> _fold512;
    private readonly Vector256<ulong> _fold256x2;
    private readonly Vector256<ulong> _fold1024x2;
    private readonly Vector512<ulong> _fold512x4;
    private readonly Vector512<ulong> _fold2048x4;
    private readonly bool _isCastagnoli;

    private CrcEngine(int width, ulong reflectedPolynomial)
    {
        Width = width;
        ReflectedPolynomial = reflectedPolynomial;
        Mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        _isCastagnoli = width == 32 && reflectedPolynomial == 0x82F63B78;

        _table = new ulong[TableCount * 256];
        for (int b = 0; b < 256; b++)
        {
            ulong r = (ulong)b;
            for (int bit = 0; bit < 8; bit++)
            {
                r = (r & 1) != 0 ? (r >> 1) ^ reflectedPolynomial : r >> 1;
            }

            _table[b] = r;
        }

        for (int k = 1; k < TableCount; k++)
        {
            for (int b = 0; b < 256; b++)
            {
                ulong previous = _table[((k - 1) * 256) + b];
                _table[(k * 256) + b] = (previous >> 8) ^ _table[previous & 0xFF];
            }
        }

        _powersOfTwoBytes = new ulong[64];
        _powersOfTwoBytes[0] = XPowMod(8);
        for (int k = 1; k < _powersOfTwoBytes.Length; k++)
        {
            _powersOfTwoBytes[k] = MultiplyMod(_powersOfTwoBytes[k - 1], _powersOfTwoBytes[k - 1]);
        }

        _fold128 = FoldConstants(128);
        _fold512 = FoldConstants(512);
        Vector128<ulong> fold256 = FoldConstants(256);
        Vector128<ulong> fold1024 = FoldConstants(1024);
        Vector128<ulong> fold2048 = FoldConstants(2048);
        _fold256x2 = Vector256.Create(fold256, fold256);
        _fold1024x2 = Vector256.Create(fold1024, fold1024);
        _fold512x4 = Vector512.Create(Vector256.Create(_fold512, _fold512), Vector256.Create(_fold512, _fold512));
        _fold2048x4 = Vector512.Create(Vector256.Create(fold2048, fold2048), Vector256.Create(fold2048, fold2048));
    }

    /// <summary>CRC width in bits (32 or 64).</summary>
    public int Width { get; }

    /// <summary>The generator polynomial, bit-reflected, without its x^W term.</summary>
    public ulong ReflectedPolynomial { get; }

    /// <summary>All ones over the width: both the initial register and the final XOR.</summary>
    public ulong Mask { get; }

    /// <summary>Whether this machine can fold at all (PCLMULQDQ).</summary>
    public static bool IsFoldingSupported => Pclmulqdq.IsSupported;

    /// <summary>Extends a finished CRC value (as S3 reports it) with more data; 0 is the CRC of no data.</summary>
    public ulong Append(ulong crc, ReadOnlySpan<byte> source) => Update(crc ^ Mask, source, CrcKernel.Auto) ^ Mask;

    /// <summary>Extends a raw register (no init or xorout applied) with <paramref name="source"/>.</summary>
    public ulong Update(ulong register, ReadOnlySpan<byte> source, CrcKernel kernel)
    {
        if (kernel == CrcKernel.Auto)
        {
            kernel = ChooseKernel(source.Length);
        }

        switch (kernel)
        {
            case CrcKernel.Vector128 or CrcKernel.Vector256 or CrcKernel.Vector512
                when Pclmulqdq.IsSupported && source.Length >= FoldMinLength:
                int folded = source.Length & ~15;
                register = Fold(register, source[..folded], kernel);
                source = source[folded..];
                break;
        }

        return kernel == CrcKernel.Table || !_isCastagnoli || !Sse42.IsSupported
            ? UpdateTable(register, source)
            : UpdateSse42((uint)register, source);
    }

    /// <summary>CRC of A followed by B, from CRC(A), CRC(B) and B's length (finished values).</summary>
    /// <remarks>
    /// With register R = CRC ^ mask and init == xorout, CRC(A||B) = CRC(A)·x^(8·|B|) mod P ^ CRC(B): the
    /// init's contribution through B and the xorout's through B cancel.
    /// </remarks>
    public ulong Combine(ulong crcA, ulong crcB, long lengthB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lengthB);
        ulong power = One;
        for (int k = 0; lengthB != 0; k++, lengthB >>= 1)
        {
            if ((lengthB & 1) != 0)
            {
                power = MultiplyMod(power, _powersOfTwoBytes[k]);
            }
        }

        return MultiplyMod(crcA, power) ^ crcB;
    }

    /// <summary>Table-driven update, bit-for-bit the same as the bytewise definition.</summary>
    internal ulong UpdateTable(ulong register, ReadOnlySpan<byte> source)
    {
        ref byte data = ref MemoryMarshal.GetReference(source);
        nuint length = (nuint)source.Length;
        nuint offset = 0;
        for (; length - offset >= 8; offset += 8)
        {
            register = Step8(register ^ ReadUInt64LittleEndian(ref data, offset));
        }

        ref ulong table = ref MemoryMarshal.GetArrayDataReference(_table);
        for (; offset < length; offset++)
        {
            register = Unsafe.Add(ref table, (nint)((register ^ Unsafe.Add(ref data, offset)) & 0xFF)) ^ (register >> 8);
        }

        return register;
    }

    private CrcKernel ChooseKernel(int length)
    {
        if (Pclmulqdq.IsSupported && length >= (_isCastagnoli && Sse42.IsSupported ? Sse42FoldMinLength : FoldMinLength))
        {
            return Pclmulqdq.V512.IsSupported ? CrcKernel.Vector512
                : Pclmulqdq.V256.IsSupported ? CrcKernel.Vector256
                : CrcKernel.Vector128;
        }

        return CrcKernel.Sse42;
    }

    private static ulong UpdateSse42(uint register, ReadOnlySpan<byte> source)
    {
        ref byte data = ref MemoryMarshal.GetReference(source);
        nuint length = (nuint)source.Length;
        nuint offset = 0;
        if (Sse42.X64.IsSupported)
        {
            ulong wide = register;
            for (; length - offset >= 8; offset += 8)
            {
                wide = Sse42.X64.Crc32(wide, ReadUInt64LittleEndian(ref data, offset));
            }

            register = (uint)wide;
        }

        for (; length - offset >= 4; offset += 4)
        {
            register = Sse42.Crc32(register, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref data, offset)));
        }

        for (; offset < length; offset++)
        {
            register = Sse42.Crc32(register, Unsafe.Add(ref data, offset));
        }

        return register;
    }

    /// <summary>Folds a whole number of 16-byte blocks (at least <see cref="FoldMinLength"/> bytes) into a register.</summary>
    private ulong Fold(ulong register, ReadOnlySpan<byte> source, CrcKernel kernel)
    {
        ref byte data = ref MemoryMarshal.GetReference(source);
        nuint length = (nuint)source.Length;

        // Four accumulators of the widest supported vector, each folded four vectors ahead, so four multiply
        // chains overlap the PCLMULQDQ latency.
        Vector128<ulong> r;
        if (kernel == CrcKernel.Vector512 && Pclmulqdq.V512.IsSupported && length >= Vector512MinLength)
        {
            r = FoldFour<Lanes512, Vector512<ulong>>(ref data, length, register, _fold2048x4, _fold512x4, _fold128);
        }
        else if (kernel >= CrcKernel.Vector256 && Pclmulqdq.V256.IsSupported && length >= Vector256MinLength)
        {
            r = FoldFour<Lanes256, Vector256<ulong>>(ref data, length, register, _fold1024x2, _fold256x2, _fold128);
        }
        else if (length >= 64)
        {
            r = FoldFour<Lanes128, Vector128<ulong>>(ref data, length, register, _fold512, _fold128, _fold128);
        }
        else
        {
            r = FoldBlocks(Load128(ref data, 0) ^ Vector128.CreateScalar(register), _fold128, ref data, 16, length);
        }

        // r ≡ (everything folded) mod P in the frame of the last block: its CRC from a zero register is the
        // register after all of it.
        ulong low = r.ToScalar();
        ulong high = r.GetElement(1);
        if (_isCastagnoli && Sse42.X64.IsSupported)
        {
            return Sse42.X64.Crc32(Sse42.X64.Crc32(0, low), high);
        }

        return Step8(Step8(low) ^ high);
    }

    /// <summary>
    /// The folding loop at one vector width: four accumulators take four vectors per iteration, each moved
    /// <paramref name="far"/> ahead (four vectors); then they merge and take one vector at a time with
    /// <paramref name="near"/> (one vector), the lanes reduce to 128 bits, and the last 16-byte blocks follow.
    /// The JIT specialises it per width (struct type arguments), so each copy is the loop written out by hand.
    /// </summary>
    private static Vector128<ulong> FoldFour<TLanes, TVector>(ref byte data, nuint length, ulong register,
        TVector far, TVector near, Vector128<ulong> fold128)
        where TLanes : struct, IFoldLanes<TVector>
        where TVector : struct
    {
        nuint size = (nuint)Unsafe.SizeOf<TVector>();
        TVector a0 = TLanes.XorRegister(TLanes.Load(ref data, 0), register);
        TVector a1 = TLanes.Load(ref data, size);
        TVector a2 = TLanes.Load(ref data, 2 * size);
        TVector a3 = TLanes.Load(ref data, 3 * size);
        nuint offset;
        for (offset = 4 * size; length - offset >= 4 * size; offset += 4 * size)
        {
            a0 = TLanes.Fold(a0, far, TLanes.Load(ref data, offset));
            a1 = TLanes.Fold(a1, far, TLanes.Load(ref data, offset + size));
            a2 = TLanes.Fold(a2, far, TLanes.Load(ref data, offset + (2 * size)));
            a3 = TLanes.Fold(a3, far, TLanes.Load(ref data, offset + (3 * size)));
        }

        a0 = TLanes.Fold(a0, near, a1);
        a0 = TLanes.Fold(a0, near, a2);
        a0 = TLanes.Fold(a0, near, a3);
        for (; length - offset >= size; offset += size)
        {
            a0 = TLanes.Fold(a0, near, TLanes.Load(ref data, offset));
        }

        return FoldBlocks(TLanes.Reduce(a0, fold128), fold128, ref data, offset, length);
    }

    // Folds the remaining 16-byte blocks one at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> FoldBlocks(Vector128<ulong> r, Vector128<ulong> fold128, ref byte data, nuint offset, nuint length)
    {
        for (; length - offset >= 16; offset += 16)
        {
            r = Fold(r, fold128, Load128(ref data, offset));
        }

        return r;
    }

    // Moves acc forward by the distance k was built for, then adds the block found there.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> acc, Vector128<ulong> k, Vector128<ulong> next) =>
        Pclmulqdq.CarrylessMultiply(acc, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(acc, k, 0x11) ^ next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load128(ref byte data, nuint offset) => Vector128.LoadUnsafe(ref data, offset).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadUInt64LittleEndian(ref byte data, nuint offset)
    {
        ulong value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    // Eight bytes at once: x is the register already XORed with the next eight data bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Step8(ulong x)
    {
        ref ulong t = ref MemoryMarshal.GetArrayDataReference(_table);
        return Unsafe.Add(ref t, (nint)((7 * 256) + (x & 0xFF)))
            ^ Unsafe.Add(ref t, (nint)((6 * 256) + ((x >> 8) & 0xFF)))
            ^ Unsafe.Add(ref t, (nint)((5 * 256) + ((x >> 16) & 0xFF)))
            ^ Unsafe.Add(ref t, (nint)((4 * 256) + ((x >> 24) & 0xFF)))
            ^ Unsafe.Add(ref t, (nint)((3 * 256) + ((x >> 32) & 0xFF)))
            ^ Unsafe.Add(ref t, (nint)((2 * 256) + ((x >> 40) & 0xFF)))
            ^ Unsafe.Add(ref t, (nint)(256 + ((x >> 48) & 0xFF)))
            ^ Unsafe.Add(ref t, (nint)(x >> 56));
    }

    /// <summary>The polynomial 1 in the reflected W-bit domain.</summary>
    private ulong One => 1UL << (Width - 1);

    /// <summary>a·b mod P, both reflected W-bit values.</summary>
    internal ulong MultiplyMod(ulong a, ulong b)
    {
        ulong product = 0;
        for (ulong m = One; m != 0 && a != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                a ^= m;
            }

            b = (b & 1) != 0 ? (b >> 1) ^ ReflectedPolynomial : b >> 1;
        }

        return product;
    }

    /// <summary>x^n mod P as a reflected W-bit value.</summary>
    internal ulong XPowMod(int n)
    {
        ulong r = One;
        for (int i = 0; i < n; i++)
        {
            r = (r & 1) != 0 ? (r >> 1) ^ ReflectedPolynomial : r >> 1;
        }

        return r;
    }

    /// <summary>
    /// Constants that move a 128-bit block D bits ahead: low qword x^(D+63) mod P, high qword x^(D-1) mod P,
    /// each placed in the reflected 64-bit frame PCLMULQDQ multiplies (a W-bit value shifted up by 64-W).
    /// </summary>
    internal Vector128<ulong> FoldConstants(int distance) =>
        Vector128.Create(XPowMod(distance + 63) << (64 - Width), XPowMod(distance - 1) << (64 - Width));

    /// <summary>One vector width of <see cref="FoldFour"/>: loads, the carry-less fold, and the reduction of its
    /// 128-bit lanes to one (lowest lane first, as the data lies in memory).</summary>
    private interface IFoldLanes<TVector>
    {
        static abstract TVector Load(ref byte data, nuint offset);

        static abstract TVector XorRegister(TVector block, ulong register);

        static abstract TVector Fold(TVector acc, TVector k, TVector next);

        static abstract Vector128<ulong> Reduce(TVector acc, Vector128<ulong> fold128);
    }

    private readonly struct Lanes128 : IFoldLanes<Vector128<ulong>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<ulong> Load(ref byte data, nuint offset) => Load128(ref data, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<ulong> XorRegister(Vector128<ulong> block, ulong register) => block ^ Vector128.CreateScalar(register);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<ulong> Fold(Vector128<ulong> acc, Vector128<ulong> k, Vector128<ulong> next) => CrcEngine.Fold(acc, k, next);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<ulong> Reduce(Vector128<ulong> acc, Vector128<ulong> fold128) => acc;
    }

    private readonly struct Lanes256 : IFoldLanes<Vector256<ulong>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<ulong> Load(ref byte data, nuint offset) => Vector256.LoadUnsafe(ref data, offset).AsUInt64();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<ulong> XorRegister(Vector256<ulong> block, ulong register) => block ^ Vector256.CreateScalar(register);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<ulong> Fold(Vector256<ulong> acc, Vector256<ulong> k, Vector256<ulong> next) =>
            Pclmulqdq.V256.CarrylessMultiply(acc, k, 0x00) ^ Pclmulqdq.V256.CarrylessMultiply(acc, k, 0x11) ^ next;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<ulong> Reduce(Vector256<ulong> acc, Vector128<ulong> fold128) =>
            CrcEngine.Fold(acc.GetLower(), fold128, acc.GetUpper());
    }

    private readonly struct Lanes512 : IFoldLanes<Vector512<ulong>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<ulong> Load(ref byte data, nuint offset) => Vector512.LoadUnsafe(ref data, offset).AsUInt64();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<ulong> XorRegister(Vector512<ulong> block, ulong register) => block ^ Vector512.CreateScalar(register);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<ulong> Fold(Vector512<ulong> acc, Vector512<ulong> k, Vector512<ulong> next) =>
            Pclmulqdq.V512.CarrylessMultiply(acc, k, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(acc, k, 0x11) ^ next;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<ulong> Reduce(Vector512<ulong> acc, Vector128<ulong> fold128)
        {
            Vector256<ulong> lower = acc.GetLower();
            Vector256<ulong> upper = acc.GetUpper();
            Vector128<ulong> r = CrcEngine.Fold(lower.GetLower(), fold128, lower.GetUpper());
            r = CrcEngine.Fold(r, fold128, upper.GetLower());
            return CrcEngine.Fold(r, fold128, upper.GetUpper());
        }
    }
}
