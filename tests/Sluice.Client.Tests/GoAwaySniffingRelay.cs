using System.Net;
using System.Net.Sockets;

namespace Sluice.Client.Tests;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of an h2c server that reads the server's HTTP/2 frames as they pass and completes
/// <see cref="GoAwaySeen"/> at the first GOAWAY frame, so a test can act exactly when the server has announced it is
/// going away. Bytes are relayed untouched both ways; a connection the upstream refuses is closed at once.
/// </summary>
internal sealed class GoAwaySniffingRelay : LoopbackRelay
{
    private const byte GoAwayType = 7;
    private readonly TaskCompletionSource _goAway = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GoAwaySniffingRelay(IPEndPoint upstream)
        : base(upstream)
    {
    }

    /// <summary>Completes when a GOAWAY frame from the server has been relayed to the client.</summary>
    public Task GoAwaySeen => _goAway.Task;

    protected override async Task HandleAsync(Socket client)
    {
        using var _ = client;
        try
        {
            using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(Upstream, Stopping);
            Task up = RelayAsync(client, server, sniff: false);
            Task down = RelayAsync(server, client, sniff: true);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
    }

    private async Task RelayAsync(Socket from, Socket to, bool sniff)
    {
        byte[] buffer = new byte[64 * 1024];
        byte[] header = new byte[9];
        int headerFill = 0;
        long payloadLeft = 0;
        while (true)
        {
            int n = await from.ReceiveAsync(buffer, SocketFlags.None, Stopping);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            // Relay first: the GOAWAY must be on its way to the client when the test is told.
            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, Stopping);
            for (int i = 0; sniff && i < n;)
            {
                if (payloadLeft > 0)
                {
                    int skip = (int)Math.Min(payloadLeft, n - i);
                    payloadLeft -= skip;
                    i += skip;
                    continue;
                }

                header[headerFill++] = buffer[i++];
                if (headerFill == header.Length)
                {
                    headerFill = 0;
                    payloadLeft = (header[0] << 16) | (header[1] << 8) | header[2];
                    if (header[3] == GoAwayType)
                    {
                        _goAway.TrySetResult();
                    }
                }
            }
        }
    }
}
