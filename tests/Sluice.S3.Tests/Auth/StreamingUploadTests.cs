using System.Buffers;
using System.Globalization;
using Sluice.S3.Auth;
using Sluice.S3.Http;
using static Sluice.S3.Tests.Auth.AuthTestHelpers;

namespace Sluice.S3.Tests.Auth;

/// <summary>
/// The codec and the signer working together as the server will use them: an aws-chunked body built by the
/// encoder and chunk signer, decoded incrementally, every chunk signature checked before its data would be kept.
/// Data: the S3 documentation's 64 KiB chunked upload example (66,560 bytes of 'a', 64 KiB chunks).
/// </summary>
public sealed class StreamingUploadTests
{
    private static (byte[] Body, SigV4AuthResult Auth) BuildExample()
    {
        long contentLength = AwsChunkedEncoder.GetEncodedLength(66560, 65536, chunkSignatures: true);
        SigV4HeaderList headers = ToHeaderList([("Host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("x-amz-content-sha256", SigV4PayloadHash.StreamingSigned),
            ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "66560"),
            ("Content-Length", contentLength.ToString(CultureInfo.InvariantCulture))]);
        SigV4SigningResult seed = S3DocExampleTests.Signer().SignHeaders(headers, "PUT", "/examplebucket/chunkObject.txt",
            null, SigV4PayloadHash.StreamingSigned, S3DocExampleTests.DocTime);
        var signer = new SigV4ChunkSigner(seed);
        var body = new ArrayBufferWriter<byte>();
        byte[] data = new byte[66560];
        Array.Fill(data, (byte)'a');
        foreach (var chunk in new[] { data.AsMemory(0, 65536), data.AsMemory(65536), Memory<byte>.Empty })
        {
            byte[] sig = System.Text.Encoding.ASCII.GetBytes(signer.SignChunk(chunk.Span));
            Assert.True(AwsChunkedEncoder.TryWriteChunkHeader(chunk.Length, sig, body.GetSpan(200), out int n));
            body.Advance(n);
            body.Write(chunk.Span);
            if (chunk.Length > 0) body.Write("\r\n"u8);
        }
        body.Write("\r\n"u8);
        Assert.Equal(66824, body.WrittenCount);
        SigV4AuthResult auth = Verify(S3DocExampleTests.Verifier(), "PUT", "/examplebucket/chunkObject.txt", "", headers,
            S3DocExampleTests.DocTime);
        Assert.True(auth.IsAuthenticated, auth.ErrorMessage);
        return (body.WrittenSpan.ToArray(), auth);
    }

    /// <summary>Decodes in pieces of <paramref name="piece"/> bytes; returns (data bytes accepted, chunks verified, failed).</summary>
    private static (long Data, int Verified, bool Failed) DecodeAndVerify(byte[] body, SigV4AuthResult auth, int piece)
    {
        using var verifier = new SigV4ChunkVerifier();
        verifier.Reset(auth);
        var decoder = new AwsChunkedDecoder(chunkSignatures: true);
        byte[] pending = [];
        byte[] claimed = new byte[64];
        long data = 0;
        int verified = 0;
        for (int offset = 0; offset < body.Length || pending.Length > 0;)
        {
            int take = Math.Min(piece, body.Length - offset);
            byte[] input = [.. pending, .. body.AsSpan(offset, take)];
            offset += take;
            ReadOnlySpan<byte> rest = input;
            while (true)
            {
                var status = decoder.Decode(rest, out int consumed, out ChunkEvent evt);
                if (status == OperationStatus.InvalidData) return (data, verified, true);
                if (status == OperationStatus.NeedMoreData) break;
                rest = rest[consumed..];
                switch (evt.Kind)
                {
                    case ChunkEventKind.ChunkHeader:
                        evt.Signature.CopyTo(claimed);
                        // The final 0-size chunk has no data and no ChunkEnd: its signature is checked at once.
                        if (evt.ChunkSize == 0)
                        {
                            if (!verifier.VerifyChunk(claimed)) return (data, verified, true);
                            verified++;
                        }
                        break;
                    case ChunkEventKind.Data: verifier.AppendChunkData(evt.Data); data += evt.Data.Length; break;
                    case ChunkEventKind.ChunkEnd:
                        if (!verifier.VerifyChunk(claimed)) return (data, verified, true);
                        verified++;
                        break;
                    case ChunkEventKind.Completed: return (data, verified, false);
                }
            }
            pending = rest.ToArray();
            if (take == 0 && pending.Length > 0) return (data, verified, true); // truncated body
        }
        return (data, verified, true);
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(4096)]
    [InlineData(1000)]
    [InlineData(7)]
    public void Every_chunk_of_the_documented_example_verifies_whatever_the_read_size(int piece)
    {
        var (body, auth) = BuildExample();
        var (data, verified, failed) = DecodeAndVerify(body, auth, piece);
        Assert.False(failed);
        Assert.Equal(66560, data);
        Assert.Equal(3, verified); // two data chunks and the final 0-size chunk, each with its own signature
    }

    [Theory]
    [InlineData(100)]       // in the first chunk's data
    [InlineData(65600)]     // in the second chunk's data
    [InlineData(30)]        // in the first chunk's signature
    public void A_flipped_byte_anywhere_fails_verification(int position)
    {
        var (body, auth) = BuildExample();
        body[position] ^= 0x01;
        Assert.True(DecodeAndVerify(body, auth, 4096).Failed);
    }

    [Fact]
    public void An_uppercase_hex_chunk_signature_fails()
    {
        var (_, auth) = BuildExample();
        byte[] first = new byte[65536];
        Array.Fill(first, (byte)'a');
        const string Signature = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"; // the S3 docs' first chunk
        using var verifier = new SigV4ChunkVerifier();
        verifier.Reset(auth);
        verifier.AppendChunkData(first);
        // The same bytes in hex, upper-cased: not the signature SigV4 defines, so not accepted.
        Assert.False(verifier.VerifyChunk(System.Text.Encoding.ASCII.GetBytes(Signature.ToUpperInvariant())));
        verifier.Reset(auth);
        verifier.AppendChunkData(first);
        Assert.True(verifier.VerifyChunk(System.Text.Encoding.ASCII.GetBytes(Signature)));
    }

    [Fact]
    public void A_chunk_out_of_order_fails_because_signatures_chain()
    {
        var (_, auth) = BuildExample();
        byte[] second = new byte[1024];
        Array.Fill(second, (byte)'a');
        using var verifier = new SigV4ChunkVerifier();
        verifier.Reset(auth);
        // The second chunk with its own, correct signature, but presented first: its signature was chained from the
        // first chunk's, so it cannot verify against the seed.
        verifier.AppendChunkData(second);
        Assert.False(verifier.VerifyChunk("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"u8));
    }
}
