using System.Security.Cryptography;
using Sluice.Client.Model;
using Sluice.Client.Retry;
using Sluice.Client.Tests.Faults;
using Sluice.S3.Checksums;

namespace Sluice.Client.Tests;

/// <summary>
/// The payload modes of object uploads (PutObject, UploadPart) against the real server: each mode round-trips
/// byte-exact on every front and protocol (HTTP/1.1 to the io_uring front and to the Kestrel front, h2c, h2 over TLS),
/// the trailer's checksum is the one the server stored, and the server refuses what it must: a body damaged on the
/// way (a chunk signature or the trailer checksum no longer matches), a wrong trailer value, a wrong key.
/// </summary>
public sealed class PayloadSigningTests
{
    /// <summary>HTTP/1.1 to the Kestrel front (besides <see cref="ClientTestServer.Protocols"/>).</summary>
    private const string KestrelHttp1 = "kestrel-http1";

    private static readonly PayloadSigning[] Streaming =
        [PayloadSigning.StreamingSigned, PayloadSigning.StreamingSignedTrailer, PayloadSigning.StreamingUnsignedTrailer];

    public static TheoryData<string, PayloadSigning> ProtocolsAndModes()
    {
        var data = new TheoryData<string, PayloadSigning>();
        foreach (string protocol in new[] { ClientTestServer.Http1, KestrelHttp1, ClientTestServer.H2c, ClientTestServer.H2 })
        {
            foreach (PayloadSigning mode in Enum.GetValues<PayloadSigning>())
            {
                data.Add(protocol, mode);
            }
        }

        return data;
    }

    public static TheoryData<string, PayloadSigning> PlainProtocolsAndStreamingModes()
    {
        var data = new TheoryData<string, PayloadSigning>();
        foreach (string protocol in new[] { ClientTestServer.Http1, KestrelHttp1, ClientTestServer.H2c })
        {
            foreach (PayloadSigning mode in Streaming)
            {
                data.Add(protocol, mode);
            }
        }

        return data;
    }

    public static TheoryData<string, PayloadSigning> ProtocolsAndTrailerModes()
    {
        var data = new TheoryData<string, PayloadSigning>();
        foreach (string protocol in new[] { ClientTestServer.Http1, KestrelHttp1, ClientTestServer.H2c, ClientTestServer.H2 })
        {
            data.Add(protocol, PayloadSigning.StreamingSignedTrailer);
            data.Add(protocol, PayloadSigning.StreamingUnsignedTrailer);
        }

        return data;
    }

    private static Task<ClientTestServer> StartAsync(string protocol) =>
        ClientTestServer.StartAsync(protocol: protocol == KestrelHttp1 ? ClientTestServer.H2c : protocol);

