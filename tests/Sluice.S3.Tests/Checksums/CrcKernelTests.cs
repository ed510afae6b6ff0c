using System.Runtime.Intrinsics;
using Sluice.S3.Checksums;

namespace Sluice.S3.Tests.Checksums;

/// <summary>Every kernel (tables, SSE4.2, 128/256/512-bit folding) against the bitwise reference.</summary>
public class CrcKernelTests
{
    public static TheoryData<string> Engines => ["Crc32", "Crc32C", "Crc64Nvme"];

    private static readonly CrcKernel[] Kernels =
        [CrcKernel.Auto, CrcKernel.Table, CrcKernel.Sse42, CrcKernel.Vector128, CrcKernel.Vector256, CrcKernel.Vector512];

    private static CrcEngine Engine(string name) => name switch
    {
        "Crc32" => CrcEngine.Crc32,
        "Crc32C" => CrcEngine.Crc32C,
        _ => CrcEngine.Crc64Nvme,
    };

    private static ulong Hash(CrcEngine engine, ReadOnlySpan<byte> data, CrcKernel kernel) =>
        engine.Update(engine.Mask, data, kernel) ^ engine.Mask;

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Every_length_up_to_1024_matches_reference_on_every_kernel(string name)
    {
        CrcEngine engine = Engine(name);
        byte[] data = RandomBytes(1024 + 7, 1);
        for (int length = 0; length <= 1024; length++)
        {
            // Start at an odd offset so vector loads are unaligned.
            ReadOnlySpan<byte> span = data.AsSpan(7 - (length % 8), length);
            ulong expected = ReferenceCrc.Compute(engine.Width, engine.ReflectedPolynomial, span);
            foreach (CrcKernel kernel in Kernels)
            {
                ulong actual = Hash(engine, span, kernel);
                Assert.True(expected == actual, $"{name} length {length} kernel {kernel}: expected {expected:X} got {actual:X}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Large_unaligned_buffers_match_reference_on_every_kernel(string name)
    {
        CrcEngine engine = Engine(name);
        byte[] data = RandomBytes((1 << 20) + 300, 2);
        foreach ((int offset, int length) in new[] { (0, 1 << 20), (1, (1 << 20) + 255), (13, (1 << 20) + 17), (63, 300_001) })
        {
            ReadOnlySpan<byte> span = data.AsSpan(offset, length);
            ulong expected = ReferenceCrc.Compute(engine.Width, engine.ReflectedPolynomial, span);
            foreach (CrcKernel kernel in Kernels)
            {
                Assert.Equal(expected, Hash(engine, span, kernel));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Incremental_appends_at_random_splits_equal_one_shot(string name)
    {
        CrcEngine engine = Engine(name);
        var random = new Random(3);
        byte[] data = RandomBytes(200_000, 4);
        ulong expected = engine.Append(0, data);
        Assert.Equal(ReferenceCrc.Compute(engine.Width, engine.ReflectedPolynomial, data), expected);
        for (int trial = 0; trial < 20; trial++)
        {
            ulong crc = 0;
            int offset = 0;
            while (offset < data.Length)
            {
                // Mix tiny, medium and large chunks so both sides of every threshold are crossed.
                int max = trial % 3 == 0 ? 17 : trial % 3 == 1 ? 700 : 70_000;
                int step = Math.Min(random.Next(0, max), data.Length - offset);
                crc = engine.Append(crc, data.AsSpan(offset, step));
                offset += step;
            }

            Assert.Equal(expected, crc);
        }
    }

    [Fact]
    public void Public_structs_agree_with_engine_for_split_appends()
    {
        byte[] data = RandomBytes(10_000, 5);
        var crc32 = new Crc32();
        var crc32C = new Crc32C();
        var crc64 = new Crc64Nvme();
        foreach (int split in new[] { 0, 1, 63, 64, 65, 127, 128, 1000, 4096, 9999 })
        {
            crc32.Reset();
            crc32C.Reset();
            crc64.Reset();
            foreach (ReadOnlyMemory<byte> part in new ReadOnlyMemory<byte>[] { data.AsMemory(0, split), data.AsMemory(split) })
            {
                crc32.Append(part.Span);
                crc32C.Append(part.Span);
                crc64.Append(part.Span);
            }

            Assert.Equal(ReferenceCrc.Crc32(data), crc32.GetCurrentHash());
            Assert.Equal(ReferenceCrc.Crc32C(data), crc32C.GetCurrentHash());
            Assert.Equal(ReferenceCrc.Crc64Nvme(data), crc64.GetCurrentHash());
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Fold_constant_arithmetic_is_consistent(string name)
    {
        CrcEngine engine = Engine(name);

        // x^W mod P is P without its leading term: the (reflected) polynomial itself.
        Assert.Equal(engine.ReflectedPolynomial, engine.XPowMod(engine.Width));

        // x^(a+b) = x^a · x^b, and x^0 is the identity.
        Assert.Equal(engine.XPowMod(2048 + 63), engine.MultiplyMod(engine.XPowMod(2048), engine.XPowMod(63)));
        Assert.Equal(engine.XPowMod(1000), engine.MultiplyMod(engine.XPowMod(0), engine.XPowMod(1000)));

        // Fold constants: low = x^(D+63), high = x^(D-1), shifted into the 64-bit reflected frame.
        Vector128<ulong> k = engine.FoldConstants(128);
        Assert.Equal(engine.XPowMod(191) << (64 - engine.Width), k.GetElement(0));
        Assert.Equal(engine.XPowMod(127) << (64 - engine.Width), k.GetElement(1));
    }
}
