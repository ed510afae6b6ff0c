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
        nuint offset;
        Vector128<ulong> r;

        if (kernel == CrcKernel.Vector512 && Pclmulqdq.V512.IsSupported && length >= Vector512MinLength)
        {
            // Four 512-bit accumulators: 256 bytes per iteration, each 128-bit lane folded 2048 bits ahead.
            Vector512<ulong> a0 = Load512(ref data, 0) ^ Vector512.CreateScalar(register);
            Vector512<ulong> a1 = Load512(ref data, 64);
            Vector512<ulong> a2 = Load512(ref data, 128);
            Vector512<ulong> a3 = Load512(ref data, 192);
            Vector512<ulong> k = _fold2048x4;
            for (offset = 256; length - offset >= 256; offset += 256)
            {
                a0 = Fold(a0, k, Load512(ref data, offset));
                a1 = Fold(a1, k, Load512(ref data, offset + 64));
                a2 = Fold(a2, k, Load512(ref data, offset + 128));
                a3 = Fold(a3, k, Load512(ref data, offset + 192));
            }

            k = _fold512x4;
            a0 = Fold(a0, k, a1);
            a0 = Fold(a0, k, a2);
            a0 = Fold(a0, k, a3);
            for (; length - offset >= 64; offset += 64)
            {
                a0 = Fold(a0, k, Load512(ref data, offset));
            }

            Vector256<ulong> lower = a0.GetLower();
            Vector256<ulong> upper = a0.GetUpper();
            r = Fold(lower.GetLower(), _fold128, lower.GetUpper());
            r = Fold(r, _fold128, upper.GetLower());
            r = Fold(r, _fold128, upper.GetUpper());
        }
        else if (kernel >= CrcKernel.Vector256 && Pclmulqdq.V256.IsSupported && length >= Vector256MinLength)
        {
            // Four 256-bit accumulators: 128 bytes per iteration, each lane folded 1024 bits ahead.
            Vector256<ulong> a0 = Load256(ref data, 0) ^ Vector256.CreateScalar(register);
            Vector256<ulong> a1 = Load256(ref data, 32);
            Vector256<ulong> a2 = Load256(ref data, 64);
            Vector256<ulong> a3 = Load256(ref data, 96);
            Vector256<ulong> k = _fold1024x2;
            for (offset = 128; length - offset >= 128; offset += 128)
            {
                a0 = Fold(a0, k, Load256(ref data, offset));
                a1 = Fold(a1, k, Load256(ref data, offset + 32));
                a2 = Fold(a2, k, Load256(ref data, offset + 64));
                a3 = Fold(a3, k, Load256(ref data, offset + 96));
            }

            k = _fold256x2;
            a0 = Fold(a0, k, a1);
            a0 = Fold(a0, k, a2);
            a0 = Fold(a0, k, a3);
            for (; length - offset >= 32; offset += 32)
            {
                a0 = Fold(a0, k, Load256(ref data, offset));
            }

            r = Fold(a0.GetLower(), _fold128, a0.GetUpper());
        }
        else if (length >= 64)
        {
            // Four 128-bit accumulators: 64 bytes per iteration, each folded 512 bits ahead, so four
            // multiply chains overlap the PCLMULQDQ latency.
            Vector128<ulong> a0 = Load128(ref data, 0) ^ Vector128.CreateScalar(register);
            Vector128<ulong> a1 = Load128(ref data, 16);
            Vector128<ulong> a2 = Load128(ref data, 32);
            Vector128<ulong> a3 = Load128(ref data, 48);
            Vector128<ulong> k = _fold512;
            for (offset = 64; length - offset >= 64; offset += 64)
            {
                a0 = Fold(a0, k, Load128(ref data, offset));
                a1 = Fold(a1, k, Load128(ref data, offset + 16));
                a2 = Fold(a2, k, Load128(ref data, offset + 32));
                a3 = Fold(a3, k, Load128(ref data, offset + 48));
            }

            r = Fold(a0, _fold128, a1);
            r = Fold(r, _fold128, a2);
            r = Fold(r, _fold128, a3);
        }
        else
        {
            r = Load128(ref data, 0) ^ Vector128.CreateScalar(register);
            offset = 16;
        }

        for (; length - offset >= 16; offset += 16)
        {
            r = Fold(r, _fold128, Load128(ref data, offset));
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

    // Moves acc forward by the distance k was built for, then adds the block found there.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> acc, Vector128<ulong> k, Vector128<ulong> next) =>
        Pclmulqdq.CarrylessMultiply(acc, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(acc, k, 0x11) ^ next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Fold(Vector256<ulong> acc, Vector256<ulong> k, Vector256<ulong> next) =>
        Pclmulqdq.V256.CarrylessMultiply(acc, k, 0x00) ^ Pclmulqdq.V256.CarrylessMultiply(acc, k, 0x11) ^ next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Fold(Vector512<ulong> acc, Vector512<ulong> k, Vector512<ulong> next) =>
        Pclmulqdq.V512.CarrylessMultiply(acc, k, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(acc, k, 0x11) ^ next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load128(ref byte data, nuint offset) => Vector128.LoadUnsafe(ref data, offset).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Load256(ref byte data, nuint offset) => Vector256.LoadUnsafe(ref data, offset).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Load512(ref byte data, nuint offset) => Vector512.LoadUnsafe(ref data, offset).AsUInt64();

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
}