    private static S3ClientOptions Configure(ClientTestServer server, string protocol, S3ClientOptions options, PayloadSigning mode) =>
        options with
        {
            PayloadSigning = mode,
            Endpoint = protocol == KestrelHttp1 ? server.Server.Http2Endpoint! : options.Endpoint,
            Protocol = protocol == KestrelHttp1 ? HttpProtocol.Http11 : options.Protocol,
            Retry = new RetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1) },
        };

    /// <summary>The answers came over the protocol asked for (HTTP/1.1 to the Kestrel front: none over HTTP/2).</summary>
    private static void AssertProtocol(ClientTestServer server, string protocol, S3Client client)
    {
        if (protocol == KestrelHttp1)
        {
            Assert.Equal(0, client.Http2Responses);
        }
        else
        {
            server.AssertProtocol(client);
        }
    }

    private static string Checksum(ChecksumAlgorithm algorithm, byte[] data)
    {
        byte[] hash = new byte[ChecksumAlgorithmExtensions.MaxHashLength];
        int n = S3Checksum.HashData(algorithm, data, hash);
        return Convert.ToBase64String(hash, 0, n);
    }

    [Theory]
    [MemberData(nameof(ProtocolsAndModes))]
    public async Task Each_mode_round_trips_puts_and_parts(string protocol, PayloadSigning mode)
    {
        await using var server = await StartAsync(protocol);
        await using var client = server.CreateClient(o => Configure(server, protocol, o, mode));
        await client.CreateBucketAsync("modes");
        bool trailer = mode is PayloadSigning.StreamingSignedTrailer or PayloadSigning.StreamingUnsignedTrailer;

        // From memory, several chunks and a short last one, with a checksum the server must store and report.
        byte[] a = RandomNumberGenerator.GetBytes(3 * 64 * 1024 + 12_345);
        var put = await client.PutObjectAsync(new PutObjectRequest("modes", "a") { ChecksumAlgorithm = ChecksumAlgorithm.Crc32C }, a);
        Assert.Equal(Checksum(ChecksumAlgorithm.Crc32C, a), put.Checksums.ChecksumCrc32C);
        Assert.Equal(a, await client.GetObjectBytesAsync("modes", "a"));

        // From a seekable stream, no checksum asked: trailer modes send the default (CRC32) anyway.
        byte[] b = RandomNumberGenerator.GetBytes(700_001);
        put = await client.PutObjectAsync(new PutObjectRequest("modes", "b"), new MemoryStream(b), b.Length);
        Assert.Equal(trailer ? Checksum(ChecksumAlgorithm.Crc32, b) : null, put.Checksums.ChecksumCrc32);
        Assert.Equal(b, await client.GetObjectBytesAsync("modes", "b"));

        // A non-seekable stream: only the streaming modes (and UNSIGNED-PAYLOAD) can sign or check it in one pass.
        byte[] c = RandomNumberGenerator.GetBytes(200_000);
        if (mode != PayloadSigning.SignedBody)
        {
            put = await client.PutObjectAsync(new PutObjectRequest("modes", "c") { ChecksumAlgorithm = trailer ? ChecksumAlgorithm.Sha256 : ChecksumAlgorithm.None },
                new NonSeekableStream(c), c.Length);
            Assert.Equal(trailer ? Checksum(ChecksumAlgorithm.Sha256, c) : null, put.Checksums.ChecksumSha256);
            Assert.Equal(c, await client.GetObjectBytesAsync("modes", "c"));
        }
        else
        {
            await Assert.ThrowsAsync<ArgumentException>(() => client.PutObjectAsync(new PutObjectRequest("modes", "c"), new NonSeekableStream(c), c.Length));
        }

        // Empty, and a user Content-Encoding kept beside aws-chunked.
        await client.PutObjectAsync(new PutObjectRequest("modes", "empty") { ContentEncoding = "gzip" }, ReadOnlyMemory<byte>.Empty);
        var head = await client.HeadObjectAsync("modes", "empty");
        Assert.Equal(0, head.ContentLength);
        Assert.Equal("gzip", head.ContentEncoding);

        // Multipart: parts from memory and from a stream, each with its CRC32C (header or trailer).
        string uploadId = await client.CreateMultipartUploadAsync(new PutObjectRequest("modes", "mpu") { ChecksumAlgorithm = ChecksumAlgorithm.Crc32C });
        byte[] p1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        byte[] p2 = RandomNumberGenerator.GetBytes(1024 * 1024 + 1);
        var r1 = await client.UploadPartAsync(new UploadPartRequest("modes", "mpu", uploadId, 1) { ChecksumAlgorithm = ChecksumAlgorithm.Crc32C }, p1);
        var r2 = await client.UploadPartAsync(new UploadPartRequest("modes", "mpu", uploadId, 2) { ChecksumAlgorithm = ChecksumAlgorithm.Crc32C },
            new MemoryStream(p2), p2.Length);
        Assert.Equal(Checksum(ChecksumAlgorithm.Crc32C, p1), r1.Checksums.ChecksumCrc32C);
        Assert.Equal(Checksum(ChecksumAlgorithm.Crc32C, p2), r2.Checksums.ChecksumCrc32C);
        await client.CompleteMultipartUploadAsync("modes", "mpu", uploadId, [r1, r2]);
        byte[] whole = await client.GetObjectBytesAsync("modes", "mpu");
        Assert.Equal(p1.Concat(p2).ToArray(), whole);
        AssertProtocol(server, protocol, client);
    }

    [Theory]
    [MemberData(nameof(PlainProtocolsAndStreamingModes))]
    public async Task A_body_damaged_on_the_way_is_refused(string protocol, PayloadSigning mode)
    {
        await using var server = await StartAsync(protocol);
        await using var client = server.CreateClient(o => Configure(server, protocol, o, mode));
        await client.CreateBucketAsync("damaged");
        var upstream = protocol == ClientTestServer.Http1 ? server.LocalEndPoint
            : new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, server.Server.Http2Endpoint!.Port);
        // 20,000 bytes in: inside the first chunk's data (its header is under 100 bytes).
        await using var relay = new BodyFlipRelay(upstream, h2: protocol == ClientTestServer.H2c, offset: 20_000);
        await using var damaged = server.CreateClient(o => Configure(server, protocol, o, mode) with { Endpoint = relay.Endpoint });
        byte[] data = RandomNumberGenerator.GetBytes(300_000);

        var e = await Assert.ThrowsAsync<S3Exception>(() => damaged.PutObjectAsync(new PutObjectRequest("damaged", "k"), data));
        Assert.True(relay.Flipped >= 1);
        if (mode == PayloadSigning.StreamingUnsignedTrailer)
        {
            // Nothing signs the bytes: the trailer's CRC32 is what catches it.
            Assert.Equal((400, "BadDigest"), (e.StatusCode, e.Code));
        }
        else
        {
            Assert.Equal((403, "SignatureDoesNotMatch"), (e.StatusCode, e.Code));
        }

        var missing = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("damaged", "k"));
        Assert.Equal(404, missing.StatusCode);

        // The same upload undamaged, through the same relay's protocol, is stored.
        await client.PutObjectAsync(new PutObjectRequest("damaged", "k"), data);
        Assert.Equal(data, await client.GetObjectBytesAsync("damaged", "k"));
    }

    [Theory]
    [MemberData(nameof(ProtocolsAndTrailerModes))]
    public async Task A_wrong_trailer_checksum_is_refused(string protocol, PayloadSigning mode)
    {
        await using var server = await StartAsync(protocol);
        await using var client = server.CreateClient(o => Configure(server, protocol, o, mode));
        await client.CreateBucketAsync("trail");
        byte[] data = RandomNumberGenerator.GetBytes(150_000);
        byte[] other = (byte[])data.Clone();
        other[77] ^= 1;

        // A precomputed value goes in the trailer as given: the server checks it against the bytes it received.
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.PutObjectAsync(new PutObjectRequest("trail", "k")
        {
            ChecksumAlgorithm = ChecksumAlgorithm.Crc64Nvme,
            ChecksumValue = Checksum(ChecksumAlgorithm.Crc64Nvme, other),
        }, new MemoryStream(data), data.Length));
        Assert.Equal((400, "BadDigest"), (e.StatusCode, e.Code));
        var missing = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("trail", "k"));
        Assert.Equal(404, missing.StatusCode);

        string uploadId = await client.CreateMultipartUploadAsync(new PutObjectRequest("trail", "mpu") { ChecksumAlgorithm = ChecksumAlgorithm.Sha1 });
        e = await Assert.ThrowsAsync<S3Exception>(() => client.UploadPartAsync(new UploadPartRequest("trail", "mpu", uploadId, 1)
        {
            ChecksumAlgorithm = ChecksumAlgorithm.Sha1,
            ChecksumValue = Checksum(ChecksumAlgorithm.Sha1, other),
        }, data));
        Assert.Equal((400, "BadDigest"), (e.StatusCode, e.Code));

        // The right value is accepted.
        var put = await client.PutObjectAsync(new PutObjectRequest("trail", "k")
        {
            ChecksumAlgorithm = ChecksumAlgorithm.Crc64Nvme,
            ChecksumValue = Checksum(ChecksumAlgorithm.Crc64Nvme, data),
        }, data);
        Assert.Equal(Checksum(ChecksumAlgorithm.Crc64Nvme, data), put.Checksums.ChecksumCrc64Nvme);
        AssertProtocol(server, protocol, client);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task Signed_chunks_with_a_wrong_key_are_refused(string protocol)
    {
        await using var server = await StartAsync(protocol);
        await using var client = server.CreateClient(o => Configure(server, protocol, o, PayloadSigning.StreamingSignedTrailer));
        await client.CreateBucketAsync("keys");
        await using var wrong = server.CreateClient(o => Configure(server, protocol, o, PayloadSigning.StreamingSignedTrailer) with
        {
            SecretAccessKey = "not-the-secret",
        });
        var e = await Assert.ThrowsAsync<S3Exception>(() => wrong.PutObjectAsync(new PutObjectRequest("keys", "k"), RandomNumberGenerator.GetBytes(100_000)));
        Assert.Equal((403, "SignatureDoesNotMatch"), (e.StatusCode, e.Code));
        var missing = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("keys", "k"));
        Assert.Equal(404, missing.StatusCode);
    }

    [Theory]
    [InlineData(PayloadSigning.StreamingSigned)]
    [InlineData(PayloadSigning.StreamingSignedTrailer)]
    [InlineData(PayloadSigning.StreamingUnsignedTrailer)]
    public async Task A_retried_upload_is_signed_and_framed_again(PayloadSigning mode)
    {
        // The first connection is answered 503 after the whole body was read: the retry signs anew (new seed
        // signature, new chunk chain), rewinds the stream and sends it whole again.
        await using var server = await ClientTestServer.StartAsync();
        await using var proxy = new FaultProxy(server.LocalEndPoint, i => i == 0 ? new Fault(FaultKind.Respond) : Fault.None);
        await using var client = server.CreateClient(o => Configure(server, ClientTestServer.Http1, o, mode) with { Endpoint = proxy.Endpoint });
        await client.CreateBucketAsync("retry");
        byte[] data = RandomNumberGenerator.GetBytes(500_000);
        var put = await client.PutObjectAsync(new PutObjectRequest("retry", "k") { ChecksumAlgorithm = ChecksumAlgorithm.Crc32 },
            new MemoryStream(data), data.Length);
        Assert.Equal(2, proxy.Connections);
        Assert.Equal(Checksum(ChecksumAlgorithm.Crc32, data), put.Checksums.ChecksumCrc32);
        Assert.Equal(data, await client.GetObjectBytesAsync("retry", "k"));
    }

    /// <summary>A stream that cannot seek (a pipe, a socket).</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
