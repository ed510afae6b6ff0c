using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the server: relays requests (Content-Length bodies) and answers unchanged,
/// counts the UploadPart requests it relays, and holds every UploadPart from the <see cref="HoldFrom"/>-th on — the
/// request is read but never relayed and <see cref="Held"/> is set — so a test can interrupt an upload at a known part.
/// </summary>
internal sealed class PartGateProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accept;
    private int _seen;
    private int _relayed;

    public PartGateProxy(IPEndPoint upstream, int holdFrom = int.MaxValue)
    {
        _upstream = upstream;
        HoldFrom = holdFrom;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The ordinal (1-based) of the first UploadPart held.</summary>
    public int HoldFrom { get; }

    /// <summary>Set when an UploadPart is held.</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>UploadPart requests relayed to the server.</summary>
    public int PartsRelayed => Volatile.Read(ref _relayed);

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            lock (_connections) _connections.Add(RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var _ = client;
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Task? answers = null;
        try
        {
            // Head and body are relayed as separate writes: without NODELAY each would wait out a delayed ACK.
            client.NoDelay = true;
            server.NoDelay = true;
            await server.ConnectAsync(_upstream, _stop.Token);
            using var fromClient = new NetworkStream(client, ownsSocket: false);
            using var toServer = new NetworkStream(server, ownsSocket: false);
            answers = CopyAsync(toServer, fromClient);
            var head = new List<byte>();
            var buffer = new byte[1 << 20];
            int have = 0, start = 0;
            while (true)
            {
                // One request head, byte by byte from what was read, up to the blank line.
                head.Clear();
                while (!EndsWithBlankLine(head))
                {
                    if (start == have)
                    {
                        have = await fromClient.ReadAsync(buffer, _stop.Token);
                        start = 0;
                        if (have == 0) return;
                    }
                    head.Add(buffer[start++]);
                }
                string text = Encoding.ASCII.GetString(head.ToArray());
                if (text.Contains("transfer-encoding:", StringComparison.OrdinalIgnoreCase)) throw new NotSupportedException("chunked request bodies");
                long length = 0;
                foreach (string line in text.Split("\r\n"))
                    if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase)) length = long.Parse(line["content-length:".Length..].Trim());
                bool part = text.StartsWith("PUT ", StringComparison.Ordinal) && text.Split("\r\n")[0].Contains("partNumber=", StringComparison.Ordinal);
                if (part && Interlocked.Increment(ref _seen) >= HoldFrom)
                {
                    Held.TrySetResult();
                    await Task.Delay(Timeout.Infinite, _stop.Token); // until the proxy is disposed (or the client gives up)
                }
                await toServer.WriteAsync(head.ToArray(), _stop.Token);
                while (length > 0)
                {
                    if (start == have)
                    {
                        have = await fromClient.ReadAsync(buffer, _stop.Token);
                        start = 0;
                        if (have == 0) return;
                    }
                    int n = (int)Math.Min(length, have - start);
                    await toServer.WriteAsync(buffer.AsMemory(start, n), _stop.Token);
                    start += n;
                    length -= n;
                }
                if (part) Interlocked.Increment(ref _relayed);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
        finally
        {
            server.Dispose(); // ends the answer pump too
            if (answers != null) await answers;
        }
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    private async Task CopyAsync(Stream from, Stream to)
    {
        try { await from.CopyToAsync(to, _stop.Token); }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] all;
        lock (_connections) all = [.. _connections];
        await Task.WhenAll(all);
        _stop.Dispose();
    }
}
