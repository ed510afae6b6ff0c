using System.Text;
using Sluice.S3.Auth;

namespace Sluice.S3.Tests.Auth;

/// <summary>aws-chunked framing lengths (format per the S3 sigv4-streaming and sigv4-streaming-trailers pages).</summary>
public sealed class AwsChunkedEncodingTests
{
    [Fact]
    public void Documented_example_length() =>
        // 65 KiB of data in 64 KiB signed chunks: Content-Length 66824 in the S3 docs example.
        Assert.Equal(66824, AwsChunkedEncoding.EncodedLength(66560, 65536, signedChunks: true));

    [Theory]
    [InlineData(0L, 65536, true, 0)]
    [InlineData(1L, 65536, true, 0)]
    [InlineData(65536L, 65536, false, 0)]
    [InlineData(200000L, 65536, false, 0)]
    [InlineData(200000L, 8192, false, 36)]
    [InlineData(200000L, 8192, true, 36)]
    [InlineData(17L, 16, true, 0)]
    public void Length_equals_the_bytes_of_a_built_body(long decoded, int chunkSize, bool signedChunks, int trailerLength)
    {
        // Build the body literally (placeholder signatures: only lengths matter) and compare.
        string sig = new('0', 64);
        var body = new StringBuilder();
        for (long left = decoded; left > 0; left -= chunkSize)
        {
            long n = Math.Min(left, chunkSize);
            body.Append(n.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
            if (signedChunks)
            {
                body.Append(";chunk-signature=").Append(sig);
            }

            body.Append("\r\n").Append('a', (int)n).Append("\r\n");
        }

        body.Append(signedChunks ? "0;chunk-signature=" + sig + "\r\n" : "0\r\n");
        if (trailerLength > 0)
        {
            string line = "x-amz-checksum-crc32:" + new string('A', trailerLength - "x-amz-checksum-crc32:".Length - 2) + "\r\n";
            Assert.Equal(trailerLength, AwsChunkedEncoding.TrailerLineLength("x-amz-checksum-crc32".Length, line.Length - 23));
            body.Append(line);
            if (signedChunks)
            {
                body.Append("x-amz-trailer-signature:").Append(sig).Append("\r\n");
            }
        }

        body.Append("\r\n");
        Assert.Equal(body.Length, AwsChunkedEncoding.EncodedLength(decoded, chunkSize, signedChunks, trailerLength));
    }

    [Fact]
    public void Writes_chunk_headers()
    {
        Span<byte> buffer = stackalloc byte[AwsChunkedEncoding.MaxChunkHeaderLength];
        int n = AwsChunkedEncoding.WriteChunkHeader(buffer, 65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"u8);
        Assert.Equal("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n",
            Encoding.ASCII.GetString(buffer[..n]));
        n = AwsChunkedEncoding.WriteChunkHeader(buffer, 1024, default);
        Assert.Equal("400\r\n", Encoding.ASCII.GetString(buffer[..n]));
    }
}
