using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Client.Tests;

/// <summary>
/// A TCP relay on 127.0.0.1 that records the first bytes each accepted connection sends (the HTTP/2 client preface,
/// or an HTTP/1.1 request line) before relaying both ways: what the wire carried, not what the client says of itself.
/// </summary>
internal sealed class PrefaceSniffingRelay : IAsyncDisposable
{
    /// <summary>Every HTTP/2 connection starts with these 24 bytes (RFC 9113 §3.4).</summary>
    public const string Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accept;

    public PrefaceSniffingRelay(IPEndPoint upstream)
    {
        _upstream = upstream;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The first 24 bytes of each connection (Latin-1), in accept order.</summary>
    public List<string> Openings { get; } = [];

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_relays)
            {
                _relays.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        try
        {
            await using var downstream = new NetworkStream(client, ownsSocket: true);
            byte[] opening = new byte[Http2Preface.Length];
            await downstream.ReadExactlyAsync(opening, _stop.Token);
            lock (Openings)
            {
                Openings.Add(Encoding.Latin1.GetString(opening));
            }

            using var server = new TcpClient();
            await server.ConnectAsync(_upstream, _stop.Token);
            await using NetworkStream upstream = server.GetStream();
            await upstream.WriteAsync(opening, _stop.Token);
            Task up = downstream.CopyToAsync(upstream, _stop.Token);
            Task down = upstream.CopyToAsync(downstream, _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or EndOfStreamException)
        {
            // The client or the server closed; the relay ends with them.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept;
        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays);
        _stop.Dispose();
    }
}
