using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class HttpHeaderValuesTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("66824", 66824L)]
    [InlineData("0000000000000000000000000042", 42L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void ContentLength_Valid(string text, long expected)
    {
        Assert.True(HttpHeaderValues.TryParseContentLength(Drive.Ascii(text), out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1,1")]
    [InlineData("0x10")]
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999")]
    public void ContentLength_Invalid(string text) => Assert.False(HttpHeaderValues.TryParseContentLength(Drive.Ascii(text), out _));

    [Theory]
    [InlineData("chunked", TransferEncodingKind.Chunked)]
    [InlineData("Chunked", TransferEncodingKind.Chunked)]
    [InlineData(" chunked , ", TransferEncodingKind.Chunked)]
    [InlineData("gzip, chunked", TransferEncodingKind.ChunkedAfterOtherCodings)]
    [InlineData("chunked, gzip", TransferEncodingKind.NotChunked)]
    [InlineData("identity", TransferEncodingKind.NotChunked)]
    [InlineData("chunked, chunked", TransferEncodingKind.Invalid)]
    [InlineData("chunked;x=1", TransferEncodingKind.Invalid)]
    [InlineData("gzip;q=1, chunked", TransferEncodingKind.ChunkedAfterOtherCodings)]
    [InlineData("", TransferEncodingKind.Invalid)]
    [InlineData(" , ", TransferEncodingKind.Invalid)]
    [InlineData("chun ked", TransferEncodingKind.Invalid)]
    public void TransferEncoding(string text, TransferEncodingKind expected) =>
        Assert.Equal(expected, HttpHeaderValues.ClassifyTransferEncoding(Drive.Ascii(text)));

    [Theory]
    [InlineData("close", ConnectionOptions.Close)]
    [InlineData("Keep-Alive", ConnectionOptions.KeepAlive)]
    [InlineData("keep-alive, Upgrade", ConnectionOptions.KeepAlive | ConnectionOptions.Upgrade)]
    [InlineData("x-custom", ConnectionOptions.None)]
    [InlineData("", ConnectionOptions.None)]
    public void Connection(string text, ConnectionOptions expected) =>
        Assert.Equal(expected, HttpHeaderValues.ParseConnection(Drive.Ascii(text)));

    [Fact]
    public void KeepAlive_FollowsRfc9112()
    {
        Assert.True(HttpHeaderValues.IsKeepAlive(HttpProtocolVersion.Http11, ConnectionOptions.None));
        Assert.False(HttpHeaderValues.IsKeepAlive(HttpProtocolVersion.Http11, ConnectionOptions.Close));
        Assert.False(HttpHeaderValues.IsKeepAlive(HttpProtocolVersion.Http10, ConnectionOptions.None));
        Assert.True(HttpHeaderValues.IsKeepAlive(HttpProtocolVersion.Http10, ConnectionOptions.KeepAlive));
        Assert.False(HttpHeaderValues.IsKeepAlive(HttpProtocolVersion.Http10, ConnectionOptions.KeepAlive | ConnectionOptions.Close));
    }

    [Theory]
    [InlineData("100-continue", true)]
    [InlineData("100-Continue", true)]
    [InlineData("100-continue2", false)]
    [InlineData("", false)]
    public void Expect(string text, bool expected) => Assert.Equal(expected, HttpHeaderValues.IsExpect100Continue(Drive.Ascii(text)));
}
