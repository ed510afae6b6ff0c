using System.Buffers;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

/// <summary>Every error code the codec defines is reachable, each by a minimal input.</summary>
public class ErrorCoverageTests
{
    private enum Via
    {
        Request,
        Response,
        S3Request,
    }

    private static readonly (Via Via, string Input, HttpParseError Error, HttpLimits Limits)[] HeadSamples =
    [
        (Via.Request, "GET /aaaaaaaaaa HTTP/1.1\r\n\r\n", HttpParseError.RequestLineTooLong, new HttpLimits { MaxRequestLineLength = 10 }),
        (Via.Request, "GET / HTTP/1.1\r\nX: aaaaaaaaaa\r\n\r\n", HttpParseError.HeaderLineTooLong, new HttpLimits { MaxHeaderLineLength = 10 }),
        (Via.Request, "GET / HTTP/1.1\r\nX: a\r\n", HttpParseError.HeadTooLarge, new HttpLimits { MaxHeadBytes = 20 }),
        (Via.Request, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", HttpParseError.TooManyHeaders, new HttpLimits { MaxHeaderCount = 1 }),
        (Via.Request, "GET\r\n\r\n", HttpParseError.InvalidRequestLine, default),
        (Via.Request, "G@T / HTTP/1.1\r\n\r\n", HttpParseError.InvalidMethod, default),
        (Via.Request, "GET x HTTP/1.1\r\n\r\n", HttpParseError.InvalidRequestTarget, default),
        (Via.Request, "GET / HTTP/1\r\n\r\n", HttpParseError.InvalidVersion, default),
        (Via.Request, "GET / HTTP/3.0\r\n\r\n", HttpParseError.UnsupportedVersion, default),
        (Via.Request, "GET / HTTP/1.1\r\nX\t: a\r\n\r\n", HttpParseError.InvalidHeaderName, default),
        (Via.Request, "GET / HTTP/1.1\r\nX: \u001b[31m\r\n\r\n", HttpParseError.InvalidHeaderValue, default),
        (Via.Request, "GET / HTTP/1.1\n\n", HttpParseError.InvalidLineEnding, default),
        (Via.Request, "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", HttpParseError.ObsoleteLineFolding, default),
        (Via.Response, "HTTP/1.1200 OK\r\n\r\n", HttpParseError.InvalidStatusLine, default),
        (Via.Response, "HTTP/1.1 OK! OK\r\n\r\n", HttpParseError.InvalidStatusCode, default),
        (Via.S3Request, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1e3\r\n\r\n", HttpParseError.InvalidContentLength, default),
        (Via.S3Request, "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n", HttpParseError.InvalidTransferEncoding, default),
        (Via.S3Request, "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: br, chunked\r\n\r\n", HttpParseError.UnsupportedTransferEncoding, default),
        (Via.S3Request, "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", HttpParseError.ConflictingFraming, default),
        (Via.S3Request, "GET / HTTP/1.1\r\n\r\n", HttpParseError.InvalidHost, default),
    ];

    [Fact]
    public void EveryHttpParseError_IsReached()
    {
        foreach ((Via via, string input, HttpParseError expected, HttpLimits limits) in HeadSamples)
        {
            byte[] bytes = Drive.Ascii(input);
            CountingHandler h = default;
            HttpParseResult result = via switch
            {
                Via.Request => HttpHeadParser.ParseRequestHead(bytes, ref h, limits),
                Via.Response => HttpHeadParser.ParseResponseHead(bytes, ref h, limits),
                _ => new S3RequestHead(limits).Parse(bytes),
            };
            Assert.True(result.Error == expected, $"{input}: expected {expected}, got {result.Error}");
        }

        Assert.Equal(
            Enum.GetValues<HttpParseError>().Where(e => e != HttpParseError.None).Order(),
            HeadSamples.Select(s => s.Error).Distinct().Order());
    }

    private static readonly (bool? Aws, string Input, ChunkDecodeError Error)[] BodySamples =
    [
        (null, "z\r\n", ChunkDecodeError.InvalidChunkSize),
        (null, "10000000000000000\r\n", ChunkDecodeError.ChunkSizeOverflow),
        (null, "21\r\n", ChunkDecodeError.ChunkTooLarge),
        (null, "1;" + new string('e', 40) + "\r\n", ChunkDecodeError.LineTooLong),
        (null, "1\n", ChunkDecodeError.InvalidLineEnding),
        (null, "1;\u0000\r\n", ChunkDecodeError.InvalidChunkExtension),
        (true, "1\r\n", ChunkDecodeError.MissingChunkSignature),
        (true, "1;chunk-signature=00\r\n", ChunkDecodeError.InvalidChunkSignature),
        (null, "1\r\nxy", ChunkDecodeError.InvalidChunkTerminator),
        (null, "0\r\nnocolon\r\n", ChunkDecodeError.InvalidTrailer),
        (null, "0\r\na:1\r\nb:2\r\nc:3\r\n", ChunkDecodeError.TooManyTrailers),
        (null, "0\r\na:" + new string('v', 30) + "\r\n", ChunkDecodeError.TrailersTooLarge),
    ];

    [Fact]
    public void EveryChunkDecodeError_IsReached()
    {
        var limits = new ChunkedLimits { MaxLineLength = 32, MaxChunkSize = 32, MaxTrailerCount = 2, MaxTrailerBytes = 30 };
        foreach ((bool? aws, string input, ChunkDecodeError expected) in BodySamples)
        {
            BodyDecoder decoder = aws is bool withSignatures ? BodyDecoder.Aws(withSignatures, limits) : BodyDecoder.Chunked(limits);
            DecodeLog log = Drive.Run(decoder, Drive.Ascii(input));
            Assert.Equal(OperationStatus.InvalidData, log.Final);
            Assert.True(log.Error == expected, $"{input}: expected {expected}, got {log.Error}");
        }

        Assert.Equal(
            Enum.GetValues<ChunkDecodeError>().Where(e => e != ChunkDecodeError.None).Order(),
            BodySamples.Select(s => s.Error).Distinct().Order());
    }
}
