using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.IO.Native;
using Sluice.IO.Tests.Files;

namespace Sluice.IO.Tests;

/// <summary>
/// <see cref="TlsConnection"/> on both engines against .NET's SslStream client: sends (gathered ones too) and
/// receives round trip, close_notify ends the peer's stream, a failed handshake leaves the socket to its owner, a
/// corrupt record is the peer's failure (ECONNABORTED), and file transfers refuse it rather than splice clear bytes.
/// </summary>
public class TlsConnectionTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static SslServerAuthenticationOptions ServerOptions(System.Security.Cryptography.X509Certificates.X509Certificate2 cert) =>
        new() { ServerCertificate = cert, ApplicationProtocols = [SslApplicationProtocol.Http11] };

    /// <summary>
    /// Listens on a free port; the first accepted connection completes the server handshake and goes to
    /// <paramref name="serve"/>, whose result (or failure) completes the returned task.
    /// </summary>
    private static (Listener Listener, Task<T> Served) ListenTls<T>(IoEngine engine,
        System.Security.Cryptography.X509Certificates.X509Certificate2 cert, Func<TlsConnection, Task<T>> serve)
    {
        var served = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = engine.Listen(new IPEndPoint(IPAddress.Loopback, 0), async c =>
        {
            try
            {
                await using var tls = await TlsConnection.AuthenticateAsServerAsync(c, ServerOptions(cert), CancellationToken.None);
                served.TrySetResult(await serve(tls));
            }
            catch (Exception e)
            {
                served.TrySetException(e);
            }
        });
        return (listener, served.Task);
    }

    /// <summary>Connects an SslStream client (pinning <paramref name="cert"/>) and runs <paramref name="use"/> with it and its socket.</summary>
    private static async Task WithTlsClientAsync(IPEndPoint endPoint, System.Security.Cryptography.X509Certificates.X509Certificate2 cert,
        Func<Socket, SslStream, Task> use, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, cancellationToken);
        await using var tls = new SslStream(new NetworkStream(socket), false,
            (_, presented, _, _) => presented?.GetCertHashString() == cert.GetCertHashString()); // pin our own cert
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cancellationToken);
        await use(socket, tls);
    }

    [Theory]
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Sends_and_receives_round_trip_and_close_notify_ends_the_stream(string mode)
    {
        using var cert = ConnectionTests.SelfSignedCertificate();
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("f"), new byte[100]);
        var head = RandomNumberGenerator.GetBytes(300);
        var small = RandomNumberGenerator.GetBytes(700);
        var large = RandomNumberGenerator.GetBytes(100_000); // spans several records after the head's
        var fromClient = RandomNumberGenerator.GetBytes(50_000);
        await using var engine = Engines.Create(mode);
        var (listener, served) = ListenTls(engine, cert, async tls =>
        {
            var received = new byte[fromClient.Length];
            await ConnectionTests.ReceiveExactly(tls, received);
            await tls.SendAsync(head, small);
            await tls.SendAsync(head, large);
            await tls.SendAsync(small);
            await using var file = await engine.OpenFileAsync(dir.File("f"), Sluice.IO.Files.IoFileOptions.OpenRead);
            var sendFile = await Record(() => engine.SendFileAsync(file, 0, 100, tls).AsTask());
            var receiveFile = await Record(() => engine.ReceiveToFileAsync(tls, file, 0, 100).AsTask());
            await tls.ShutdownSendAsync();
            return (received, tls.ApplicationProtocol.ToString(), sendFile, receiveFile);
        });
        await using var _ = listener;
        using var guard = new CancellationTokenSource(HangGuard);
        await WithTlsClientAsync(listener.LocalEndPoint, cert, async (_, client) =>
        {
            await client.WriteAsync(fromClient, guard.Token);
            var all = new MemoryStream();
            await client.CopyToAsync(all, guard.Token); // ends at the server's close_notify
            Assert.Equal([.. head, .. small, .. head, .. large, .. small], all.ToArray());
        }, guard.Token);
        var (got, alpn, sendFileError, receiveFileError) = await served.WaitAsync(guard.Token);
        Assert.Equal(fromClient, got);
        Assert.Equal("http/1.1", alpn);
        Assert.IsType<NotSupportedException>(sendFileError);
        Assert.IsType<NotSupportedException>(receiveFileError);
    }

    private static async Task<Exception?> Record(Func<Task> action)
    {
        try { await action(); return null; }
        catch (Exception e) { return e; }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task A_failed_handshake_leaves_the_socket_open_to_its_owner(string mode)
    {
        using var cert = ConnectionTests.SelfSignedCertificate();
        var failure = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var engine = Engines.Create(mode);
        await using var listener = engine.Listen(new IPEndPoint(IPAddress.Loopback, 0), async c =>
        {
            await using var _ = c;
            try
            {
                await using var tls = await TlsConnection.AuthenticateAsServerAsync(c, ServerOptions(cert), CancellationToken.None);
                failure.TrySetResult(null);
            }
            catch (Exception e)
            {
                failure.TrySetResult(e);
                await c.SendAsync("still mine"u8.ToArray()); // the caller still owns a working socket
            }
        });
        using var guard = new CancellationTokenSource(HangGuard);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint, guard.Token);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), guard.Token);
        var error = await failure.Task.WaitAsync(guard.Token);
        Assert.True(error is System.Security.Authentication.AuthenticationException or IOException, error?.ToString() ?? "no failure");
        var received = new MemoryStream();
        var buffer = new byte[1024];
        int n;
        try
        {
            while ((n = await socket.ReceiveAsync(buffer, guard.Token)) > 0) received.Write(buffer, 0, n);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { }
        Assert.EndsWith("still mine", System.Text.Encoding.ASCII.GetString(received.ToArray()));
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task A_corrupt_record_is_the_peers_failure_econnaborted(string mode)
    {
        using var cert = ConnectionTests.SelfSignedCertificate();
        await using var engine = Engines.Create(mode);
        var (listener, served) = ListenTls(engine, cert, async tls =>
        {
            var buffer = new byte[1024];
            while (await tls.ReceiveAsync(buffer) > 0) { }
            return "the corrupt record was accepted";
        });
        await using var _ = listener;
        using var guard = new CancellationTokenSource(HangGuard);
        await WithTlsClientAsync(listener.LocalEndPoint, cert, async (socket, client) =>
        {
            await client.WriteAsync("fine"u8.ToArray(), guard.Token);
            // An application-data record of noise, written past the client's TLS layer: it cannot decrypt.
            await socket.SendAsync((byte[])[0x17, 0x03, 0x03, 0x00, 0x40, .. RandomNumberGenerator.GetBytes(0x40)], guard.Token);
            var io = await Assert.ThrowsAsync<IoException>(() => served.WaitAsync(guard.Token));
            Assert.Equal(Errno.ECONNABORTED, io.Errno);
            Assert.True(io.IsConnectionReset);
        }, guard.Token);
    }
}
