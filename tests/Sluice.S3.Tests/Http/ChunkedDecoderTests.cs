using System.Buffers;
using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class ChunkedDecoderTests
{
    // The example body of the Wikipedia article "Chunked transfer encoding" (data containing CRLF on purpose).
    private const string WikipediaBody = "4\r\nWiki\r\n7\r\npedia i\r\nB\r\nn \r\nchunks.\r\n0\r\n\r\n";
    private const string WikipediaDecoded = "Wikipedia in \r\nchunks.";

    [Fact]
    public void WikipediaExample_DecodesAtEverySplitPair()
    {
        byte[] body = Drive.Ascii(WikipediaBody);
        DecodeLog reference = Drive.Run(BodyDecoder.Chunked(), body);
        Assert.Equal(["header 4", "data", "ChunkEnd", "header 7", "data", "ChunkEnd", "header 11", "data", "ChunkEnd", "header 0", "Completed"], reference.Events);
        Assert.Equal(WikipediaDecoded, Encoding.ASCII.GetString(reference.Data.ToArray()));
        for (int a = 0; a <= body.Length; a++)
        {
            for (int b = a; b <= body.Length; b++)
            {
                DecodeLog log = Drive.Run(BodyDecoder.Chunked(), body, [a, b]);
                Assert.Equal(reference.Events, log.Events);
                Assert.Equal(WikipediaDecoded, Encoding.ASCII.GetString(log.Data.ToArray()));
                Assert.Equal(body.Length, log.Consumed);
            }
        }
    }

    [Fact]
    public void ExtensionsAreToleratedAndTrailersReported()
    {
        byte[] body = Drive.Ascii("5 ;name=\"va;lue\"\r\nhello\r\n00;last\r\nChecksum: abc \r\nX-Other:\r\n\r\n");
        var decoder = BodyDecoder.Chunked();
        DecodeLog log = Drive.Run(decoder, body);
        Assert.Equal(["header 5  ;name=\"va;lue\"", "data", "ChunkEnd", "header 0 ;last", "trailer Checksum=abc", "trailer X-Other=", "Completed"], log.Events);
        Assert.True(decoder.IsCompleted);
        Assert.Equal(5, decoder.DecodedLength);
    }

    [Fact]
    public void SizesAreHexCaseInsensitiveWithLeadingZerosAndOverflowChecked()
    {
        Assert.Equal("header 255", Drive.Run(BodyDecoder.Chunked(), Drive.Ascii("00000000000000000000fF\r\n")).Events[0]);
        Assert.Equal($"header {long.MaxValue}", Drive.Run(BodyDecoder.Chunked(), Drive.Ascii("7fffffffffffffff\r\n")).Events[0]);
        Assert.Equal(ChunkDecodeError.ChunkSizeOverflow, Drive.Run(BodyDecoder.Chunked(), Drive.Ascii("8000000000000000\r\n")).Error);
        Assert.Equal(ChunkDecodeError.ChunkSizeOverflow, Drive.Run(BodyDecoder.Chunked(), Drive.Ascii("ffffffffffffffffff\r\n")).Error);
    }

    [Fact]
    public void Limits()
    {
        var limits = new ChunkedLimits { MaxLineLength = 8, MaxTrailerCount = 1, MaxTrailerBytes = 10, MaxChunkSize = 16 };
        Assert.Equal(OperationStatus.Done, Drive.Run(BodyDecoder.Chunked(limits), Drive.Ascii("1;abcdef\r\nx\r\n0\r\n\r\n")).Final);
        Assert.Equal(ChunkDecodeError.LineTooLong, Drive.Run(BodyDecoder.Chunked(limits), Drive.Ascii("1;abcdefg\r\n")).Error);
        Assert.Equal(ChunkDecodeError.LineTooLong, Drive.Run(BodyDecoder.Chunked(limits), Drive.Ascii("1;abcdefg")).Error);
        Assert.Equal(OperationStatus.NeedMoreData, Drive.Run(BodyDecoder.Chunked(limits), Drive.Ascii("1;abcdef\r")).Final);
        Assert.Equal(ChunkDecodeError.ChunkTooLarge, Drive.Run(BodyDecoder.Chunked(limits), Drive.Ascii("11\r\n")).Error);
        Assert.Equal(OperationStatus.Done, Drive.Run(BodyDecoder.Chunked(limits), Drive.Ascii("10\r\n0123456789abcdef\r\n0\r\n\r\n")).Final);
        Assert.Equal(ChunkDecodeError.TooManyTrailers, Drive.Run(BodyDecoder.Chunked(limits), Drive.Ascii("0\r\na:1\r\nb:2\r\n\r\n")).Error);
        Assert.Equal(ChunkDecodeError.TrailersTooLarge, Drive.Run(BodyDecoder.Chunked(limits with { MaxTrailerCount = 5, MaxTrailerBytes = 9 }), Drive.Ascii("0\r\na:1\r\nb:2\r\n\r\n")).Error);

        ChunkedLimits d = default;
        Assert.Equal(4096, d.MaxLineLength);
        Assert.Equal(16, d.MaxTrailerCount);
        Assert.Equal(8192, d.MaxTrailerBytes);
        Assert.Equal(long.MaxValue, d.MaxChunkSize);
    }

    public static TheoryData<string, ChunkDecodeError> Malformed => new()
    {
        { "\r\n", ChunkDecodeError.InvalidChunkSize },
        { "x\r\n", ChunkDecodeError.InvalidChunkSize },
        { "-1\r\n", ChunkDecodeError.InvalidChunkSize },
        { "1g\r\n", ChunkDecodeError.InvalidChunkSize },
        { "1 x\r\n", ChunkDecodeError.InvalidChunkSize },
        { "1 \r\n", ChunkDecodeError.InvalidChunkExtension },
        { "1;a\u0001\r\n", ChunkDecodeError.InvalidChunkExtension },
        { "1\n", ChunkDecodeError.InvalidLineEnding },
        { "1\r\r\n", ChunkDecodeError.InvalidLineEnding },
        { "1;a\rb\r\n", ChunkDecodeError.InvalidLineEnding },
        { "1\r\nab\r\n", ChunkDecodeError.InvalidChunkTerminator },
        { "1\r\na\n", ChunkDecodeError.InvalidChunkTerminator },
        { "0\r\n:v\r\n\r\n", ChunkDecodeError.InvalidTrailer },
        { "0\r\n\tx: v\r\n\r\n", ChunkDecodeError.InvalidTrailer },
        { "0\r\nx: v\rw\r\n\r\n", ChunkDecodeError.InvalidLineEnding },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedBodies_AreRejected(string body, ChunkDecodeError expected)
    {
        DecodeLog log = Drive.Run(BodyDecoder.Chunked(), Drive.Ascii(body));
        Assert.Equal(OperationStatus.InvalidData, log.Final);
        Assert.Equal(expected, log.Error);
    }

    [Fact]
    public void RandomRoundTrips_WithTheEncoder()
    {
        var random = new Random(9112);
        byte[] scratch = new byte[256];
        for (int round = 0; round < 300; round++)
        {
            byte[] payload = new byte[random.Next(0, 4000)];
            random.NextBytes(payload);
            int chunk = random.Next(1, 700);
            var output = new MemoryStream();
            for (int offset = 0; offset < payload.Length; offset += chunk)
            {
                int size = Math.Min(chunk, payload.Length - offset);
                Assert.True(ChunkedEncoder.TryWriteChunkHeader(size, scratch, out int n));
                Assert.Equal(ChunkedEncoder.GetChunkHeaderLength(size), n);
                output.Write(scratch, 0, n);
                output.Write(payload, offset, size);
                Assert.True(ChunkedEncoder.TryWriteCrLf(scratch, out n));
                output.Write(scratch, 0, n);
            }

            long trailerLength = 0;
            if (round % 2 == 0)
            {
                Assert.True(ChunkedEncoder.TryWriteChunkHeader(0, scratch, out int n));
                output.Write(scratch, 0, n);
                Assert.True(ChunkedEncoder.TryWriteTrailer("x-amz-checksum-crc32"u8, "AAAAAA=="u8, scratch, out n));
                Assert.Equal(ChunkedEncoder.GetTrailerLength(20, 8), n);
                trailerLength = n;
                output.Write(scratch, 0, n);
                Assert.True(ChunkedEncoder.TryWriteCrLf(scratch, out n));
                output.Write(scratch, 0, n);
            }
            else
            {
                Assert.True(ChunkedEncoder.TryWriteFinalChunk(scratch, out int n));
                output.Write(scratch, 0, n);
            }

            byte[] body = output.ToArray();
            Assert.Equal(body.Length, ChunkedEncoder.GetEncodedLength(payload.Length, chunk, trailerLength));
            int[] cuts = Enumerable.Range(0, random.Next(0, 12)).Select(_ => random.Next(0, body.Length + 1)).ToArray();
            DecodeLog log = Drive.Run(BodyDecoder.Chunked(), body, cuts);
            Assert.Equal(OperationStatus.Done, log.Final);
            Assert.Equal(payload, log.Data.ToArray());
            Assert.Equal(body.Length, log.Consumed);
        }
    }

    [Fact]
    public void EncoderEdgeCases()
    {
        Assert.False(ChunkedEncoder.TryWriteChunkHeader(0x1234, new byte[5], out int n));
        Assert.Equal(0, n);
        Assert.True(ChunkedEncoder.TryWriteChunkHeader(0x1234, new byte[6], out n));
        Assert.Equal(6, n);
        Assert.Equal(18, ChunkedEncoder.GetChunkHeaderLength(long.MaxValue));
        Assert.Equal(3, ChunkedEncoder.GetChunkHeaderLength(0));
        Assert.False(ChunkedEncoder.TryWriteFinalChunk(new byte[4], out _));
        Assert.False(ChunkedEncoder.TryWriteCrLf(new byte[1], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedEncoder.TryWriteChunkHeader(-1, new byte[8], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedEncoder.GetEncodedLength(1, 0));
    }
}
