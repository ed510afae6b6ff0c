using System.Text;
using Sluice.S3.Objects;

namespace Sluice.S3.Tests.Objects;

/// <summary>ETags. Single-part vectors are the RFC 1321 §A.5 test suite (MD5 ("") = d41d8cd98f00b204e9800998ecf8427e,
/// MD5 ("abc") = 900150983cd24fb0d6963f7d28e17f72, MD5 ("message digest") = f96b697d7cb7938d525a2f31aaf161d0).
/// Multipart vectors were computed independently with Python's hashlib:
/// md5(md5(b"a").digest() + md5(b"abc").digest()).hexdigest() + "-2".</summary>
public sealed class ETagTests
{
    [Theory]
    [InlineData("", "\"d41d8cd98f00b204e9800998ecf8427e\"")]
    [InlineData("abc", "\"900150983cd24fb0d6963f7d28e17f72\"")]
    [InlineData("message digest", "\"f96b697d7cb7938d525a2f31aaf161d0\"")]
    public void Single_part_etag_is_quoted_hex_md5(string body, string expected)
    {
        Span<byte> etag = stackalloc byte[ETag.SinglePartLength];
        Assert.Equal(34, ETag.ComputeSinglePart(Encoding.ASCII.GetBytes(body), etag));
        Assert.Equal(expected, Encoding.ASCII.GetString(etag));
    }

    [Fact]
    public void Multipart_etag_hashes_the_binary_part_md5s()
    {
        using var builder = new MultipartETag();
        Assert.True(builder.TryAddPart("\"0cc175b9c0f1b6a831c399e269772661\""u8)); // MD5("a"), RFC 1321
        Assert.True(builder.TryAddPart("900150983CD24FB0D6963F7D28E17F72"u8)); // MD5("abc"), unquoted upper case
        Assert.Equal(2, builder.PartCount);
        Span<byte> etag = stackalloc byte[ETag.MaxLength];
        int n = builder.Format(etag);
        Assert.Equal("\"eec224fb6a37134ee373993a92761ffe-2\"", Encoding.ASCII.GetString(etag[..n]));

        // Format resets: one part of MD5("") gives md5(md5(b"").digest()) + "-1".
        builder.AddPart(Convert.FromHexString("d41d8cd98f00b204e9800998ecf8427e"));
        n = builder.Format(etag);
        Assert.Equal("\"59adb24ef3cdbe0297f05b395827453f-1\"", Encoding.ASCII.GetString(etag[..n]));
    }

    [Fact]
    public void Multipart_builder_refuses_bad_part_etags_and_empty_uploads()
    {
        using var builder = new MultipartETag();
        Assert.False(builder.TryAddPart("\"eec224fb6a37134ee373993a92761ffe-2\""u8));
        Assert.False(builder.TryAddPart("\"abc\""u8));
        Assert.Equal(0, builder.PartCount);
        Assert.Throws<InvalidOperationException>(() => builder.Format(new byte[ETag.MaxLength]));
        builder.AddPart(new byte[16]);
        builder.Reset();
        Assert.Equal(0, builder.PartCount);
    }

    [Theory]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e\"", 0)]
    [InlineData("d41d8cd98f00b204e9800998ecf8427e", 0)]
    [InlineData("W/\"d41d8cd98f00b204e9800998ecf8427e\"", 0)]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e-10000\"", 10000)]
    [InlineData("d41d8cd98f00b204e9800998ecf8427e-3", 3)]
    [InlineData("D41D8CD98F00B204E9800998ECF8427E-7", 7)]
    public void Parses(string text, int parts)
    {
        Span<byte> md5 = stackalloc byte[16];
        Assert.True(ETag.TryParse(Encoding.ASCII.GetBytes(text), md5, out int count));
        Assert.Equal(parts, count);
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", Convert.ToHexStringLower(md5));
        md5.Clear();
        Assert.True(ETag.TryParse(text, md5, out count)); // as the client holds it, text
        Assert.Equal(parts, count);
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", Convert.ToHexStringLower(md5));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427g\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e-\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e-0\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e-01\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e-10001\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e-+1\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427ex1\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427é\"")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e-10000\"     ")]
    public void Refuses_malformed(string text)
    {
        Assert.False(ETag.TryParse(Encoding.ASCII.GetBytes(text), new byte[16], out _));
        Assert.False(ETag.TryParse(text, new byte[16], out _));
    }

    [Fact]
    public void Formats_the_largest_multipart_etag()
    {
        Span<byte> etag = stackalloc byte[ETag.MaxLength];
        int n = ETag.FormatMultipart(new byte[16], 10_000, etag);
        Assert.Equal(ETag.MaxLength, n);
        Assert.Equal("\"00000000000000000000000000000000-10000\"", Encoding.ASCII.GetString(etag[..n]));
    }

    [Theory]
    [InlineData("abc", "\"abc\"")] // RADOS Gateway's unquoted copy-result ETag
    [InlineData("\"abc\"", "\"abc\"")]
    [InlineData("W/\"abc\"", "W/\"abc\"")]
    [InlineData("", "")]
    public void Quotes(string etag, string expected) => Assert.Equal(expected, ETag.Quote(etag));

    [Theory]
    [InlineData("\"abc\"", "abc")]
    [InlineData("W/\"abc\"", "abc")]
    [InlineData("abc", "abc")]
    [InlineData("\"", "\"")]
    public void Unquotes_text_as_bytes(string etag, string expected)
    {
        Assert.Equal(expected, ETag.Unquote(etag).ToString());
        Assert.Equal(expected, Encoding.ASCII.GetString(ETag.Unquote(Encoding.ASCII.GetBytes(etag))));
    }

    [Fact]
    public void Multipart_builder_takes_text_and_formats_without_quotes()
    {
        using var builder = new MultipartETag();
        Assert.True(builder.TryAddPart("\"0cc175b9c0f1b6a831c399e269772661\""));
        Assert.True(builder.TryAddPart("900150983CD24FB0D6963F7D28E17F72"));
        Assert.False(builder.TryAddPart("\"eec224fb6a37134ee373993a92761ffe-2\""));
        Assert.Equal("eec224fb6a37134ee373993a92761ffe-2", builder.FormatUnquoted());
        Assert.Equal(0, builder.PartCount);
    }
}
