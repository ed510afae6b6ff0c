using System.Text;
using Sluice.S3.Ranges;

namespace Sluice.S3.Tests.Ranges;

/// <summary>Content-Range (RFC 9110 §14.4), as the server writes it and the client reads it.</summary>
public sealed class ContentRangeTests
{
    [Fact]
    public void Content_range_formats()
    {
        // RFC 9110 §14.4: "Content-Range: bytes 42-1233/1234" and "Content-Range: bytes */1234".
        Span<byte> buffer = stackalloc byte[ContentRange.MaxLength];
        Assert.True(ContentRange.TryFormat(new ByteRange(42, 1192), 1234, buffer, out int n));
        Assert.Equal("bytes 42-1233/1234", Encoding.ASCII.GetString(buffer[..n]));
        Assert.True(ContentRange.TryFormatUnsatisfied(1234, buffer, out n));
        Assert.Equal("bytes */1234", Encoding.ASCII.GetString(buffer[..n]));
        Assert.True(ContentRange.TryFormat(new ByteRange(long.MaxValue - 1, 1), long.MaxValue, buffer, out n));
        Assert.Equal($"bytes {long.MaxValue - 1}-{long.MaxValue - 1}/{long.MaxValue}", Encoding.ASCII.GetString(buffer[..n]));
    }

    [Fact]
    public void Content_range_refuses_short_buffers()
    {
        Span<byte> buffer = stackalloc byte[17];
        Assert.False(ContentRange.TryFormat(new ByteRange(42, 1192), 1234, buffer, out _));
        Assert.False(ContentRange.TryFormatUnsatisfied(1234, buffer[..10], out _));
    }

    [Theory]
    [InlineData("bytes 42-1233/1234", 42, 1233, 1234)] // RFC 9110 §14.4
    [InlineData("bytes 0-0/1", 0, 0, 1)]
    [InlineData("bytes 21010-47021/*", 21010, 47021, -1)] // RFC 9110 §14.4: complete length unknown
    public void Parses(string value, long first, long last, long complete)
    {
        Assert.True(ContentRange.TryParse(Encoding.ASCII.GetBytes(value), out ByteRange range, out long total));
        Assert.Equal((first, last, complete), (range.Offset, range.Last, total));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bytes */1234")] // the 416 form names no range
    [InlineData("bytes=0-9/10")]
    [InlineData("bytes -9/10")]
    [InlineData("bytes 0-9")]
    [InlineData("bytes 0-9/")]
    [InlineData("bytes 0-9/10x")]
    [InlineData("bytes 0x-9/10")]
    [InlineData("items 0-9/10")]
    public void Refuses_malformed(string value) =>
        Assert.False(ContentRange.TryParse(Encoding.ASCII.GetBytes(value), out _, out _));

    [Fact]
    public void Reads_what_it_writes()
    {
        Span<byte> buffer = stackalloc byte[ContentRange.MaxLength];
        Assert.True(ContentRange.TryFormat(new ByteRange(long.MaxValue - 2, 2), long.MaxValue, buffer, out int n));
        Assert.True(ContentRange.TryParse(buffer[..n], out ByteRange range, out long total));
        Assert.Equal((new ByteRange(long.MaxValue - 2, 2), long.MaxValue), (range, total));
    }
}
