using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class S3HeadTests
{
    [Fact]
    public void RequestHead_CollectsOffsetsAndFraming()
    {
        byte[] wire = Drive.Ascii(S3Heads.ChunkedPut + "10000;chunk-signature=");
        var head = new S3RequestHead();
        HttpParseResult r = head.Parse(wire);
        Assert.True(r.IsComplete);
        Assert.Equal(S3Heads.ChunkedPut.Length, head.HeadLength);
        Assert.Equal(KnownMethod.Put, head.Method);
        Assert.Equal("PUT", Encoding.ASCII.GetString(head.MethodName.Of(wire)));
        Assert.Equal("/examplebucket/chunkObject.txt", Encoding.ASCII.GetString(head.Path.Of(wire)));
        Assert.True(head.Query.IsEmpty);
        Assert.Equal(66824, head.ContentLength);
        Assert.False(head.IsChunked);
        Assert.True(head.KeepAlive);
        Assert.False(head.ExpectsContinue);
        Assert.Equal(8, head.Headers.Count);
        Assert.Equal("66560", Encoding.ASCII.GetString(head.Headers.GetValue(KnownHeader.XAmzDecodedContentLength, wire)));
        Assert.Equal("REDUCED_REDUNDANCY", Encoding.ASCII.GetString(head.Headers.GetValue(KnownHeader.XAmzStorageClass, wire)));
        Assert.True(head.Headers.GetValue(KnownHeader.Range, wire).IsEmpty);
        Assert.Equal("Host", Encoding.ASCII.GetString(head.Headers[0].Name.Of(wire)));
    }

    [Fact]
    public void RequestHead_IsReusable()
    {
        var head = new S3RequestHead();
        Assert.True(head.Parse(Drive.Ascii(S3Heads.ChunkedPut)).IsComplete);
        byte[] wire = Drive.Ascii(S3Heads.PresignedGet);
        Assert.True(head.Parse(wire).IsComplete);
        Assert.Equal(1, head.Headers.Count);
        Assert.Equal(-1, head.ContentLength);
        Assert.Equal(0, head.Headers.CountOf(KnownHeader.ContentLength));
        Assert.StartsWith("X-Amz-Algorithm=", Encoding.ASCII.GetString(head.Query.Of(wire)));
    }

    [Theory]
    [InlineData("PUT /k HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n", true, -1, true, true)]
    [InlineData("PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", false, 5, false, false)]
    [InlineData("GET /k HTTP/1.0\r\n\r\n", false, -1, false, false)]
    [InlineData("GET /k HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\n", false, -1, true, false)]
    public void RequestHead_Framing(string text, bool chunked, long length, bool keepAlive, bool expects)
    {
        var head = new S3RequestHead();
        Assert.True(head.Parse(Drive.Ascii(text)).IsComplete);
        Assert.Equal(chunked, head.IsChunked);
        Assert.Equal(length, head.ContentLength);
        Assert.Equal(keepAlive, head.KeepAlive);
        Assert.Equal(expects, head.ExpectsContinue);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", HttpParseError.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HttpParseError.InvalidHost)]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", HttpParseError.InvalidHost)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", HttpParseError.ConflictingFraming)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", HttpParseError.InvalidContentLength)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", HttpParseError.InvalidContentLength)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n", HttpParseError.InvalidContentLength)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", HttpParseError.InvalidTransferEncoding)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", HttpParseError.InvalidTransferEncoding)]
    [InlineData("PUT / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HttpParseError.InvalidTransferEncoding)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", HttpParseError.UnsupportedTransferEncoding)]
    public void RequestHead_RejectsAmbiguousFraming(string text, HttpParseError expected)
    {
        HttpParseResult r = new S3RequestHead().Parse(Drive.Ascii(text));
        Assert.Equal(HttpParseStatus.Error, r.Status);
        Assert.Equal(expected, r.Error);
    }

    [Fact]
    public void RequestHead_PassesThroughIncompleteAndSyntaxErrors()
    {
        var head = new S3RequestHead();
        Assert.Equal(HttpParseStatus.Incomplete, head.Parse(Drive.Ascii("GET / HTTP/1.1\r\nHo")).Status);
        Assert.Equal(HttpParseError.InvalidLineEnding, head.Parse(Drive.Ascii("GET / HTTP/1.1\n\n")).Error);
    }

    [Fact]
    public void ResponseHead_ParsesS3Response()
    {
        byte[] wire = Drive.Ascii(S3Heads.GetResponse);
        var head = new S3ResponseHead();
        Assert.True(head.Parse(wire).IsComplete);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("OK", Encoding.ASCII.GetString(head.Reason.Of(wire)));
        Assert.Equal(434234, head.ContentLength);
        Assert.False(head.KeepAlive); // "Connection: close"
        Assert.False(head.IsInterim);
        Assert.Equal("AmazonS3", Encoding.ASCII.GetString(head.Headers.GetValue(KnownHeader.Server, wire)));

        Assert.True(head.Parse(Drive.Ascii(S3Heads.Continue)).IsComplete);
        Assert.True(head.IsInterim);
        Assert.Equal(S3Heads.Continue.Length, head.HeadLength);

        Assert.True(head.Parse(Drive.Ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")).IsComplete);
        Assert.True(head.IsChunked);
        Assert.True(head.KeepAlive);
        Assert.Equal(-1, head.ContentLength);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", HttpParseError.ConflictingFraming)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", HttpParseError.InvalidContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", HttpParseError.InvalidContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", HttpParseError.UnsupportedTransferEncoding)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n", HttpParseError.InvalidTransferEncoding)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", HttpParseError.InvalidTransferEncoding)]
    public void ResponseHead_RejectsAmbiguousFraming(string text, HttpParseError expected) =>
        Assert.Equal(expected, new S3ResponseHead().Parse(Drive.Ascii(text)).Error);

    [Fact]
    public void HeaderTable_Basics()
    {
        var table = new HttpHeaderTable(2);
        Assert.True(table.Add(new HttpField(KnownHeader.Host, new HttpSlice(0, 4), new HttpSlice(6, 1))));
        Assert.True(table.Add(new HttpField(KnownHeader.Unknown, new HttpSlice(9, 1), new HttpSlice(11, 1))));
        Assert.False(table.Add(new HttpField(KnownHeader.Host, default, default)));
        Assert.Equal(2, table.Count);
        Assert.Equal(1, table.CountOf(KnownHeader.Host));
        Assert.Throws<ArgumentOutOfRangeException>(() => table[2]);
        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.False(table.TryGet(KnownHeader.Host, out _));
    }
}
