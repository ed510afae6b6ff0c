using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class HttpResponseHeadParserTests
{
    private static (HttpParseResult Result, HeadLog Log) Parse(string head, HttpLimits limits = default)
    {
        var log = new HeadLog();
        var handler = new RecordingHandler(log);
        HttpParseResult result = HttpHeadParser.ParseResponseHead(Drive.Ascii(head), ref handler, limits);
        return (result, log);
    }

    [Fact]
    public void S3GetResponse_Parses()
    {
        (HttpParseResult result, HeadLog log) = Parse(S3Heads.GetResponse + "body bytes");
        Assert.True(result.IsComplete);
        Assert.Equal(S3Heads.GetResponse.Length, result.BytesConsumed);
        Assert.Equal(200, log.Status);
        Assert.Equal("OK", log.Reason);
        Assert.Equal(HttpProtocolVersion.Http11, log.Version);
        Assert.Equal(9, log.Headers.Count);
        Assert.Equal("318BC8BC148832E5", log.Get(KnownHeader.XAmzRequestId));
        Assert.Equal("\"fba9dede5f27731c9771645a39863328\"", log.Get(KnownHeader.ETag));
        Assert.Equal("434234", log.Get(KnownHeader.ContentLength));
        Assert.Equal("AmazonS3", log.Get(KnownHeader.Server));
        Assert.Equal(KnownHeader.XAmzId2, log.Headers[0].Id);
    }

    [Fact]
    public void ContinueThenFinal_ParseAsTwoHeads()
    {
        string wire = S3Heads.Continue + "HTTP/1.1 200 OK\r\nETag: \"x\"\r\nContent-Length: 0\r\n\r\n";
        (HttpParseResult first, HeadLog log) = Parse(wire);
        Assert.True(first.IsComplete);
        Assert.Equal(100, log.Status);
        Assert.True(HttpHeadParser.IsInterimStatus(log.Status));
        Assert.Equal(S3Heads.Continue.Length, first.BytesConsumed);

        (HttpParseResult second, HeadLog final) = Parse(wire[first.BytesConsumed..]);
        Assert.True(second.IsComplete);
        Assert.Equal(200, final.Status);
        Assert.False(HttpHeadParser.IsInterimStatus(final.Status));
    }

    [Theory]
    [InlineData("HTTP/1.1 204\r\n\r\n", 204, "")]
    [InlineData("HTTP/1.1 404 \r\n\r\n", 404, "")]
    [InlineData("HTTP/1.0 503 Slow Down\r\n\r\n", 503, "Slow Down")]
    [InlineData("HTTP/1.1 999 Custom\r\n\r\n", 999, "Custom")]
    public void StatusLines(string head, int status, string reason)
    {
        (HttpParseResult result, HeadLog log) = Parse(head);
        Assert.True(result.IsComplete);
        Assert.Equal(status, log.Status);
        Assert.Equal(reason, log.Reason);
    }

    [Fact]
    public void EveryPrefix_IsIncomplete()
    {
        for (int n = 0; n < S3Heads.GetResponse.Length; n++)
        {
            (HttpParseResult result, HeadLog log) = Parse(S3Heads.GetResponse[..n]);
            Assert.Equal(HttpParseStatus.Incomplete, result.Status);
            Assert.Equal(-1, log.Status);
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1 20\r\n\r\n", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1-200 OK\r\n\r\n", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 200 O\u0001K\r\n\r\n", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1 -20 OK\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTX/1.1 200 OK\r\n\r\n", HttpParseError.InvalidVersion)]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n", HttpParseError.UnsupportedVersion)]
    [InlineData("HTTP/1.1 200 OK\nX: y\r\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("HTTP/1.1 200 OK\r\nX : y\r\n\r\n", HttpParseError.InvalidHeaderName)]
    [InlineData("HTTP/1.1 200 OK\r\nX: y\r\n z\r\n\r\n", HttpParseError.ObsoleteLineFolding)]
    [InlineData("HTTP/1.1 200 OK\r\nX: \u0010\r\n\r\n", HttpParseError.InvalidHeaderValue)]
    public void MalformedResponses_AreRejected(string head, HttpParseError expected)
    {
        (HttpParseResult result, HeadLog _) = Parse(head);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public void ResponseLimits()
    {
        string head = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n";
        Assert.Equal(HttpParseError.TooManyHeaders, Parse(head, new HttpLimits { MaxHeaderCount = 1 }).Result.Error);
        Assert.Equal(HttpParseError.HeadTooLarge, Parse(head, new HttpLimits { MaxHeadBytes = 20 }).Result.Error);
        Assert.Equal(HttpParseError.HeaderLineTooLong, Parse(head, new HttpLimits { MaxHeaderLineLength = 10 }).Result.Error);
    }
}
