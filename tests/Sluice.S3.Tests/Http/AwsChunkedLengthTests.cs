using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

/// <summary>aws-chunked framing lengths (format per the S3 sigv4-streaming and sigv4-streaming-trailers pages).</summary>
public sealed class AwsChunkedLengthTests
{
    [Fact]
    public void Documented_example_length() =>
        // 65 KiB of data in 64 KiB signed chunks: Content-Length 66824 in the S3 docs example.
        Assert.Equal(66824, AwsChunkedEncoder.GetEncodedLength(66560, 65536, chunkSignatures: true));

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
            Assert.Equal(trailerLength, AwsChunkedEncoder.GetTrailerLength("x-amz-checksum-crc32".Length, line.Length - 23));
            body.Append(line);
            if (signedChunks)
            {
                body.Append("x-amz-trailer-signature:").Append(sig).Append("\r\n");
            }
        }

        body.Append("\r\n");
        // The trailer length passed in covers every trailer line, the signature line included when signed.
        long trailers = trailerLength + (signedChunks && trailerLength > 0 ? AwsChunkedEncoder.TrailerSignatureLineLength : 0);
        Assert.Equal(body.Length, AwsChunkedEncoder.GetEncodedLength(decoded, chunkSize, signedChunks, trailers));
    }

    [Fact]
    public void Writes_chunk_headers()
    {
        Span<byte> buffer = stackalloc byte[AwsChunkedEncoder.GetChunkHeaderLength(65536, chunkSignatures: true)];
        Assert.True(AwsChunkedEncoder.TryWriteChunkHeader(65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"u8, buffer, out int n));
        Assert.Equal("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n",
            Encoding.ASCII.GetString(buffer[..n]));
        Assert.True(AwsChunkedEncoder.TryWriteChunkHeader(1024, default, buffer, out n));
        Assert.Equal("400\r\n", Encoding.ASCII.GetString(buffer[..n]));
    }
}
