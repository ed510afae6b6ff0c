using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Client.Tests;

/// <summary>
/// A TCP relay on 127.0.0.1 that records the first bytes each accepted connection sends (the HTTP/2 client preface,
/// or an HTTP/1.1 request line) before relaying both ways: what the wire carried, not what the client says of itself.
/// </summary>
internal sealed class PrefaceSniffingRelay : LoopbackRelay
{
    /// <summary>Every HTTP/2 connection starts with these 24 bytes (RFC 9113 §3.4).</summary>
    public const string Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    public PrefaceSniffingRelay(IPEndPoint upstream)
        : base(upstream)
    {
    }

    /// <summary>The first 24 bytes of each connection (Latin-1), in accept order.</summary>
    public List<string> Openings { get; } = [];

    protected override async Task HandleAsync(Socket client)
    {
        try
        {
            await using var downstream = new NetworkStream(client, ownsSocket: true);
            byte[] opening = new byte[Http2Preface.Length];
            await downstream.ReadExactlyAsync(opening, Stopping);
            lock (Openings)
            {
                Openings.Add(Encoding.Latin1.GetString(opening));
            }

            using var server = new TcpClient();
            await server.ConnectAsync(Upstream, Stopping);
            await using NetworkStream upstream = server.GetStream();
            await upstream.WriteAsync(opening, Stopping);
            Task up = downstream.CopyToAsync(upstream, Stopping);
            Task down = upstream.CopyToAsync(downstream, Stopping);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or EndOfStreamException)
        {
            // The client or the server closed; the relay ends with them.
        }
    }
}
