using Sluice.S3.Checksums;

namespace Sluice.S3.Tests.Checksums;

/// <summary>MD5 / SHA-1 / SHA-256 wrappers against RFC 1321 and FIPS 180 example values.</summary>
public class DigestTests
{
    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    // RFC 1321 appendix A.5 test suite.
    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    public void Md5_rfc1321(string input, string expected)
    {
        byte[] data = System.Text.Encoding.ASCII.GetBytes(input);
        Span<byte> hash = stackalloc byte[Md5Digest.HashSizeInBytes];
        Assert.Equal(16, Md5Digest.HashData(data, hash));
        Assert.Equal(expected, Hex(hash));

        using var md5 = new Md5Digest();
        md5.Append(data);
        Assert.Equal(16, md5.GetHashAndReset(hash));
        Assert.Equal(expected, Hex(hash));
    }

    // FIPS 180 examples ("abc" and the 448-bit two-block message).
    [Theory]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void Sha_fips180(string input, string sha1, string sha256)
    {
        byte[] data = System.Text.Encoding.ASCII.GetBytes(input);
        Span<byte> hash = stackalloc byte[IncrementalDigest.MaxHashLengthInBytes];

        Assert.Equal(20, Sha1Digest.HashData(data, hash));
        Assert.Equal(sha1, Hex(hash[..20]));
        Assert.Equal(32, Sha256Digest.HashData(data, hash));
        Assert.Equal(sha256, Hex(hash[..32]));

        using var digest = new Sha256Digest();
        // Split so the data crosses Append boundaries.
        digest.Append(data.AsSpan(0, data.Length / 3));
        digest.Append(data.AsSpan(data.Length / 3));
        Assert.Equal(32, digest.GetCurrentHash(hash));
        Assert.Equal(sha256, Hex(hash[..32]));
        Assert.Equal(32, digest.GetHashAndReset(hash));
        Assert.Equal(sha256, Hex(hash[..32]));
    }

    [Fact]
    public void Reset_discards_and_instance_is_reusable()
    {
        using var digest = new Sha1Digest();
        Span<byte> hash = stackalloc byte[20];
        digest.Append("garbage"u8);
        digest.Reset();
        digest.Append("abc"u8);
        digest.GetHashAndReset(hash);
        Assert.Equal("a9993e364706816aba3e25717850c26c9cd0d89d", Hex(hash));

        digest.Append("abc"u8);
        digest.GetHashAndReset(hash);
        Assert.Equal("a9993e364706816aba3e25717850c26c9cd0d89d", Hex(hash));
    }

    [Fact]
    public void Short_destination_throws()
    {
        using var digest = new Sha256Digest();
        Assert.ThrowsAny<ArgumentException>(() => digest.GetHashAndReset(new byte[31]));
    }
}
