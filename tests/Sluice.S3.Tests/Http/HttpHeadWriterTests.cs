using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class HttpHeadWriterTests
{
    [Fact]
    public void RequestHead_WritesAndParsesBack()
    {
        Span<byte> buffer = stackalloc byte[1024];
        var w = new HttpHeadWriter(buffer);
        Assert.True(w.TryWriteRequestLine(KnownMethod.Put, "/examplebucket/chunkObject.txt"u8));
        Assert.True(w.TryWriteHeader(KnownHeader.Host, "s3.amazonaws.com"u8));
        Assert.True(w.TryWriteHeader(KnownHeader.XAmzDate, "20130524T000000Z"u8));
        Assert.True(w.TryWriteContentLength(66824));
        Assert.True(w.TryWriteHeader(KnownHeader.XAmzDecodedContentLength, 66560));
        Assert.True(w.TryWriteHeader(KnownHeader.Date, new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero)));
        Assert.True(w.TryWriteHeader("x-amz-meta-color"u8, "blue"u8));
        Assert.True(w.TryWriteEnd());

        string text = Encoding.ASCII.GetString(w.Written);
        Assert.Equal(
            "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\nHost: s3.amazonaws.com\r\nx-amz-date: 20130524T000000Z\r\n" +
            "Content-Length: 66824\r\nx-amz-decoded-content-length: 66560\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n" +
            "x-amz-meta-color: blue\r\n\r\n", text);

        var head = new S3RequestHead();
        byte[] wire = w.Written.ToArray();
        Assert.Equal(wire.Length, head.Parse(wire).BytesConsumed);
        Assert.Equal(66824, head.ContentLength);
    }

    [Fact]
    public void StatusLine_UsesStandardReasonOrGivenOne()
    {
        Span<byte> buffer = stackalloc byte[256];
        var w = new HttpHeadWriter(buffer);
        Assert.True(w.TryWriteStatusLine(206));
        Assert.True(w.TryWriteStatusLine(503, "Slow Down"u8));
        Assert.True(w.TryWriteStatusLine(299));
        Assert.True(w.TryWriteStatusLine(200, default, HttpProtocolVersion.Http10));
        Assert.Equal("HTTP/1.1 206 Partial Content\r\nHTTP/1.1 503 Slow Down\r\nHTTP/1.1 299 \r\nHTTP/1.0 200 OK\r\n", Encoding.ASCII.GetString(w.Written));
    }

    [Fact]
    public void InjectionAndInvalidInput_AreRefusedWithoutWriting()
    {
        Span<byte> buffer = stackalloc byte[256];
        var w = new HttpHeadWriter(buffer);
        Assert.False(w.TryWriteHeader(KnownHeader.ContentType, "text/plain\r\nX-Evil: 1"u8));
        Assert.Equal(HttpWriteError.InvalidHeaderValue, w.Error);
        Assert.False(w.TryWriteHeader("x-amz-meta-a"u8, "a\nb"u8));
        Assert.False(w.TryWriteHeader("x-amz-meta-a"u8, " padded"u8));
        Assert.False(w.TryWriteHeader("x-amz-meta-a"u8, "padded\t"u8));
        Assert.False(w.TryWriteHeader("Bad Name"u8, "v"u8));
        Assert.Equal(HttpWriteError.InvalidHeaderName, w.Error);
        Assert.False(w.TryWriteHeader(KnownHeader.Unknown, "v"u8));
        Assert.False(w.TryWriteHeader(KnownHeader.ContentLength, -1));
        Assert.Equal(HttpWriteError.InvalidHeaderValue, w.Error);
        Assert.False(w.TryWriteRequestLine("GE T"u8, "/"u8));
        Assert.Equal(HttpWriteError.InvalidMethod, w.Error);
        Assert.False(w.TryWriteRequestLine(KnownMethod.Unknown, "/"u8));
        Assert.False(w.TryWriteRequestLine(KnownMethod.Get, "/a b"u8));
        Assert.Equal(HttpWriteError.InvalidTarget, w.Error);
        Assert.False(w.TryWriteRequestLine(KnownMethod.Get, "relative"u8));
        Assert.False(w.TryWriteRequestLine(KnownMethod.Get, "/a\r\n"u8));
        Assert.False(w.TryWriteStatusLine(99));
        Assert.Equal(HttpWriteError.InvalidStatusCode, w.Error);
        Assert.False(w.TryWriteStatusLine(1000));
        Assert.False(w.TryWriteStatusLine(200, "O\rK"u8));
        Assert.Equal(0, w.BytesWritten);
        Assert.True(w.TryWriteRequestLine(KnownMethod.Get, "http://h/k"u8));
        Assert.Equal(HttpWriteError.None, w.Error);
    }

    [Fact]
    public void TooSmall_WritesNothingAtEveryBufferSize()
    {
        const string expected = "GET /k HTTP/1.1\r\nRange: bytes=0-9\r\n\r\n";
        for (int size = 0; size <= expected.Length; size++)
        {
            byte[] buffer = new byte[size];
            var w = new HttpHeadWriter(buffer);
            bool ok = w.TryWriteRequestLine(KnownMethod.Get, "/k"u8) && w.TryWriteHeader(KnownHeader.Range, "bytes=0-9"u8) && w.TryWriteEnd();
            Assert.Equal(size == expected.Length, ok);
            if (!ok)
            {
                Assert.Equal(HttpWriteError.DestinationTooSmall, w.Error);
            }

            Assert.Equal(expected[..w.BytesWritten], Encoding.ASCII.GetString(w.Written));
            Assert.All(buffer.AsSpan(w.BytesWritten).ToArray(), b => Assert.Equal(0, b));
        }
    }
}
