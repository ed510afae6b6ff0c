using System.Text;
using Sluice.S3.Checksums;

namespace Sluice.S3.Tests.Checksums;

/// <summary>
/// Wire names from the S3 API reference (PutObject: x-amz-sdk-checksum-algorithm values CRC32 | CRC32C |
/// CRC64NVME | SHA1 | SHA256, and since MD5 | SHA512 | XXHASH64 | XXHASH3 | XXHASH128; headers
/// x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256, -md5, -sha512, -xxhash64, -xxhash3, -xxhash128).
/// </summary>
public class ChecksumAlgorithmTests
{
    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "CRC32", "x-amz-checksum-crc32", 4, 8)]
    [InlineData(ChecksumAlgorithm.Crc32C, "CRC32C", "x-amz-checksum-crc32c", 4, 8)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", 8, 12)]
    [InlineData(ChecksumAlgorithm.Sha1, "SHA1", "x-amz-checksum-sha1", 20, 28)]
    [InlineData(ChecksumAlgorithm.Sha256, "SHA256", "x-amz-checksum-sha256", 32, 44)]
    [InlineData(ChecksumAlgorithm.Md5, "MD5", "x-amz-checksum-md5", 16, 24)]
    [InlineData(ChecksumAlgorithm.Sha512, "SHA512", "x-amz-checksum-sha512", 64, 88)]
    [InlineData(ChecksumAlgorithm.XxHash64, "XXHASH64", "x-amz-checksum-xxhash64", 8, 12)]
    [InlineData(ChecksumAlgorithm.XxHash3, "XXHASH3", "x-amz-checksum-xxhash3", 8, 12)]
    [InlineData(ChecksumAlgorithm.XxHash128, "XXHASH128", "x-amz-checksum-xxhash128", 16, 24)]
    public void Names_lengths_and_parsing(ChecksumAlgorithm algorithm, string s3Name, string header, int hashLength, int base64Length)
    {
        Assert.Equal(s3Name, algorithm.GetS3Name());
        Assert.Equal(header, algorithm.GetHeaderName());
        Assert.Equal(header, Encoding.ASCII.GetString(algorithm.GetHeaderNameUtf8()));
        Assert.Equal(hashLength, algorithm.GetHashLength());
        Assert.Equal(base64Length, algorithm.GetBase64Length());
        Assert.Equal(base64Length, Convert.ToBase64String(new byte[hashLength]).Length);

        Assert.True(ChecksumAlgorithmExtensions.TryParse(s3Name, out ChecksumAlgorithm parsed));
        Assert.Equal(algorithm, parsed);
        Assert.True(ChecksumAlgorithmExtensions.TryParse(Encoding.ASCII.GetBytes(s3Name.ToLowerInvariant()), out parsed));
        Assert.Equal(algorithm, parsed);
        Assert.True(ChecksumAlgorithmExtensions.TryParseHeaderName(Encoding.ASCII.GetBytes(header.ToUpperInvariant()), out parsed));
        Assert.Equal(algorithm, parsed);
        Assert.True(ChecksumAlgorithmExtensions.TryParseHeaderName(header, out parsed));
        Assert.Equal(algorithm, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("CRC")]
    [InlineData("CRC32 ")]
    [InlineData("CRC32CC")]
    [InlineData("MD 5")]
    [InlineData("XXHASH")]
    [InlineData("SHA512 ")]
    [InlineData("SHA-256")]
    [InlineData("CRC64")]
    [InlineData("ŞHA1")]
    public void Unknown_values_are_rejected(string value)
    {
        Assert.False(ChecksumAlgorithmExtensions.TryParse(value, out ChecksumAlgorithm parsed));
        Assert.Equal(ChecksumAlgorithm.None, parsed);
        Assert.False(ChecksumAlgorithmExtensions.TryParse(Encoding.UTF8.GetBytes(value), out _));
    }

    [Theory]
    [InlineData("x-amz-checksum-algorithm")]
    [InlineData("x-amz-checksum-type")]
    [InlineData("x-amz-checksum-")]
    [InlineData("x-amz-checksum")]
    [InlineData("content-md5")]
    [InlineData("x-amz-checksum-md4")]
    public void Non_digest_headers_are_rejected(string name)
    {
        Assert.False(ChecksumAlgorithmExtensions.TryParseHeaderName(name, out _));
        Assert.False(ChecksumAlgorithmExtensions.TryParseHeaderName(Encoding.ASCII.GetBytes(name), out _));
    }

    [Fact]
    public void None_has_no_names()
    {
        Assert.Equal(0, ChecksumAlgorithm.None.GetHashLength());
        Assert.Throws<ArgumentOutOfRangeException>(() => ChecksumAlgorithm.None.GetS3Name());
        Assert.Throws<ArgumentOutOfRangeException>(() => ChecksumAlgorithm.None.GetHeaderName());
        Assert.True(ChecksumAlgorithm.Crc64Nvme.IsCombinable());
        Assert.False(ChecksumAlgorithm.Sha256.IsCombinable());
        Assert.False(ChecksumAlgorithm.XxHash64.IsCombinable());
        Assert.False(ChecksumAlgorithm.Md5.IsCombinable());
    }
}
