using System.Text;
using Sluice.S3.Checksums;

namespace Sluice.S3.Tests.Checksums;

/// <summary>The run-time-dispatched calculator: digests, base64 header values, constant-time matching.</summary>
public class S3ChecksumTests
{
    // Base64 of published big-endian digests of "abc": CRC32 35 24 41 c2 and CRC32C 36 4b 3f b7
    // (aws-c-s3 tests), SHA-1 a9993e36... and SHA-256 ba7816bf... (FIPS 180); CRC64NVME of "aaaaaaaaaa"
    // 0c 1a 80 03 6d 65 c5 55 (aws-c-s3 tests/s3_checksums_crc64nvme_tests.c). S3's newer algorithms: MD5 and SHA-512
    // of "abc" (RFC 1321, FIPS 180) and xxHash's published seed-0 values in canonical big-endian form: XXH64 of "" and
    // "abc" ef46db3751d8e999 / 44bc2cf5ad770999, XXH3-64 2d06800538d394c2 / 78af5f94892f3950, XXH3-128
    // 99aa06d3014798d86001c324468d497f / 06b05ab6733a618578af5f94892f3950.
    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "abc", "NSRBwg==")]
    [InlineData(ChecksumAlgorithm.Crc32C, "abc", "Nks/tw==")]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "aaaaaaaaaa", "DBqAA21lxVU=")]
    [InlineData(ChecksumAlgorithm.Sha1, "abc", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=")]
    [InlineData(ChecksumAlgorithm.Sha256, "abc", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")]
    [InlineData(ChecksumAlgorithm.Crc32, "", "AAAAAA==")]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "", "AAAAAAAAAAA=")]
    [InlineData(ChecksumAlgorithm.Md5, "abc", "kAFQmDzST7DWlj99KOF/cg==")]
    [InlineData(ChecksumAlgorithm.Sha512, "abc", "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==")]
    [InlineData(ChecksumAlgorithm.XxHash64, "", "70bbN1HY6Zk=")]
    [InlineData(ChecksumAlgorithm.XxHash64, "abc", "RLws9a13CZk=")]
    [InlineData(ChecksumAlgorithm.XxHash3, "", "LQaABTjTlMI=")]
    [InlineData(ChecksumAlgorithm.XxHash3, "abc", "eK9flIkvOVA=")]
    [InlineData(ChecksumAlgorithm.XxHash128, "", "maoG0wFHmNhgAcMkRo1Jfw==")]
    [InlineData(ChecksumAlgorithm.XxHash128, "abc", "BrBatnM6YYV4r1+UiS85UA==")]
    public void Base64_header_values(ChecksumAlgorithm algorithm, string input, string expected)
    {
        byte[] data = Encoding.ASCII.GetBytes(input);
        using var checksum = new S3Checksum(algorithm);
        checksum.Append(data.AsSpan(0, data.Length / 2));
        checksum.Append(data.AsSpan(data.Length / 2));

        Span<char> chars = stackalloc char[ChecksumAlgorithmExtensions.MaxBase64Length];
        Assert.True(checksum.TryFormatBase64(chars, out int charsWritten));
        Assert.Equal(expected, chars[..charsWritten].ToString());
        Assert.Equal(checksum.Base64Length, charsWritten);

        Span<byte> utf8 = stackalloc byte[ChecksumAlgorithmExtensions.MaxBase64Length];
        Assert.True(checksum.TryFormatBase64Utf8(utf8, out int bytesWritten));
        Assert.Equal(expected, Encoding.ASCII.GetString(utf8[..bytesWritten]));

        Assert.True(checksum.Matches(expected));
        Assert.True(checksum.Matches(Encoding.ASCII.GetBytes(expected)));

        // One-shot agrees with the incremental digest.
        Span<byte> oneShot = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength];
        int length = S3Checksum.HashData(algorithm, data, oneShot);
        Assert.Equal(expected, Convert.ToBase64String(oneShot[..length]));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32C)]
    [InlineData(ChecksumAlgorithm.Sha256)]
    [InlineData(ChecksumAlgorithm.Sha512)]
    [InlineData(ChecksumAlgorithm.XxHash128)]
    public void Mismatches_are_reported(ChecksumAlgorithm algorithm)
    {
        using var checksum = new S3Checksum(algorithm);
        checksum.Append("abc"u8);
        Span<char> good = stackalloc char[ChecksumAlgorithmExtensions.MaxBase64Length];
        Assert.True(checksum.TryFormatBase64(good, out int length));
        string value = good[..length].ToString();

        Assert.False(checksum.Matches(""));
        Assert.False(checksum.Matches(value.TrimEnd('=')));
        Assert.False(checksum.Matches(value + "="));
        Assert.False(checksum.Matches(new string('A', 200)));
        char[] flipped = value.ToCharArray();
        flipped[1] = flipped[1] == 'A' ? 'B' : 'A';
        Assert.False(checksum.Matches(flipped));
        Assert.False(checksum.Matches(Encoding.ASCII.GetBytes(new string(flipped))));
    }

    [Fact]
    public void Reset_and_get_hash_and_reset_start_over()
    {
        using var checksum = new S3Checksum(ChecksumAlgorithm.Crc64Nvme);
        Span<byte> hash = stackalloc byte[8];
        checksum.Append("garbage"u8);
        checksum.Reset();
        checksum.Append("123456789"u8);
        Assert.Equal(8, checksum.GetHashAndReset(hash));
        Assert.Equal(0xAE8B14860A799888ul, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash));
        Assert.True(checksum.Matches("AAAAAAAAAAA="));
    }

    [Fact]
    public void Invalid_algorithm_and_short_buffers()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new S3Checksum(ChecksumAlgorithm.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new S3Checksum((ChecksumAlgorithm)99));
        using var checksum = new S3Checksum(ChecksumAlgorithm.Crc32);
        Assert.Throws<ArgumentException>(() => checksum.GetCurrentHash(new byte[3]));
        Assert.False(checksum.TryFormatBase64(new char[7], out _));
        Assert.False(checksum.TryFormatBase64Utf8(new byte[7], out _));
    }
}
