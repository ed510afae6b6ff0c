using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.IO;
using Sluice.S3.Http;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Tests.Handlers;

namespace Sluice.Server.Tests.Tls;

/// <summary>
/// The HTTP/1.1 front serving TLS over real loopback sockets, on both I/O engines: objects up and down byte-exact
/// (file bodies are copied through the TLS layer, never spliced), what the handshake offers (TLS 1.2 and 1.3,
/// ALPN http/1.1 only), and clients that never complete a handshake: cleartext HTTP, silence, a stop meanwhile.
/// </summary>
public sealed class TlsFrontTests : IDisposable
{
    public static TheoryData<string> Engines => new() { "uring", "managed" };

    private const string AccessKey = "AKIDTLSTEST", Secret = "tls/secret+KEY";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly TestCa _ca = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-tls-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _ca.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    private Task<SluiceServer> StartServerAsync(string engine, TextWriter? errorLog = null) => SluiceServer.StartAsync(new SluiceServerOptions
    {
        DataDirectory = _directory,
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
        Reactors = 2,
        EngineMode = engine,
        TlsCertificate = _ca.Server,
        ErrorLog = errorLog,
    });

    private S3TestClient Client(SluiceServer server) => new(server.Endpoint, AccessKey, Secret, _ca.Handler());

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Objects_small_large_and_multipart_round_trip_byte_exact_over_tls(string engine)
    {
        var errors = new StringWriter();
        await using var server = await StartServerAsync(engine, errors);
        Assert.Equal("https", server.Endpoint.Scheme);
        using var c = Client(server);
        Assert.Equal(200, (await c.SendAsync("PUT", "/tls")).Status);

        var small = RandomNumberGenerator.GetBytes(1000);
        var large = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 13); // several copy buffers and TLS records
        Assert.Equal(200, (await c.PutObjectAsync("tls", "small", small)).Status);
        Assert.Equal(200, (await c.PutObjectAsync("tls", "large", large)).Status);
        for (int i = 0; i < 2; i++) // the second small GET comes from the open-object cache
        {
            var got = await c.GetObjectAsync("tls", "small");
            Assert.Equal(200, got.Status);
            Assert.Equal(small, got.Body);
        }
        Assert.Equal(large, (await c.GetObjectAsync("tls", "large")).Body);
        var range = await c.GetObjectAsync("tls", "large", ("Range", "bytes=1048570-3145740"));
        Assert.Equal(206, range.Status);
        Assert.Equal(large.AsSpan(1048570, 3145740 - 1048570 + 1).ToArray(), range.Body);
        Assert.Empty((await c.SendAsync("HEAD", "/tls/large")).Body);

        // A multipart object: its body is two file regions, both copied through TLS; a range spans the boundary.
        var part1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var part2 = RandomNumberGenerator.GetBytes(1024 * 1024 + 7);
        string id = Uri.EscapeDataString(Element((await c.SendAsync("POST", "/tls/multi", "uploads")).Text, "UploadId"));
        string etag1 = (await c.SendAsync("PUT", "/tls/multi", $"partNumber=1&uploadId={id}", part1)).Header("ETag")!;
        string etag2 = (await c.SendAsync("PUT", "/tls/multi", $"partNumber=2&uploadId={id}", part2)).Header("ETag")!;
        var complete = await c.SendAsync("POST", "/tls/multi", $"uploadId={id}", Encoding.UTF8.GetBytes(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag></Part>" +
            $"<Part><PartNumber>2</PartNumber><ETag>{etag2}</ETag></Part></CompleteMultipartUpload>"));
        Assert.Equal(200, complete.Status);
        var whole = await c.GetObjectAsync("tls", "multi");
        Assert.Equal(200, whole.Status);
        Assert.Equal([.. part1, .. part2], whole.Body);
        var across = await c.GetObjectAsync("tls", "multi", ("Range", $"bytes={part1.Length - 10}-{part1.Length + 9}"));
        Assert.Equal([.. part1.AsSpan(part1.Length - 10).ToArray(), .. part2.AsSpan(0, 10).ToArray()], across.Body);

