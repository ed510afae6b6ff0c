using System.Buffers;
using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class AwsChunkedTests
{
    // AWS S3 API reference, "Signature Calculations for the Authorization Header: Transferring Payload in Multiple
    // Chunks (Chunked Upload)", Example: PUT Object: 65 KiB of 'a' in 64 KiB chunks, Content-Length 66824.
    private const string Sig1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    private const string Sig2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    private const string Sig3 = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";
    private const int AwsExampleContentLength = 66824;
    private const int AwsExampleDecodedLength = 65 * 1024;

    internal static byte[] AwsExampleBody() => Drive.Ascii(
        $"10000;chunk-signature={Sig1}\r\n" + new string('a', 65536) + "\r\n" +
        $"400;chunk-signature={Sig2}\r\n" + new string('a', 1024) + "\r\n" +
        $"0;chunk-signature={Sig3}\r\n\r\n");

    [Fact]
    public void AwsExample_HasTheDocumentedLength()
    {
        Assert.Equal(AwsExampleContentLength, AwsExampleBody().Length);
        Assert.Equal(AwsExampleContentLength, AwsChunkedEncoder.GetEncodedLength(AwsExampleDecodedLength, 64 * 1024, true));
    }

    [Fact]
    public void AwsExample_Decodes()
    {
        byte[] body = AwsExampleBody();
        var decoder = BodyDecoder.Aws(true);
        DecodeLog log = Drive.Run(decoder, body);
        Assert.Equal(OperationStatus.Done, log.Final);
        Assert.Equal(
            [$"header 65536 {Sig1}", "data", "ChunkEnd", $"header 1024 {Sig2}", "data", "ChunkEnd", $"header 0 {Sig3}", "Completed"],
            log.Events);
        Assert.Equal(AwsExampleDecodedLength, log.Data.Length);
        Assert.All(log.Data.ToArray(), b => Assert.Equal((byte)'a', b));
        Assert.Equal(body.Length, log.Consumed);
        Assert.True(decoder.IsCompleted);
        Assert.Equal(AwsExampleDecodedLength, decoder.DecodedLength);
    }

    [Fact]
    public void AwsExample_EncoderReproducesTheBody()
    {
        byte[] payload = Enumerable.Repeat((byte)'a', AwsExampleDecodedLength).ToArray();
        byte[] encoded = Encode(payload, 64 * 1024, [Sig1, Sig2, Sig3], []);
        Assert.Equal(AwsExampleBody(), encoded);
    }

    [Fact]
    public void AwsExample_SurvivesASplitAtEveryByteOfItsFraming()
    {
        // Every split inside the framing bytes and at the data edges (splits in the middle of data are equivalent).
        byte[] body = AwsExampleBody();
        DecodeLog reference = Drive.Run(BodyDecoder.Aws(true), body);
        var interesting = new List<int>();
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i] != 'a' || (i > 0 && body[i - 1] != 'a') || (i + 1 < body.Length && body[i + 1] != 'a'))
            {
                interesting.Add(i);
            }
        }

        Assert.True(interesting.Count > 250);
        foreach (int cut in interesting)
        {
            DecodeLog log = Drive.Run(BodyDecoder.Aws(true), body, [cut]);
            Assert.Equal(reference.Events, log.Events);
            Assert.Equal(reference.Data.ToArray(), log.Data.ToArray());
        }

        // And byte by byte (single-byte pieces), the harshest split of all.
        DecodeLog trickle = Drive.Run(BodyDecoder.Aws(true), body, Enumerable.Range(1, body.Length));
        Assert.Equal(reference.Events, trickle.Events);
        Assert.Equal(AwsExampleDecodedLength, trickle.Data.Length);
    }

    [Fact]
    public void UnsignedWithTrailer_DecodesAndSurvivesEverySplit()
    {
        // STREAMING-UNSIGNED-PAYLOAD-TRAILER shape from the AWS S3 docs on trailing checksums.
        string text = "a\r\n0123456789\r\n3\r\nabc\r\n0\r\nx-amz-checksum-crc32:sOO8/Q==\r\n\r\nGET /next";
        byte[] body = Drive.Ascii(text);
        DecodeLog reference = Drive.Run(BodyDecoder.Aws(false), body);
        Assert.Equal(["header 10", "data", "ChunkEnd", "header 3", "data", "ChunkEnd", "header 0", "trailer x-amz-checksum-crc32=sOO8/Q==", "Completed"], reference.Events);
        Assert.Equal("0123456789abc", Encoding.ASCII.GetString(reference.Data.ToArray()));
        Assert.Equal(text.Length - "GET /next".Length, reference.Consumed); // the pipelined bytes stay unconsumed
        for (int a = 0; a <= body.Length; a++)
        {
            for (int b = a; b <= body.Length; b += 3)
            {
                DecodeLog log = Drive.Run(BodyDecoder.Aws(false), body, [a, b]);
                Assert.Equal(reference.Events, log.Events);
                Assert.Equal(reference.Consumed, log.Consumed);
            }
        }
    }

    [Fact]
    public void SignedWithTrailer_ReportsTrailerSignature()
    {
        string trailerSig = new('f', 64);
        byte[] payload = Encoding.ASCII.GetBytes("hello world");
        byte[] body = Encode(payload, 4, [Sig1, Sig2, Sig3, new string('1', 64)], [("x-amz-checksum-crc32c", "sOO8/Q=="), ("x-amz-trailer-signature", trailerSig)]);
        long trailerLength = AwsChunkedEncoder.GetTrailerLength(21, 8) + AwsChunkedEncoder.TrailerSignatureLineLength;
        Assert.Equal(body.Length, AwsChunkedEncoder.GetEncodedLength(payload.Length, 4, true, trailerLength));
        DecodeLog log = Drive.Run(BodyDecoder.Aws(true), body);
        Assert.Equal("trailer x-amz-checksum-crc32c=sOO8/Q==", log.Events[^3]);
        Assert.Equal($"trailer x-amz-trailer-signature={trailerSig}", log.Events[^2]);
        Assert.Equal("hello world", Encoding.ASCII.GetString(log.Data.ToArray()));
    }

    [Fact]
    public void RandomRoundTrips_SignedAndUnsigned_WithRandomSplits()
    {
        var random = new Random(66824);
        for (int round = 0; round < 300; round++)
        {
            bool withSignatures = random.Next(2) == 0;
            int length = random.Next(0, 5000);
            int chunk = random.Next(1, 1200);
            byte[] payload = new byte[length];
            random.NextBytes(payload);
            int chunks = (length + chunk - 1) / chunk + 1;
            string[] sigs = withSignatures ? Enumerable.Range(0, chunks).Select(_ => RandomHex(random)).ToArray() : [];
            var trailers = new List<(string, string)>();
            if (random.Next(2) == 0)
            {
                trailers.Add(("x-amz-checksum-sha256", Convert.ToBase64String(payload.Take(32).ToArray())));
            }

            byte[] body = Encode(payload, chunk, sigs, trailers);
            long trailerLength = trailers.Sum(t => AwsChunkedEncoder.GetTrailerLength(t.Item1.Length, t.Item2.Length));
            Assert.Equal(body.Length, AwsChunkedEncoder.GetEncodedLength(length, chunk, withSignatures, trailerLength));

            int[] cuts = Enumerable.Range(0, random.Next(0, 20)).Select(_ => random.Next(0, body.Length + 1)).ToArray();
            DecodeLog log = Drive.Run(BodyDecoder.Aws(withSignatures), body, cuts);
            Assert.Equal(OperationStatus.Done, log.Final);
            Assert.Equal(payload, log.Data.ToArray());
            Assert.Equal(body.Length, log.Consumed);
            Assert.Equal(chunks, log.Events.Count(e => e.StartsWith("header", StringComparison.Ordinal)));
            if (withSignatures)
            {
                Assert.Equal(sigs, log.Events.Where(e => e.StartsWith("header", StringComparison.Ordinal)).Select(e => e.Split(' ')[2]).ToArray());
            }
        }
    }

    public static TheoryData<bool, string, ChunkDecodeError> Malformed => new()
    {
        { true, "10\r\n", ChunkDecodeError.MissingChunkSignature },
        { true, "10;foo=bar\r\n", ChunkDecodeError.MissingChunkSignature },
        { true, $"10;chunk-signature={Sig1[..63]}\r\n", ChunkDecodeError.InvalidChunkSignature },
        { true, $"10;chunk-signature={Sig1.ToUpperInvariant()}\r\n", ChunkDecodeError.InvalidChunkSignature },
        { true, $"10;chunk-signature={Sig1}0\r\n", ChunkDecodeError.InvalidChunkSignature },
        { true, $"1g;chunk-signature={Sig1}\r\n", ChunkDecodeError.InvalidChunkSize },
        { true, $";chunk-signature={Sig1}\r\n", ChunkDecodeError.InvalidChunkSize },
        { true, $"1;chunk-signature={Sig1}\r\naXY", ChunkDecodeError.InvalidChunkTerminator },
        { true, $"1;chunk-signature={Sig1}\r\naX", ChunkDecodeError.InvalidChunkTerminator },
        { true, $"1;chunk-signature={Sig1}\n", ChunkDecodeError.InvalidLineEnding },
        { true, $"1;chunk-signature={Sig1}\r\r\n", ChunkDecodeError.InvalidLineEnding },
        { false, "1;chunk-signature=x\r\n", ChunkDecodeError.InvalidChunkExtension },
        { false, "10000000000000000\r\n", ChunkDecodeError.ChunkSizeOverflow },
        { false, "0\r\nx-amz-checksum-crc32\r\n\r\n", ChunkDecodeError.InvalidTrailer },
        { false, "0\r\nbad name:v\r\n\r\n", ChunkDecodeError.InvalidTrailer },
        { false, "0\r\n x:v\r\n\r\n", ChunkDecodeError.InvalidTrailer },
        { false, "0\r\nx:\u0001\r\n\r\n", ChunkDecodeError.InvalidTrailer },
        { false, "0\r\nx:v\n", ChunkDecodeError.InvalidLineEnding },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedBodies_AreRejected(bool withSignatures, string body, ChunkDecodeError expected)
    {
        var decoder = BodyDecoder.Aws(withSignatures);
        DecodeLog log = Drive.Run(decoder, Drive.Ascii(body));
        Assert.Equal(OperationStatus.InvalidData, log.Final);
        Assert.Equal(expected, log.Error);
        // A failed decoder stays failed.
        Assert.Equal(OperationStatus.InvalidData, decoder.Decode("0\r\n\r\n"u8, out int consumed, out ChunkEvent evt));
        Assert.Equal(0, consumed);
        Assert.Equal(ChunkEventKind.None, evt.Kind);
    }

    [Fact]
    public void EncoderRejectsBadSignaturesAndTrailers()
    {
        byte[] buffer = new byte[256];
        Assert.Throws<ArgumentException>(() => AwsChunkedEncoder.TryWriteChunkHeader(1, "abc"u8, buffer, out _));
        Assert.Throws<ArgumentException>(() => AwsChunkedEncoder.TryWriteChunkHeader(1, Encoding.ASCII.GetBytes(Sig1.ToUpperInvariant()), buffer, out _));
        Assert.Throws<ArgumentException>(() => AwsChunkedEncoder.TryWriteTrailer("a b"u8, "v"u8, buffer, out _));
        Assert.Throws<ArgumentException>(() => AwsChunkedEncoder.TryWriteTrailer("x"u8, "v\r\nx: y"u8, buffer, out _));
        Assert.False(AwsChunkedEncoder.TryWriteChunkHeader(0x10000, Encoding.ASCII.GetBytes(Sig1), new byte[87], out int n));
        Assert.Equal(0, n);
        Assert.True(AwsChunkedEncoder.TryWriteChunkHeader(0x10000, Encoding.ASCII.GetBytes(Sig1), new byte[88], out n));
        Assert.Equal(88, n);
    }

    /// <summary>Encodes with the encoder under test; signatures are used in order (last one for the 0-size chunk).</summary>
    internal static byte[] Encode(byte[] payload, int chunkSize, string[] signatures, List<(string Name, string Value)> trailers)
    {
        var output = new MemoryStream();
        byte[] scratch = new byte[512];
        int s = 0;
        for (int offset = 0; ; offset += chunkSize)
        {
            int size = Math.Clamp(payload.Length - offset, 0, chunkSize);
            byte[] sig = signatures.Length > 0 ? Encoding.ASCII.GetBytes(signatures[s++]) : [];
            Assert.True(AwsChunkedEncoder.TryWriteChunkHeader(size, sig, scratch, out int n));
            Assert.Equal(AwsChunkedEncoder.GetChunkHeaderLength(size, sig.Length > 0), n);
            output.Write(scratch, 0, n);
            if (size == 0)
            {
                break;
            }

            output.Write(payload, offset, size);
            Assert.True(ChunkedEncoder.TryWriteCrLf(scratch, out n));
            output.Write(scratch, 0, n);
        }

        foreach ((string name, string value) in trailers)
        {
            Assert.True(AwsChunkedEncoder.TryWriteTrailer(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value), scratch, out int n));
            Assert.Equal(AwsChunkedEncoder.GetTrailerLength(name.Length, value.Length), n);
            output.Write(scratch, 0, n);
        }

        Assert.True(ChunkedEncoder.TryWriteCrLf(scratch, out int end));
        output.Write(scratch, 0, end);
        return output.ToArray();
    }

    private static string RandomHex(Random random) => Convert.ToHexStringLower(Enumerable.Range(0, 32).Select(_ => (byte)random.Next(256)).ToArray());
}
