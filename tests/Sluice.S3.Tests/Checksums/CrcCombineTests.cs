using Sluice.S3.Checksums;

namespace Sluice.S3.Tests.Checksums;

/// <summary>combine(crc(a), crc(b), len(b)) == crc(a || b): how a FULL_OBJECT CRC is built from part CRCs.</summary>
public class CrcCombineTests
{
    [Fact]
    public void Random_splits_combine_to_whole()
    {
        var random = new Random(11);
        byte[] data = new byte[100_000];
        random.NextBytes(data);
        for (int trial = 0; trial < 50; trial++)
        {
            int length = random.Next(0, data.Length + 1);
            int split = random.Next(0, length + 1);
            ReadOnlySpan<byte> whole = data.AsSpan(0, length);
            ReadOnlySpan<byte> a = whole[..split];
            ReadOnlySpan<byte> b = whole[split..];

            Assert.Equal(Crc32.HashToUInt32(whole), Crc32.Combine(Crc32.HashToUInt32(a), Crc32.HashToUInt32(b), b.Length));
            Assert.Equal(Crc32C.HashToUInt32(whole), Crc32C.Combine(Crc32C.HashToUInt32(a), Crc32C.HashToUInt32(b), b.Length));
            Assert.Equal(Crc64Nvme.HashToUInt64(whole), Crc64Nvme.Combine(Crc64Nvme.HashToUInt64(a), Crc64Nvme.HashToUInt64(b), b.Length));
        }
    }

    [Fact]
    public void Many_parts_fold_left_to_whole()
    {
        // Uneven part sizes with a short last part, like a multipart upload.
        byte[] data = new byte[50_000];
        new Random(12).NextBytes(data);
        int[] parts = [1, 7, 16, 3, 64, 21, 8192, 4095, 30_000];
        ulong crc64 = 0;
        uint crc32C = 0;
        int offset = 0;
        foreach (int size in parts.Append(data.Length - parts.Sum()))
        {
            ReadOnlySpan<byte> part = data.AsSpan(offset, size);
            crc64 = Crc64Nvme.Combine(crc64, Crc64Nvme.HashToUInt64(part), size);
            crc32C = Crc32C.Combine(crc32C, Crc32C.HashToUInt32(part), size);
            offset += size;
        }

        Assert.Equal(ReferenceCrc.Crc64Nvme(data), crc64);
        Assert.Equal(ReferenceCrc.Crc32C(data), crc32C);
    }

    [Fact]
    public void Empty_parts_are_identities()
    {
        uint crc = Crc32.HashToUInt32("123456789"u8);
        Assert.Equal(crc, Crc32.Combine(crc, 0, 0));
        Assert.Equal(crc, Crc32.Combine(0, crc, 9));
    }

    [Fact]
    public void Huge_lengths_match_repeated_zero_extension()
    {
        // CRC(A || 2^k zeros) two ways: combine with the CRC of the zeros, versus appending them in pieces.
        ulong crcA = Crc64Nvme.HashToUInt64("abc"u8);
        byte[] zeros = new byte[1 << 20];
        var incremental = new Crc64Nvme();
        incremental.Append("abc"u8);
        for (int i = 0; i < 5; i++)
        {
            incremental.Append(zeros);
        }

        var zeroPart = new Crc64Nvme();
        for (int i = 0; i < 5; i++)
        {
            zeroPart.Append(zeros);
        }

        Assert.Equal(incremental.GetCurrentHash(), Crc64Nvme.Combine(crcA, zeroPart.GetCurrentHash(), 5L << 20));

        // Lengths beyond 4 GiB exercise high bits of the square-and-multiply: (A||B)||C == A||(B||C).
        const long LengthB = 5L << 32;
        const long LengthC = (1L << 40) + 3;
        ulong crcB = 0x0123456789ABCDEF;
        ulong crcC = 0xFEDCBA9876543210;
        ulong left = Crc64Nvme.Combine(Crc64Nvme.Combine(crcA, crcB, LengthB), crcC, LengthC);
        ulong right = Crc64Nvme.Combine(crcA, Crc64Nvme.Combine(crcB, crcC, LengthC), LengthB + LengthC);
        Assert.Equal(left, right);
    }

    [Fact]
    public void Negative_length_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Crc32C.Combine(1, 2, -1));
        Assert.False(S3Checksum.TryCombine(ChecksumAlgorithm.Crc32C, 1, 2, -1, out _));
        Assert.False(S3Checksum.TryCombine(ChecksumAlgorithm.Sha256, 1, 2, 1, out _));
        Assert.False(S3Checksum.TryCombine(ChecksumAlgorithm.Crc32, 1UL << 32, 2, 1, out _));
        Assert.True(S3Checksum.TryCombine(ChecksumAlgorithm.Crc32, Crc32.HashToUInt32("1234"u8), Crc32.HashToUInt32("56789"u8), 5, out ulong combined));
        Assert.Equal(0xCBF43926ul, combined);
    }
}
