using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sluice.S3.Http;
using Sluice.S3.Tests.Http;

namespace Sluice.Benchmarks;

/// <summary>HTTP/1.1 codec hot paths: head parse/write and aws-chunked decode. Parses must show 0 B allocated.</summary>
[MemoryDiagnoser]
public class HttpBenchmarks
{
    // The AWS S3 API reference heads the tests check (S3Heads, linked from the test project): the chunked-upload
    // example (Authorization included) plus two more fields, and the GetObject sample response.
    private static readonly byte[] PutHead = Encoding.ASCII.GetBytes(
        S3Heads.ChunkedPut[..^2] +
        "x-amz-meta-owner: benchmark\r\n" +
        "User-Agent: sluice/0.1\r\n" +
        "\r\n");

    private static readonly byte[] GetResponse = Encoding.ASCII.GetBytes(S3Heads.GetResponse);

    private static readonly DateTimeOffset LastModified = new(2009, 10, 12, 17, 50, 0, TimeSpan.Zero);

    private readonly byte[] _writeBuffer = new byte[1024];
    private readonly S3RequestHead _requestHead = new();
    private readonly S3ResponseHead _responseHead = new();
    private byte[] _awsBody = [];

    [GlobalSetup]
    public void Setup()
    {
        // 1 MiB in 64 KiB signed chunks, framed by the encoder.
        const int Payload = 1 << 20, Chunk = 64 * 1024;
        byte[] signature = Encoding.ASCII.GetBytes(new string('a', AwsChunkedEncoder.SignatureLength));
        var body = new byte[AwsChunkedEncoder.GetEncodedLength(Payload, Chunk, true)];
        int p = 0;
        for (int left = Payload; ; left -= Chunk)
        {
            int size = Math.Clamp(left, 0, Chunk);
            AwsChunkedEncoder.TryWriteChunkHeader(size, signature, body.AsSpan(p), out int n);
            p += n + size;
            ChunkedEncoder.TryWriteCrLf(body.AsSpan(p), out n);
            p += n;
            if (size == 0)
            {
                break;
            }
        }

        if (p != body.Length)
        {
            throw new InvalidOperationException("encoded length mismatch");
        }

        _awsBody = body;
    }

    [Benchmark]
    [AllocationFree]
    public int ParseRequestHead()
    {
        Handler h = default;
        return HttpHeadParser.ParseRequestHead(PutHead, ref h).BytesConsumed + h.Known;
    }

    [Benchmark]
    [AllocationFree]
    public long ParseRequestHeadIntoS3RequestHead() => _requestHead.Parse(PutHead).BytesConsumed + _requestHead.ContentLength;

    [Benchmark]
    [AllocationFree]
    public int ParseResponseHead()
    {
        Handler h = default;
        return HttpHeadParser.ParseResponseHead(GetResponse, ref h).BytesConsumed + h.Known;
    }

    [Benchmark]
    [AllocationFree]
    public long ParseResponseHeadIntoS3ResponseHead() => _responseHead.Parse(GetResponse).BytesConsumed + _responseHead.ContentLength;

    [Benchmark]
    [AllocationFree]
    public int WriteResponseHead()
    {
        var w = new HttpHeadWriter(_writeBuffer);
        w.TryWriteStatusLine(200);
        w.TryWriteHeader(KnownHeader.XAmzId2, "eftixk72aD6Ap51TnqcoF8eFidJG9Z/2mkiDFu8yU9AS1ed4OpIszj7UDNEHGran"u8);
        w.TryWriteHeader(KnownHeader.XAmzRequestId, "318BC8BC148832E5"u8);
        w.TryWriteHeader(KnownHeader.Date, LastModified);
        w.TryWriteHeader(KnownHeader.LastModified, LastModified);
        w.TryWriteHeader(KnownHeader.ETag, "\"fba9dede5f27731c9771645a39863328\""u8);
        w.TryWriteContentLength(434234);
        w.TryWriteHeader(KnownHeader.ContentType, "text/plain"u8);
        w.TryWriteHeader(KnownHeader.Server, "AmazonS3"u8);
        w.TryWriteEnd();
        return w.BytesWritten;
    }

    [Benchmark]
    [AllocationFree]
    public long DecodeAwsChunked1MiB()
    {
        var decoder = new AwsChunkedDecoder(chunkSignatures: true);
        ReadOnlySpan<byte> rest = _awsBody;
        long data = 0;
        while (decoder.Decode(rest, out int consumed, out ChunkEvent evt) == OperationStatus.Done && evt.Kind != ChunkEventKind.Completed)
        {
            data += evt.Data.Length;
            rest = rest[consumed..];
        }

        return data;
    }

    private struct Handler : IHttpRequestHeadHandler, IHttpResponseHeadHandler
    {
        public int Known;

        public readonly void OnRequestLine(in HttpRequestLine line)
        {
        }

        public readonly void OnStatusLine(HttpProtocolVersion version, int statusCode, ReadOnlySpan<byte> reason)
        {
        }

        public void OnHeader(KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            if (header != KnownHeader.Unknown)
            {
                Known++;
            }
        }

        public readonly void OnHeadersComplete()
        {
        }
    }
}
