using System.Text;
using Sluice.S3.Checksums;

namespace Sluice.S3.Tests.Checksums;

/// <summary>Published check values, run through the public one-shot and incremental APIs.</summary>
public class CrcKnownValueTests
{
    // NIST SHA test messages as reused by aws-c-s3 tests/s3_checksums_crc32_tests.c and _crc32c_tests.c.
    private const string Abc56 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    private const string Abc112 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    // "check" values from the Catalogue of parametrised CRC algorithms (reveng.sourceforge.io/crc-catalogue):
    // CRC-32/ISO-HDLC, CRC-32/ISCSI, CRC-64/NVME over "123456789"; CRC-64/NVME also in awslabs/aws-checksums
    // tests (KNOWN_CRC64NVME_TEST_VECTOR).
    [Fact]
    public void Check_values_of_123456789()
    {
        byte[] data = Ascii("123456789");
        Assert.Equal(0xCBF43926u, Crc32.HashToUInt32(data));
        Assert.Equal(0xE3069283u, Crc32C.HashToUInt32(data));
        Assert.Equal(0xAE8B14860A799888ul, Crc64Nvme.HashToUInt64(data));
    }

    [Fact]
    public void Empty_input_is_zero()
    {
        Assert.Equal(0u, Crc32.HashToUInt32([]));
        Assert.Equal(0u, Crc32C.HashToUInt32([]));
        Assert.Equal(0ul, Crc64Nvme.HashToUInt64([]));
        Assert.Equal(0u, default(Crc32C).GetCurrentHash());
    }

    // aws-c-s3 tests/s3_checksums_crc32_tests.c (expected bytes are the big-endian digest).
    [Theory]
    [InlineData("abc", 0x352441C2u)]
    [InlineData(Abc56, 0x171A3F5Fu)]
    [InlineData(Abc112, 0x191F3349u)]
    public void Crc32_aws_c_s3_vectors(string input, uint expected) => Assert.Equal(expected, Crc32.HashToUInt32(Ascii(input)));

    // aws-c-s3 tests/s3_checksums_crc32c_tests.c.
    [Theory]
    [InlineData("abc", 0x364B3FB7u)]
    [InlineData(Abc56, 0x071325F5u)]
    [InlineData(Abc112, 0x3F60A4B9u)]
    public void Crc32C_aws_c_s3_vectors(string input, uint expected) => Assert.Equal(expected, Crc32C.HashToUInt32(Ascii(input)));

    // aws-c-s3 nist_test_case_5: one million 'a', appended one byte at a time there; here in uneven chunks.
    [Fact]
    public void Million_a()
    {
        byte[] data = new byte[1_000_000];
        data.AsSpan().Fill((byte)'a');
        Assert.Equal(0xDC25BFBCu, Crc32.HashToUInt32(data));
        Assert.Equal(0x436FE240u, Crc32C.HashToUInt32(data));

        var crc32 = new Crc32();
        var crc32C = new Crc32C();
        for (int offset = 0, step = 1; offset < data.Length; offset += step, step = (step * 7 % 1000) + 1)
        {
            ReadOnlySpan<byte> chunk = data.AsSpan(offset, Math.Min(step, data.Length - offset));
            crc32.Append(chunk);
            crc32C.Append(chunk);
        }

        Assert.Equal(0xDC25BFBCu, crc32.GetCurrentHash());
        Assert.Equal(0x436FE240u, crc32C.GetCurrentHash());
    }

    // RFC 3720 (iSCSI) appendix B.4 CRC examples.
    [Fact]
    public void Crc32C_rfc3720_vectors()
    {
        byte[] zeros = new byte[32];
        byte[] ones = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        byte[] incrementing = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] decrementing = Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray();
        Assert.Equal(0x8A9136AAu, Crc32C.HashToUInt32(zeros));
        Assert.Equal(0x62A8AB43u, Crc32C.HashToUInt32(ones));
        Assert.Equal(0x46DD794Eu, Crc32C.HashToUInt32(incrementing));
        Assert.Equal(0x113FDB5Cu, Crc32C.HashToUInt32(decrementing));
    }

    // awslabs/aws-checksums tests (KNOWN_CRC64NVME_32_ZEROES / _32_VALUES) and aws-c-s3
    // tests/s3_checksums_crc64nvme_tests.c ("aaaaaaaaaa"), and crc64fast-nvme's README ("hello world!").
    [Fact]
    public void Crc64Nvme_aws_vectors()
    {
        Assert.Equal(0xCF3473434D4ECF3Bul, Crc64Nvme.HashToUInt64(new byte[32]));
        Assert.Equal(0xB9D9D4A8492CBD7Ful, Crc64Nvme.HashToUInt64(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x0C1A80036D65C555ul, Crc64Nvme.HashToUInt64(Ascii("aaaaaaaaaa")));
        Assert.Equal(0xD9160D1FA8E418E3ul, Crc64Nvme.HashToUInt64(Ascii("hello world!")));
    }

    // SPDK test/unit/lib/util/crc64.c/crc64_ut.c: 4096-byte buffers (long enough for every folding kernel).
    [Fact]
    public void Crc64Nvme_spdk_4096_byte_vectors()
    {
        byte[] buffer = new byte[4096];
        Assert.Equal(0x6482D367EB22B64Eul, Crc64Nvme.HashToUInt64(buffer));
        buffer.AsSpan().Fill(0xFF);
        Assert.Equal(0xC0DDBA7302ECA3ACul, Crc64Nvme.HashToUInt64(buffer));
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)i;
        }

        Assert.Equal(0x3E729F5F6750449Cul, Crc64Nvme.HashToUInt64(buffer));
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(0xFF - i);
        }

        Assert.Equal(0x9A2DF64B8E9E517Eul, Crc64Nvme.HashToUInt64(buffer));
    }

    [Fact]
    public void Big_endian_bytes_are_what_S3_encodes()
    {
        // Same big-endian bytes aws-c-s3 expects for "abc" (CRC32 35 24 41 c2) and "aaaaaaaaaa" (CRC64NVME).
        var crc32 = new Crc32();
        crc32.Append("abc"u8);
        byte[] out4 = new byte[4];
        Assert.Equal(4, crc32.GetCurrentHash(out4));
        Assert.Equal(new byte[] { 0x35, 0x24, 0x41, 0xC2 }, out4);

        var crc64 = new Crc64Nvme();
        crc64.Append("aaaaaaaaaa"u8);
        byte[] out8 = new byte[8];
        Assert.Equal(8, crc64.GetCurrentHash(out8));
        Assert.Equal(new byte[] { 0x0C, 0x1A, 0x80, 0x03, 0x6D, 0x65, 0xC5, 0x55 }, out8);

        crc64.Reset();
        Assert.Equal(0ul, crc64.GetCurrentHash());
    }

    [Fact]
    public void Short_destination_throws()
    {
        var crc = new Crc64Nvme();
        Assert.Throws<ArgumentOutOfRangeException>(() => crc.GetCurrentHash(new byte[7]));
    }

    [Fact]
    public void Reference_matches_published_check_values()
    {
        // Guards the reference the path tests compare against.
        byte[] data = Ascii("123456789");
        Assert.Equal(0xCBF43926u, ReferenceCrc.Crc32(data));
        Assert.Equal(0xE3069283u, ReferenceCrc.Crc32C(data));
        Assert.Equal(0xAE8B14860A799888ul, ReferenceCrc.Crc64Nvme(data));
    }
}
