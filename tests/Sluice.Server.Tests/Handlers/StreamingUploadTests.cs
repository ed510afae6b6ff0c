using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Auth;

namespace Sluice.Server.Tests.Handlers;

/// <summary>aws-chunked PutObject bodies (as the AWS SDKs send them) through the handlers: signed chunks, checksum
/// trailers verified against the stored bytes, aws-chunked not leaking into Content-Encoding.</summary>
public class StreamingUploadTests
{
    private static string Crc32Base64(byte[] data) => Convert.ToBase64String(BitConverter.GetBytes(
        System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Sluice.S3.Checksums.Crc32.HashToUInt32(data))));

    private static byte[] UnsignedTrailerBody(byte[] payload, string crc) => Encoding.ASCII.GetBytes(
        $"{payload.Length:x}\r\n").Concat(payload).Concat(Encoding.ASCII.GetBytes($"\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n")).ToArray();

    /// <summary>An aws-chunked body of signed chunks of <paramref name="chunkSize"/> bytes (the last one empty).</summary>
    internal static byte[] SignedChunks(byte[] payload, int chunkSize, SigV4SigningResult seed)
    {
        var signer = new SigV4ChunkSigner(seed);
        var body = new MemoryStream();
        for (int offset = 0; ; offset += chunkSize)
        {
            var chunk = payload.AsSpan(Math.Min(offset, payload.Length), Math.Max(0, Math.Min(chunkSize, payload.Length - offset))).ToArray();
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={signer.SignChunk(chunk)}\r\n"));
            body.Write(chunk);
            body.Write("\r\n"u8);
            if (chunk.Length == 0) break;
        }
        return body.ToArray();
    }

    [Fact]
    public async Task Unsigned_payload_with_a_crc32_trailer_is_verified_and_stored()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/stream")).Status);
        var payload = RandomNumberGenerator.GetBytes(70_000);
        string crc = Crc32Base64(payload);
        (string, string)[] headers = [("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", payload.Length.ToString(CultureInfo.InvariantCulture)),
            ("x-amz-trailer", "x-amz-checksum-crc32")];
        var put = await c.SendAsync("PUT", "/stream/t", body: UnsignedTrailerBody(payload, crc), headers: headers,
            payloadHash: SigV4PayloadHash.StreamingUnsignedTrailer);
        Assert.True(put.Status == 200, put.Text);
        Assert.Equal(crc, put.Header("x-amz-checksum-crc32"));
        var get = await c.GetObjectAsync("stream", "t", ("x-amz-checksum-mode", "ENABLED"));
        Assert.Equal(payload, get.Body);
        Assert.Equal(crc, get.Header("x-amz-checksum-crc32"));
        Assert.Null(get.Header("Content-Encoding"));

        var wrong = await c.SendAsync("PUT", "/stream/t", body: UnsignedTrailerBody(payload, Crc32Base64([1, 2, 3])), headers: headers,
            payloadHash: SigV4PayloadHash.StreamingUnsignedTrailer);
        Assert.Equal("BadDigest", wrong.ErrorCode);
        Assert.Equal(payload, (await c.GetObjectAsync("stream", "t")).Body);
    }

    [Fact]
    public async Task Signed_chunks_are_stored_and_a_forged_chunk_changes_nothing()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/stream")).Status);
        var payload = RandomNumberGenerator.GetBytes(150_000);
        (string, string)[] headers = [("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", payload.Length.ToString(CultureInfo.InvariantCulture))];
        var put = await c.SendAsync("PUT", "/stream/s", headers: headers, payloadHash: SigV4PayloadHash.StreamingSigned,
            bodyFromSeed: seed => SignedChunks(payload, 64 * 1024, seed));
        Assert.True(put.Status == 200, put.Text);
        Assert.Equal(payload, (await c.GetObjectAsync("stream", "s")).Body);

        var forged = await c.SendAsync("PUT", "/stream/s", headers: headers, payloadHash: SigV4PayloadHash.StreamingSigned,
            bodyFromSeed: seed =>
            {
                var body = SignedChunks(payload, 64 * 1024, seed);
                body[body.Length / 2] ^= 1; // a data byte inside the second chunk
                return body;
            });
        Assert.Equal("SignatureDoesNotMatch", forged.ErrorCode);
        Assert.Equal(payload, (await c.GetObjectAsync("stream", "s")).Body);
    }

    [Fact]
    public async Task Signed_trailer_is_verified_and_a_missing_or_forged_trailer_signature_is_refused()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/stream")).Status);
        var payload = RandomNumberGenerator.GetBytes(100_000);
        string crc = Crc32Base64(payload);
        (string, string)[] headers = [("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", payload.Length.ToString(CultureInfo.InvariantCulture)),
            ("x-amz-trailer", "x-amz-checksum-crc32")];

        // Signed chunks, the final 0-size chunk, then "x-amz-checksum-crc32:…" and "x-amz-trailer-signature:…" lines.
        byte[] Body(SigV4SigningResult seed, string sentCrc, bool signTrailer)
        {
            var signer = new SigV4ChunkSigner(seed);
            var body = new MemoryStream();
            foreach (var chunk in new[] { payload[..65536], payload[65536..], [] })
            {
                body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={signer.SignChunk(chunk)}\r\n"));
                body.Write(chunk);
                if (chunk.Length > 0) body.Write("\r\n"u8);
            }
            string trailer = $"x-amz-checksum-crc32:{crc}\r\n";
            string signature = signer.SignTrailer(Encoding.ASCII.GetBytes(trailer));
            body.Write(Encoding.ASCII.GetBytes($"x-amz-checksum-crc32:{sentCrc}\r\n"));
            if (signTrailer) body.Write(Encoding.ASCII.GetBytes($"x-amz-trailer-signature:{signature}\r\n"));
            body.Write("\r\n"u8);
            return body.ToArray();
        }

        var put = await c.SendAsync("PUT", "/stream/st", headers: headers, payloadHash: SigV4PayloadHash.StreamingSignedTrailer,
            bodyFromSeed: seed => Body(seed, crc, signTrailer: true));
        Assert.True(put.Status == 200, put.Text);
        Assert.Equal(crc, put.Header("x-amz-checksum-crc32"));
        Assert.Equal(payload, (await c.GetObjectAsync("stream", "st")).Body);

        foreach (var (sentCrc, signTrailer) in new[] { (crc, false), (Crc32Base64([9]), true) })
        {
            var bad = await c.SendAsync("PUT", "/stream/st2", headers: headers, payloadHash: SigV4PayloadHash.StreamingSignedTrailer,
                bodyFromSeed: seed => Body(seed, sentCrc, signTrailer));
            Assert.Equal("SignatureDoesNotMatch", bad.ErrorCode);
            Assert.Equal(404, (await c.GetObjectAsync("stream", "st2")).Status);
        }
    }

    [Fact]
    public async Task Unsigned_payload_with_a_crc64nvme_trailer_as_current_sdks_send_by_default()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/stream")).Status);
        var payload = RandomNumberGenerator.GetBytes(90_000);
        var crcBytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(crcBytes, Sluice.S3.Checksums.Crc64Nvme.HashToUInt64(payload));
        string crc = Convert.ToBase64String(crcBytes);
        (string, string)[] headers = [("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", payload.Length.ToString(CultureInfo.InvariantCulture)),
            ("x-amz-trailer", "x-amz-checksum-crc64nvme"), ("x-amz-sdk-checksum-algorithm", "CRC64NVME")];
        byte[] Body(string value) => Encoding.ASCII.GetBytes($"{payload.Length:x}\r\n").Concat(payload)
            .Concat(Encoding.ASCII.GetBytes($"\r\n0\r\nx-amz-checksum-crc64nvme:{value}\r\n\r\n")).ToArray();
        var put = await c.SendAsync("PUT", "/stream/n", body: Body(crc), headers: headers, payloadHash: SigV4PayloadHash.StreamingUnsignedTrailer);
        Assert.True(put.Status == 200, put.Text);
        Assert.Equal(crc, put.Header("x-amz-checksum-crc64nvme"));
        var get = await c.GetObjectAsync("stream", "n", ("x-amz-checksum-mode", "ENABLED"));
        Assert.Equal(payload, get.Body);
        Assert.Equal(crc, get.Header("x-amz-checksum-crc64nvme"));
        Assert.Equal("FULL_OBJECT", get.Header("x-amz-checksum-type"));
        var wrong = await c.SendAsync("PUT", "/stream/n2", body: Body(Convert.ToBase64String(new byte[8])), headers: headers,
            payloadHash: SigV4PayloadHash.StreamingUnsignedTrailer);
        Assert.Equal("BadDigest", wrong.ErrorCode);
    }
}