        var list = await c.SendAsync("GET", "/tls", "list-type=2");
        Assert.Equal(["large", "multi", "small"], Regex.Matches(list.Text, "<Key>([^<]*)</Key>").Select(m => m.Groups[1].Value));
        Assert.Equal("", errors.ToString());
    }

    [Theory]
    [InlineData("uring", SslProtocols.Tls12)]
    [InlineData("uring", SslProtocols.Tls13)]
    [InlineData("managed", SslProtocols.Tls12)]
    [InlineData("managed", SslProtocols.Tls13)]
    public async Task Tls_12_and_13_are_served_and_alpn_picks_http11_over_h2(string engine, SslProtocols protocol)
    {
        await using var server = await StartServerAsync(engine);
        using var socket = await ConnectAsync(server.LocalEndPoint);
        await using var tls = new SslStream(new NetworkStream(socket), false, _ca.Validate);
        using var guard = new CancellationTokenSource(HangGuard);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocol,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        }, guard.Token);
        Assert.Equal(protocol, tls.SslProtocol);
        Assert.Equal(SslApplicationProtocol.Http11, tls.NegotiatedApplicationProtocol);
        // Two requests on the connection (keep-alive over TLS), the second pipelined behind the first.
        await tls.WriteAsync("GET /no-such-bucket HTTP/1.1\r\nHost: localhost\r\n\r\nGET /other HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), guard.Token);
        string text = Encoding.ASCII.GetString(await ReadToEndAsync(tls, guard.Token));
        Assert.Equal(2, Regex.Count(text, @"HTTP/1\.1 404 ")); // a missing bucket is NoSuchBucket for anyone: each answered
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_client_that_offers_only_h2_is_refused_by_alpn(string engine)
    {
        await using var server = await StartServerAsync(engine);
        using var socket = await ConnectAsync(server.LocalEndPoint);
        await using var tls = new SslStream(new NetworkStream(socket), false, _ca.Validate);
        using var guard = new CancellationTokenSource(HangGuard);
        // RFC 7301: no protocol in common is the no_application_protocol alert, not a silent fallback.
        await Assert.ThrowsAsync<AuthenticationException>(() => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        }, guard.Token));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Cleartext_http_to_the_tls_port_is_closed_and_the_server_keeps_serving(string engine)
    {
        var errors = new StringWriter();
        await using var server = await StartServerAsync(engine, errors);
        using (var socket = await ConnectAsync(server.LocalEndPoint))
        {
            using var guard = new CancellationTokenSource(HangGuard);
            await socket.SendAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), guard.Token);
            var received = await ReadUntilClosedAsync(socket, guard.Token);
            // A TLS alert at most: never an HTTP answer in clear.
            Assert.False(Encoding.ASCII.GetString(received).Contains("HTTP/", StringComparison.Ordinal));
        }
        using var c = Client(server);
        Assert.Equal(200, (await c.SendAsync("GET", "/")).Status);
        Assert.Equal("", errors.ToString()); // a failed handshake is not a server failure
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_client_that_never_finishes_its_handshake_is_cut_off_by_the_deadline(string engine)
    {
        await using var io = IoEngine.Create(new IoEngineOptions { Mode = engine, ReactorCount = 2 });
        var http = StartFront(io, TimeSpan.FromMilliseconds(300));
        try
        {
            using var guard = new CancellationTokenSource(HangGuard);
            using (var silent = await ConnectAsync(http.LocalEndPoint))
                await ReadUntilClosedAsync(silent, guard.Token); // ends: the server closed it
            using (var stalled = await ConnectAsync(http.LocalEndPoint))
            {
                await stalled.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 }, guard.Token); // a record header, no record
                await ReadUntilClosedAsync(stalled, guard.Token);
            }
            // A client that does finish its handshake is served.
            using var handler = _ca.Handler();
            using var client = new HttpClient(handler);
            var response = await client.GetAsync(new Uri($"https://127.0.0.1:{http.LocalEndPoint.Port}/"), guard.Token);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync(guard.Token));
        }
        finally
        {
            await http.StopAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task The_server_option_sets_the_handshake_deadline_of_both_fronts()
    {
        var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            InMemory = true,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            ListenHttp2 = new IPEndPoint(IPAddress.Loopback, 0),
            TlsCertificate = _ca.Server,
            TlsHandshakeTimeout = TimeSpan.FromMilliseconds(300),
        });
        try
        {
            using var guard = new CancellationTokenSource(HangGuard);
            using (var silent = await ConnectAsync(server.LocalEndPoint))
                await ReadUntilClosedAsync(silent, guard.Token); // the HTTP/1.1 front closed it
            using (var silent = await ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Http2Endpoint!.Port)))
                await ReadUntilClosedAsync(silent, guard.Token); // and Kestrel
        }
        finally
        {
            await server.StopAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_stop_closes_connections_still_in_their_handshake_at_once(string engine)
    {
        await using var io = IoEngine.Create(new IoEngineOptions { Mode = engine, ReactorCount = 2 });
        var http = StartFront(io, TimeSpan.FromHours(1));
        using var silent = await ConnectAsync(http.LocalEndPoint);
        using var guard = new CancellationTokenSource(HangGuard);
        while (http.ActiveConnections == 0) await Task.Delay(10, guard.Token); // accepted, in its handshake
        // Neither the deadline (an hour) nor the grace period (an hour) ends it: only the stop closing it does.
        await http.StopAsync(TimeSpan.FromHours(1)).WaitAsync(guard.Token);
        Assert.Equal(0, http.ActiveConnections);
        await ReadUntilClosedAsync(silent, guard.Token);
    }

    /// <summary>The HTTP/1.1 front alone, serving TLS with <paramref name="handshakeTimeout"/>, answering "ok".</summary>
    private HttpServer StartFront(IoEngine io, TimeSpan handshakeTimeout) =>
        HttpServer.Start(io, new IPEndPoint(IPAddress.Loopback, 0), new OkHandler(), new HttpServerOptions
        {
            Tls = HttpServerOptions.ForCertificate(_ca.Server),
            HandshakeTimeout = handshakeTimeout,
        });

    private sealed class OkHandler : IExchangeHandler
    {
        public async ValueTask HandleAsync(S3Exchange x)
        {
            x.SetStatus(200);
            x.AddHeader(KnownHeader.ContentType, "text/plain"u8);
            await x.SendAsync("ok"u8.ToArray());
        }
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var guard = new CancellationTokenSource(HangGuard);
        await socket.ConnectAsync(endPoint, guard.Token);
        return socket;
    }

    /// <summary>Reads until the server closes (end of stream or reset); the hang guard fails the test otherwise.</summary>
    private static async Task<byte[]> ReadUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, cancellationToken)) > 0) received.Write(buffer, 0, n);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        return received.ToArray();
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        await stream.CopyToAsync(received, cancellationToken);
        return received.ToArray();
    }

    private static string Element(string xml, string name) => Regex.Match(xml, $"<{name}>([^<]*)</{name}>").Groups[1].Value;
}
