using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sluice.IO.Native;

namespace Sluice.IO.Tests;

public class ConnectionTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>An echo server on a free loopback port; <paramref name="onAccept"/> sees each accepted connection.</summary>
    internal static Listener StartEcho(IoEngine engine, Action<string?>? onThread = null, Action<Connection>? onAccept = null) =>
        engine.Listen(AnyLoopback, async c =>
        {
            onAccept?.Invoke(c);
            await using var _ = c;
            var buf = new byte[64 * 1024];
            while (true)
            {
                int n = await c.ReceiveAsync(buf);
                onThread?.Invoke(Thread.CurrentThread.Name);
                if (n == 0) return;
                await c.SendAsync(buf.AsMemory(0, n));
            }
        });

    internal static async Task ReceiveExactly(Connection c, Memory<byte> into)
    {
        while (!into.IsEmpty)
        {
            int n = await c.ReceiveAsync(into);
            Assert.True(n > 0, "unexpected end of stream");
            into = into[n..];
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Echo_one_mebibyte_round_trips_byte_exact(string mode)
    {
        await using var engine = Engines.Create(mode);
        await using var listener = StartEcho(engine);
        await using var c = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        var data = RandomNumberGenerator.GetBytes(1 << 20);
        var send = c.SendAsync(data).AsTask();
        var back = new byte[data.Length];
        await ReceiveExactly(c, back);
        await send;
        Assert.Equal(data, back);
        Assert.Equal(1, listener.Accepted);
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Sixty_four_concurrent_connections_with_a_tiny_ring_all_complete(string mode)
    {
        // 8 SQEs per ring and 64 connections each with a pending recv: requests beyond the ring queue, never fail.
        await using var engine = Engines.Create(mode, reactors: 2, ringEntries: 8);
        await using var listener = StartEcho(engine);
        var tasks = Enumerable.Range(0, 64).Select(async i =>
        {
            await using var c = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            var msg = new byte[1024];
            new Random(i).NextBytes(msg);
            var back = new byte[msg.Length];
            for (int round = 0; round < 20; round++)
            {
                await c.SendAsync(msg);
                await ReceiveExactly(c, back);
                Assert.Equal(msg, back);
            }
        });
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(64, listener.Accepted);
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Gathered_send_of_head_and_body_arrives_in_order(string mode)
    {
        await using var engine = Engines.Create(mode);
        await using var listener = StartEcho(engine);
        await using var c = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        var head = "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n"u8.ToArray();
        var body = RandomNumberGenerator.GetBytes(300_000);
        var send = c.SendAsync(head, body).AsTask();
        var back = new byte[head.Length + body.Length];
        await ReceiveExactly(c, back);
        await send;
        Assert.Equal(head.Concat(body).ToArray(), back);
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Connection_refused_is_a_typed_error_with_errno(string mode)
    {
        await using var engine = Engines.Create(mode);
        // Bind a port and close it without listening: connecting there is refused.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(AnyLoopback);
        var ep = (IPEndPoint)probe.LocalEndPoint!;
        var ex = await Assert.ThrowsAsync<IoException>(async () => await engine.ConnectAsync(ep, ConnectTimeout));
        Assert.Equal(Errno.ECONNREFUSED, ex.Errno);
        Assert.Equal("connect", ex.Operation);
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Connect_times_out_when_the_peer_never_answers(string mode)
    {
        await using var engine = Engines.Create(mode);
        // A listener with a backlog of 1 that never accepts: once its queue is full the kernel drops SYNs.
        using var full = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        full.Bind(AnyLoopback);
        full.Listen(1);
        var ep = (IPEndPoint)full.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            IoTimeoutException? timeout = null;
            for (int i = 0; i < 8 && timeout == null; i++)
            {
                try
                {
                    await using var c = await engine.ConnectAsync(ep, TimeSpan.FromMilliseconds(300));
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    s.Connect(ep); // keep the queue full with sockets we own
                    fillers.Add(s);
                }
                catch (IoTimeoutException e) { timeout = e; }
            }
            Assert.NotNull(timeout);
            Assert.Equal("connect", timeout!.Operation);
        }
        finally
        {
            foreach (var s in fillers) s.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Peer_close_mid_message_reads_as_end_of_stream(string mode)
    {
        await using var engine = Engines.Create(mode);
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await c.SendAsync("partial"u8.ToArray());
            await c.DisposeAsync();
        });
        await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        var buf = new byte[100];
        int total = 0, n;
        while ((n = await client.ReceiveAsync(buf.AsMemory(total))) > 0) total += n;
        Assert.Equal("partial", System.Text.Encoding.ASCII.GetString(buf, 0, total));
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Reset_by_peer_is_a_typed_connection_reset(string mode)
    {
        await using var engine = Engines.Create(mode);
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(AnyLoopback);
        server.Listen(4);
        await using var client = await engine.ConnectAsync(server.LocalEndPoint!, ConnectTimeout);
        using (var accepted = server.Accept())
        {
            accepted.LingerState = new LingerOption(true, 0); // close sends RST
        }
        var ex = await Assert.ThrowsAsync<IoException>(async () =>
        {
            var chunk = new byte[64 * 1024];
            for (int i = 0; i < 1000; i++) await client.SendAsync(chunk);
            await client.ReceiveAsync(chunk);
        });
        Assert.True(ex.IsConnectionReset, $"expected a reset, got errno {ex.Errno}");
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Cancelling_a_pending_receive_completes_it_promptly(string mode)
    {
        await using var engine = Engines.Create(mode);
        await using var listener = StartEcho(engine);
        await using var c = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var recv = c.ReceiveAsync(new byte[16], cts.Token).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recv.WaitAsync(TimeSpan.FromSeconds(10)));
        // The connection still works after a cancelled receive.
        await c.SendAsync("ping"u8.ToArray());
        var back = new byte[4];
        await ReceiveExactly(c, back);
        Assert.Equal("ping"u8.ToArray(), back);
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Tls_runs_over_a_connection_stream(string mode)
    {
        using var cert = SelfSignedCertificate();
        await using var engine = Engines.Create(mode);
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var tls = new SslStream(c.AsStream());
            await tls.AuthenticateAsServerAsync(cert);
            var buf = new byte[1024];
            int n = await tls.ReadAsync(buf);
            await tls.WriteAsync(buf.AsMemory(0, n).ToArray().Reverse().ToArray());
        });
        var conn = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        await using var client = new SslStream(conn.AsStream(), false,
            (_, presented, _, _) => presented?.GetCertHashString() == cert.GetCertHashString()); // pin our own cert
        await client.AuthenticateAsClientAsync("localhost");
        await client.WriteAsync("sluice"u8.ToArray());
        var reply = new byte[6];
        int got = 0;
        while (got < 6) got += await client.ReadAsync(reply.AsMemory(got));
        Assert.Equal("eciuls", System.Text.Encoding.ASCII.GetString(reply));
        Assert.True(client.IsEncrypted);
    }

    internal static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Sending_from_a_registered_buffer_arrives_byte_exact(string mode)
    {
        await using var engine = Engines.Create(mode);
        await using var listener = StartEcho(engine);
        await using var c = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        Assert.True(engine.Buffers.TryRent(1 << 20, out var buffer));
        try
        {
            RandomNumberGenerator.Fill(buffer.GetSpan());
            var expected = buffer.GetSpan().Slice(123, 900_000).ToArray();
            var send = c.SendAsync(buffer, 123, 900_000).AsTask();
            var back = new byte[expected.Length];
            await ReceiveExactly(c, back);
            await send;
            Assert.Equal(expected, back);
            if (Engines.IsUring(mode))
            {
                long zc = ((Uring.UringEngine)engine).Reactors.Sum(r => Interlocked.Read(ref r.ZeroCopySends));
                Assert.True(zc > 0, "the registered buffer should go out with SEND_ZC");
            }
        }
        finally
        {
            buffer.Return();
        }
    }
}
