using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Sluice.IO;
using Sluice.S3.Auth;
using Sluice.S3.Http;
using Sluice.Server.Auth;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Tests.Http;

namespace Sluice.Server.Tests.Auth;

/// <summary>
/// SigV4 through the real HTTP front: requests signed by Sluice's signer (the same wire format every AWS SDK
/// produces) in each payload mode, verified by the server, with tampering caught.
/// </summary>
public class SignedRequestTests
{
    private const string AccessKey = "AKIDSLUICETEST", Secret = "secret/KEY+for/tests", Region = "us-east-1";

    public static TheoryData<string> Engines => new() { "uring", "managed" };

    /// <summary>Authenticates, reads the payload, answers "len=N sha=HEX trailers=name:value,...".</summary>
    private sealed class PayloadHandler : IExchangeHandler
    {
        private readonly RequestAuthenticator _auth;
        private readonly PayloadReader _reader = new();

        public PayloadHandler(bool anonymous)
        {
            var store = new SigV4CredentialStore();
            store.Add(new SigV4Credential(AccessKey, Secret));
            _auth = new RequestAuthenticator(store, Region, anonymous);
        }

        public async ValueTask HandleAsync(S3Exchange x)
        {
            var result = _auth.Authenticate(x, out var error);
            if (error != null)
            {
                await x.SendErrorAsync(error);
                return;
            }
            _reader.Reset(x, result);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buf = new byte[10_000];
            long total = 0;
            int n;
            while ((n = await _reader.ReadAsync(buf)) > 0)
            {
                sha.AppendData(buf, 0, n);
                total += n;
            }
            string trailers = string.Join(",", _reader.Trailers.Select(t => t.Key + ":" + t.Value));
            x.SetStatus(200);
            await x.SendAsync(Encoding.ASCII.GetBytes($"len={total} sha={Convert.ToHexStringLower(sha.GetHashAndReset())} trailers={trailers}"));
        }
    }

    private static async Task<(IoEngine, HttpServer)> Start(string mode, bool anonymous = false)
    {
        var engine = IoEngine.Create(new IoEngineOptions { Mode = mode, ReactorCount = 2 });
        var server = HttpServer.Start(engine, new IPEndPoint(IPAddress.Loopback, 0), new PayloadHandler(anonymous));
        await Task.Yield();
        return (engine, server);
    }

    private static async Task Stop(IoEngine engine, HttpServer server)
    {
        await server.StopAsync(TimeSpan.FromSeconds(5));
        await engine.DisposeAsync();
    }

    /// <summary>Signs a PUT and returns the raw request bytes (head + given body bytes).</summary>
    private static (byte[] Head, SigV4SigningResult Seed) SignedHead(int port, string payloadHash, long contentLength,
        string secret = Secret, (string, string)[]? extra = null)
    {
        var headers = new SigV4HeaderList();
        headers.Add("Host", $"127.0.0.1:{port}");
        headers.Add("Content-Length", contentLength.ToString(CultureInfo.InvariantCulture));
        foreach (var (k, v) in extra ?? []) headers.Add(k, v);
        var signer = new SigV4Signer(AccessKey, secret, Region);
        var seed = signer.SignHeaders(headers, "PUT", "/bucket/some%20key", null, payloadHash, DateTimeOffset.UtcNow);
        var sb = new StringBuilder("PUT /bucket/some%20key HTTP/1.1\r\n");
        for (int i = 0; i < headers.Count; i++) sb.Append(headers.GetNameString(i)).Append(": ").Append(headers.GetValueString(i)).Append("\r\n");
        sb.Append("\r\n");
        return (Encoding.UTF8.GetBytes(sb.ToString()), seed);
    }

