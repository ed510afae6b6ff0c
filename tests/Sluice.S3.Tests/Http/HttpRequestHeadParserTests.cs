using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class HttpRequestHeadParserTests
{
    private static (HttpParseResult Result, HeadLog Log) Parse(string head, HttpLimits limits = default) => Parse(Drive.Ascii(head), limits);

    private static (HttpParseResult Result, HeadLog Log) Parse(byte[] head, HttpLimits limits = default)
    {
        var log = new HeadLog();
        var handler = new RecordingHandler(log);
        HttpParseResult result = HttpHeadParser.ParseRequestHead(head, ref handler, limits);
        return (result, log);
    }

    [Fact]
    public void ChunkedPut_ParsesAllFields()
    {
        string body = "10000;chunk-signature=...";
        (HttpParseResult result, HeadLog log) = Parse(S3Heads.ChunkedPut + body);

        Assert.Equal(HttpParseStatus.Complete, result.Status);
        Assert.Equal(S3Heads.ChunkedPut.Length, result.BytesConsumed);
        Assert.Equal(KnownMethod.Put, log.Method);
        Assert.Equal("/examplebucket/chunkObject.txt", log.Path);
        Assert.Equal("", log.Query);
        Assert.Equal(HttpProtocolVersion.Http11, log.Version);
        Assert.Equal(HttpTargetForm.Origin, log.Form);
        Assert.Equal(8, log.Headers.Count);
        Assert.Equal(1, log.CompleteCalls);
        Assert.Equal(
            [KnownHeader.Host, KnownHeader.XAmzDate, KnownHeader.XAmzStorageClass, KnownHeader.Authorization,
             KnownHeader.XAmzContentSha256, KnownHeader.ContentEncoding, KnownHeader.XAmzDecodedContentLength, KnownHeader.ContentLength],
            log.Headers.Select(h => h.Id).ToArray());
        Assert.Equal("66824", log.Get(KnownHeader.ContentLength));
        Assert.Equal("aws-chunked", log.Get(KnownHeader.ContentEncoding));
        Assert.Equal("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", log.Get(KnownHeader.XAmzContentSha256));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/", log.Get(KnownHeader.Authorization));
    }

    [Fact]
    public void RangeGet_TrimsValuesAndAcceptsNoSpaceAfterColon()
    {
        (HttpParseResult result, HeadLog log) = Parse(S3Heads.RangeGet);
        Assert.True(result.IsComplete);
        Assert.Equal(KnownMethod.Get, log.Method);
        Assert.Equal("bytes=0-9", log.Get(KnownHeader.Range));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", log.Get(KnownHeader.XAmzContentSha256));
    }

    [Fact]
    public void PresignedGet_SplitsPathAndQuery()
    {
        (HttpParseResult result, HeadLog log) = Parse(S3Heads.PresignedGet);
        Assert.True(result.IsComplete);
        Assert.Equal("/test.txt", log.Path);
        Assert.StartsWith("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524", log.Query);
        Assert.EndsWith("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", log.Query);
        Assert.Equal("examplebucket.s3.amazonaws.com", log.Get(KnownHeader.Host));
    }

    [Theory]
    [InlineData("GET http://bucket.example:9000/key?acl HTTP/1.1", "bucket.example:9000", "/key", "acl")]
    [InlineData("GET HTTPS://host HTTP/1.1", "host", "", "")]
    [InlineData("GET http://host?x=1 HTTP/1.1", "host", "", "x=1")]
    public void AbsoluteForm_GivesAuthorityPathAndQuery(string line, string authority, string path, string query)
    {
        (HttpParseResult result, HeadLog log) = Parse(line + "\r\nHost: h\r\n\r\n");
        Assert.True(result.IsComplete);
        Assert.Equal(HttpTargetForm.Absolute, log.Form);
        Assert.Equal(authority, log.Authority);
        Assert.Equal(path, log.Path);
        Assert.Equal(query, log.Query);
    }

    [Fact]
    public void AsteriskForm_OnlyForOptions()
    {
        (HttpParseResult ok, HeadLog log) = Parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.True(ok.IsComplete);
        Assert.Equal(HttpTargetForm.Asterisk, log.Form);
        Assert.Equal(HttpParseError.InvalidRequestTarget, Parse("GET * HTTP/1.1\r\nHost: h\r\n\r\n").Result.Error);
    }

    [Theory]
    [InlineData("GET", KnownMethod.Get)]
    [InlineData("PUT", KnownMethod.Put)]
    [InlineData("POST", KnownMethod.Post)]
    [InlineData("DELETE", KnownMethod.Delete)]
    [InlineData("HEAD", KnownMethod.Head)]
    [InlineData("OPTIONS", KnownMethod.Options)]
    [InlineData("PATCH", KnownMethod.Patch)]
    [InlineData("TRACE", KnownMethod.Trace)]
    [InlineData("get", KnownMethod.Unknown)]
    [InlineData("PROPFIND", KnownMethod.Unknown)]
    public void Methods_AreCaseSensitiveAndExtensionsKeepTheirName(string method, KnownMethod expected)
    {
        (HttpParseResult result, HeadLog log) = Parse($"{method} / HTTP/1.0\r\n\r\n");
        Assert.True(result.IsComplete);
        Assert.Equal(expected, log.Method);
        Assert.Equal($"{method} /", log.RequestLine);
        Assert.Equal(HttpProtocolVersion.Http10, log.Version);
        if (expected != KnownMethod.Unknown)
        {
            Assert.Equal(method, Encoding.ASCII.GetString(HttpHeadParser.GetMethodName(expected)));
        }
    }

    [Fact]
    public void LeadingEmptyLines_AreSkippedAndCounted()
    {
        (HttpParseResult result, HeadLog log) = Parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.True(result.IsComplete);
        Assert.Equal(4 + "GET / HTTP/1.1\r\nHost: a\r\n\r\n".Length, result.BytesConsumed);
        Assert.Equal("a", log.Get(KnownHeader.Host));
    }

    [Fact]
    public void ValueWhitespace_IsTrimmedAndInnerWhitespaceKept()
    {
        (HttpParseResult result, HeadLog log) = Parse("GET / HTTP/1.1\r\nX-Empty:\r\nX-Tab:\t a \tb\t \r\nX-Obs: caf\u00e9\r\n\r\n");
        Assert.True(result.IsComplete);
        Assert.Equal(["", "a \tb", "caf\u00e9"], log.Headers.Select(h => h.Value).ToArray());
    }

    [Fact]
    public void EveryPrefixOfAValidHead_IsIncompleteWithoutCallbacks()
    {
        foreach (string head in new[] { S3Heads.ChunkedPut, S3Heads.RangeGet, S3Heads.PresignedGet })
        {
            byte[] bytes = Drive.Ascii(head);
            for (int n = 0; n < bytes.Length; n++)
            {
                (HttpParseResult result, HeadLog log) = Parse(bytes[..n]);
                Assert.Equal(HttpParseStatus.Incomplete, result.Status);
                Assert.Null(log.RequestLine);
                Assert.Empty(log.Headers);
            }

            Assert.Equal(bytes.Length, Parse(bytes).Result.BytesConsumed);
        }
    }

    [Fact]
    public void Limits_AreExactBoundaries()
    {
        string line = "GET /" + new string('a', 95) + " HTTP/1.1"; // 109 bytes
        var limits = new HttpLimits { MaxRequestLineLength = line.Length };
        Assert.True(Parse(line + "\r\n\r\n", limits).Result.IsComplete);
        Assert.Equal(HttpParseError.RequestLineTooLong, Parse(line + "\r\n\r\n", limits with { MaxRequestLineLength = line.Length - 1 }).Result.Error);
        // Incomplete line longer than the limit is rejected without waiting for its end.
        Assert.Equal(HttpParseError.RequestLineTooLong, Parse(line + "a", limits).Result.Error);
        Assert.Equal(HttpParseStatus.Incomplete, Parse(line, limits).Result.Status);
        Assert.Equal(HttpParseStatus.Incomplete, Parse(line + "\r", limits).Result.Status);

        string header = "X-Long: " + new string('v', 50); // 58 bytes
        var headerLimits = new HttpLimits { MaxHeaderLineLength = header.Length };
        Assert.True(Parse("GET / HTTP/1.1\r\n" + header + "\r\n\r\n", headerLimits).Result.IsComplete);
        Assert.Equal(HttpParseError.HeaderLineTooLong,
            Parse("GET / HTTP/1.1\r\n" + header + "v\r\n\r\n", headerLimits).Result.Error);

        string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        Assert.True(Parse(head, new HttpLimits { MaxHeadBytes = head.Length }).Result.IsComplete);
        Assert.Equal(HttpParseError.HeadTooLarge, Parse(head, new HttpLimits { MaxHeadBytes = head.Length - 1 }).Result.Error);

        string two = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n";
        Assert.True(Parse(two, new HttpLimits { MaxHeaderCount = 2 }).Result.IsComplete);
        Assert.Equal(HttpParseError.TooManyHeaders, Parse(two, new HttpLimits { MaxHeaderCount = 1 }).Result.Error);
    }

    [Fact]
    public void DefaultLimits_HaveTheDocumentedValues()
    {
        HttpLimits d = default;
        Assert.Equal(16 * 1024, d.MaxHeadBytes);
        Assert.Equal(8 * 1024, d.MaxRequestLineLength);
        Assert.Equal(8 * 1024, d.MaxHeaderLineLength);
        Assert.Equal(100, d.MaxHeaderCount);
    }

    [Fact]
    public void HeadTooLarge_WhenNoTerminatorWithinLimit()
    {
        var sb = new StringBuilder("PUT /k HTTP/1.1\r\n");
        for (int i = 0; i < 40; i++)
        {
            sb.Append("X-Pad-").Append(i).Append(": ").Append('p', 500).Append("\r\n");
        }

        Assert.Equal(HttpParseError.HeadTooLarge, Parse(sb.ToString()).Result.Error);
        Assert.Equal(HttpParseError.HeadTooLarge, Parse(sb.Append("\r\n").ToString()).Result.Error);
    }

    public static TheoryData<string, HttpParseError> Malformed => new()
    {
        { "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", HttpParseError.RequestLineTooLong },
        { "GET / HTTP/1.1\r\nX: " + new string('a', 9000) + "\r\n\r\n", HttpParseError.HeaderLineTooLong },
        { "GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("A: 1\r\n", 101)) + "\r\n", HttpParseError.TooManyHeaders },
        { "GET\r\n\r\n", HttpParseError.InvalidRequestLine },
        { "GET /\r\n\r\n", HttpParseError.InvalidRequestLine },
        { "G(T / HTTP/1.1\r\n\r\n", HttpParseError.InvalidMethod },
        { " GET / HTTP/1.1\r\n\r\n", HttpParseError.InvalidMethod },
        { "GET foo HTTP/1.1\r\n\r\n", HttpParseError.InvalidRequestTarget },
        { "GET /a#frag HTTP/1.1\r\n\r\n", HttpParseError.InvalidRequestTarget },
        { "GET /a\u007fb HTTP/1.1\r\n\r\n", HttpParseError.InvalidRequestTarget },
        { "GET /caf\u00e9 HTTP/1.1\r\n\r\n", HttpParseError.InvalidRequestTarget },
        { "CONNECT host:443 HTTP/1.1\r\n\r\n", HttpParseError.InvalidRequestTarget },
        { "GET http:///p HTTP/1.1\r\n\r\n", HttpParseError.InvalidRequestTarget },
        { "GET http://user@host/ HTTP/1.1\r\n\r\n", HttpParseError.InvalidRequestTarget },
        { "GET  / HTTP/1.1\r\n\r\n", HttpParseError.InvalidVersion },
        { "GET / HTTP/1.x\r\n\r\n", HttpParseError.InvalidVersion },
        { "GET / http/1.1\r\n\r\n", HttpParseError.InvalidVersion },
        { "GET / HTTP/1.1 \r\n\r\n", HttpParseError.InvalidVersion },
        { "GET / HTTP/2.0\r\n\r\n", HttpParseError.UnsupportedVersion },
        { "GET / HTTP/1.2\r\n\r\n", HttpParseError.UnsupportedVersion },
        { "GET / HTTP/1.1\r\nHost : a\r\n\r\n", HttpParseError.InvalidHeaderName },
        { "GET / HTTP/1.1\r\n: a\r\n\r\n", HttpParseError.InvalidHeaderName },
        { "GET / HTTP/1.1\r\nNoColon\r\n\r\n", HttpParseError.InvalidHeaderName },
        { "GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", HttpParseError.InvalidHeaderName },
        { "GET / HTTP/1.1\r\nX: a\u0001b\r\n\r\n", HttpParseError.InvalidHeaderValue },
        { "GET / HTTP/1.1\r\nX: a\u007fb\r\n\r\n", HttpParseError.InvalidHeaderValue },
        { "GET / HTTP/1.1\r\nX: a\u0000\r\n\r\n", HttpParseError.InvalidHeaderValue },
        { "GET / HTTP/1.1\nHost: a\r\n\r\n", HttpParseError.InvalidLineEnding },
        { "GET / HTTP/1.1\r\nHost: a\n\r\n", HttpParseError.InvalidLineEnding },
        { "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", HttpParseError.InvalidLineEnding },
        { "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", HttpParseError.InvalidLineEnding },
        { "GET / HTTP/1.1\r\n\rX: a\r\n\r\n", HttpParseError.InvalidLineEnding },
        { "GET /\r HTTP/1.1\r\n\r\n", HttpParseError.InvalidLineEnding },
        { "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", HttpParseError.ObsoleteLineFolding },
        { "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", HttpParseError.ObsoleteLineFolding },
        // Errors are found before the head is complete, without waiting for more bytes.
        { "GET / HTTP/1.1\nHost", HttpParseError.InvalidLineEnding },
        { "GET / HTTP/1.1\r\nHost : a\r\nMore", HttpParseError.InvalidHeaderName },
        { "GET / HTTP/9.9\r\n", HttpParseError.UnsupportedVersion },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedRequests_AreRejectedWithTheRightCode(string head, HttpParseError expected)
    {
        (HttpParseResult result, HeadLog _) = Parse(head);
        Assert.Equal(HttpParseStatus.Error, result.Status);
        Assert.Equal(expected, result.Error);
        Assert.Equal(0, result.BytesConsumed);
    }
}