    private static (int Status, string Body) Exchange(HttpServer server, byte[] request)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        s.Connect(server.LocalEndPoint);
        s.Send(request);
        var (status, _, body) = RawHttp.ReadResponse(s);
        return (status, body);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_body_with_its_real_sha256_is_accepted_and_a_changed_body_is_refused(string mode)
    {
        var (engine, server) = await Start(mode);
        var body = RandomNumberGenerator.GetBytes(100_000);
        string hash = Convert.ToHexStringLower(SHA256.HashData(body));
        var (head, _) = SignedHead(server.LocalEndPoint.Port, hash, body.Length);
        var ok = Exchange(server, Concat(head, body));
        Assert.Equal(200, ok.Status);
        Assert.Contains($"len=100000 sha={hash}", ok.Body);

        var tampered = (byte[])body.Clone();
        tampered[50_000] ^= 1;
        var bad = Exchange(server, Concat(head, tampered));
        Assert.Equal(400, bad.Status);
        Assert.Contains("<Code>XAmzContentSHA256Mismatch</Code>", bad.Body);
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Unsigned_payload_wrong_secret_and_anonymous_requests(string mode)
    {
        var (engine, server) = await Start(mode);
        var body = Encoding.ASCII.GetBytes("unsigned body");
        var (head, _) = SignedHead(server.LocalEndPoint.Port, SigV4PayloadHash.UnsignedPayload, body.Length);
        Assert.Equal(200, Exchange(server, Concat(head, body)).Status);

        var (forged, _) = SignedHead(server.LocalEndPoint.Port, SigV4PayloadHash.UnsignedPayload, body.Length, secret: "not the secret");
        var denied = Exchange(server, Concat(forged, body));
        Assert.Equal(403, denied.Status);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", denied.Body);

        var anonymous = Exchange(server, Encoding.ASCII.GetBytes($"GET /bucket/k HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        Assert.Equal(403, anonymous.Status);
        Assert.Contains("<Code>AccessDenied</Code>", anonymous.Body);
        await Stop(engine, server);
    }

    private static byte[] StreamingBody(byte[] payload, int chunkSize, SigV4SigningResult seed, Func<int, byte[], byte[]>? tamper = null)
    {
        var signer = new SigV4ChunkSigner(seed);
        var body = new MemoryStream();
        int index = 0;
        for (int offset = 0; ; offset += chunkSize, index++)
        {
            var chunk = payload.AsSpan(Math.Min(offset, payload.Length), Math.Max(0, Math.Min(chunkSize, payload.Length - offset))).ToArray();
            string sig = signer.SignChunk(chunk);
            if (tamper != null) chunk = tamper(index, chunk);
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={sig}\r\n"));
            body.Write(chunk);
            if (chunk.Length == 0) break;
            body.Write("\r\n"u8);
        }
        body.Write("\r\n"u8);
        return body.ToArray();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Streaming_signed_chunks_verify_and_a_changed_chunk_is_refused(string mode)
    {
        var (engine, server) = await Start(mode);
        var payload = RandomNumberGenerator.GetBytes(200_000);
        const int ChunkSize = 64 * 1024;
        long encoded = AwsChunkedEncoder.GetEncodedLength(payload.Length, ChunkSize, chunkSignatures: true);
        (string, string)[] extra = [("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", payload.Length.ToString(CultureInfo.InvariantCulture))];
        var (head, seed) = SignedHead(server.LocalEndPoint.Port, SigV4PayloadHash.StreamingSigned, encoded, extra: extra);
        var body = StreamingBody(payload, ChunkSize, seed);
        Assert.Equal(encoded, body.Length);
        var ok = Exchange(server, Concat(head, body));
        Assert.Equal(200, ok.Status);
        Assert.Contains($"len=200000 sha={Convert.ToHexStringLower(SHA256.HashData(payload))}", ok.Body);

        var (head2, seed2) = SignedHead(server.LocalEndPoint.Port, SigV4PayloadHash.StreamingSigned, encoded, extra: extra);
        var forged = StreamingBody(payload, ChunkSize, seed2, (i, c) => { if (i == 1) c[10] ^= 1; return c; });
        var bad = Exchange(server, Concat(head2, forged));
        Assert.Equal(403, bad.Status);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", bad.Body);
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Unsigned_payload_with_a_checksum_trailer_reports_the_trailer(string mode)
    {
        var (engine, server) = await Start(mode);
        var payload = Encoding.ASCII.GetBytes(new string('q', 5000));
        var crc = Convert.ToBase64String(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(
            Sluice.S3.Checksums.Crc32.HashToUInt32(payload))));
        var body = Encoding.ASCII.GetBytes($"1388\r\n{new string('q', 5000)}\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n");
        (string, string)[] extra = [("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "5000"),
            ("x-amz-trailer", "x-amz-checksum-crc32")];
        var (head, _) = SignedHead(server.LocalEndPoint.Port, SigV4PayloadHash.StreamingUnsignedTrailer, body.Length, extra: extra);
        var ok = Exchange(server, Concat(head, body));
        Assert.Equal(200, ok.Status);
        Assert.Contains("len=5000", ok.Body);
        Assert.Contains($"trailers=x-amz-checksum-crc32:{crc}", ok.Body);
        await Stop(engine, server);
    }
}
