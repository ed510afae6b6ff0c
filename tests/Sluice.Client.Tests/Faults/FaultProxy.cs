using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Client.Tests.Faults;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the embedded server that injects faults per connection: canned 500/503
/// answers, resets, stalls and truncated responses. Real sockets both ways; the policy picks the fault for the
/// n-th accepted connection.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly Func<int, Fault> _policy;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Task _accept;
    private readonly Func<string, bool>? _dropResponseTo;
    private readonly Func<string, bool>? _corruptResponseTo;
    private readonly Func<string, string?>? _answer;
    private int _connections;
    private int _dropped;
    private int _corruptionsLeft;

    /// <param name="upstream">The server.</param>
    /// <param name="policy">The fault for the n-th accepted connection.</param>
    /// <param name="dropResponseTo">
    /// Once, for the first request whose request line matches: relay the request, let the server act on it, then reset
    /// the client's connection instead of relaying the answer (a success the client never sees).
    /// </param>
    /// <param name="corruptResponseTo">
    /// For the first <paramref name="corruptions"/> requests whose head (as in <see cref="RequestHeads"/>) matches: relay
    /// the answer with one body byte flipped (<see cref="CorruptBodyOffset"/>), as a damaged wire would.
    /// </param>
    /// <param name="answer">A raw HTTP response to send instead of relaying a request whose head matches, or null to relay
    /// it. The request's Content-Length body is read and dropped, so the connection stays usable (keep-alive).</param>
    public FaultProxy(IPEndPoint upstream, Func<int, Fault> policy, Func<string, bool>? dropResponseTo = null,
        Func<string, bool>? corruptResponseTo = null, int corruptions = int.MaxValue, Func<string, string?>? answer = null)
    {
        _upstream = upstream;
        _policy = policy;
        _dropResponseTo = dropResponseTo;
        _corruptResponseTo = corruptResponseTo;
        _corruptionsLeft = corruptions;
        _answer = answer;
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Request heads seen on relayed connections (first line and Range), for assertions.</summary>
    public List<string> RequestHeads { get; } = [];

    /// <summary>Which body byte of a corrupted answer is flipped.</summary>
    public const int CorruptBodyOffset = 1000;

    /// <summary>Answers relayed with a flipped byte so far.</summary>
    public int Corrupted => Volatile.Read(ref _corrupted);

    private int _corrupted;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
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

            int index = Interlocked.Increment(ref _connections) - 1;
            lock (_tasks)
            {
                _tasks.Add(Task.Run(() => HandleAsync(client, _policy(index))));
            }
        }
    }

    private async Task HandleAsync(Socket client, Fault fault)
    {
        using var _ = client;
        try
        {
            if (fault.Kind == FaultKind.Respond)
            {
                await RespondAsync(client, fault);
                return;
            }

            using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(_upstream, _stop.Token);
            var drop = new StrongBox<bool>();
            var corrupt = new StrongBox<bool>();
            Task up = RelayRequestsAsync(client, server, drop, corrupt);
            Task down = RelayResponsesAsync(server, client, fault, drop, corrupt);
            await Task.WhenAny(up, down);
            if (fault.Kind == FaultKind.Truncate)
            {
                // Let the client read the clean end of stream before the sockets close (an early close would RST).
                await Task.WhenAny(up, Task.Delay(TimeSpan.FromMinutes(2), _stop.Token)); // a hang guard: a loaded client reads late
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
    }

    private async Task RelayRequestsAsync(Socket from, Socket to, StrongBox<bool> drop, StrongBox<bool> corrupt)
    {
        byte[] buffer = new byte[64 * 1024];
        long swallow = 0; // body bytes of an answered request still to drop
        while (true)
        {
            int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            if (swallow > 0)
            {
                // No pipelining: the client sends nothing else until it has read the answer, so these bytes are all body.
                swallow -= n;
                continue;
            }

            // HTTP/1.1 without pipelining: when a request arrives, every earlier answer on the connection was relayed,
            // so the next bytes from the server answer this request.
            var (line, head) = Record(buffer.AsSpan(0, n));
            if (line is not null && _dropResponseTo is not null && _dropResponseTo(line)
                && Interlocked.Exchange(ref _dropped, 1) == 0)
            {
                Volatile.Write(ref drop.Value, true);
            }

            if (head is not null && _corruptResponseTo is not null && _corruptResponseTo(head)
                && Interlocked.Decrement(ref _corruptionsLeft) >= 0)
            {
                Volatile.Write(ref corrupt.Value, true);
            }

            if (head is not null && _answer?.Invoke(head) is { } response)
            {
                // The server never sees it; nothing else is being answered on this connection (no pipelining).
                swallow = BodyBytesStillToCome(buffer.AsSpan(0, n));
                await from.SendAsync(Encoding.Latin1.GetBytes(response), SocketFlags.None, _stop.Token);
                continue;
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
        }
    }

    /// <summary>The body bytes of the request starting in <paramref name="bytes"/> that have not arrived yet.</summary>
    private static long BodyBytesStillToCome(ReadOnlySpan<byte> bytes)
    {
        string text = Encoding.Latin1.GetString(bytes);
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return 0;
        }

        string? lengthLine = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase));
        long length = lengthLine is null ? 0 : long.Parse(lengthLine[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return Math.Max(0, length - (bytes.Length - end - 4));
    }

    /// <summary>Records the request heads that start in <paramref name="bytes"/>; returns the last request line and its record.</summary>
    private (string? Line, string? Head) Record(ReadOnlySpan<byte> bytes)
    {
        string? last = null, lastHead = null;
        string text = Encoding.Latin1.GetString(bytes);
        foreach (string method in new[] { "GET ", "PUT ", "HEAD ", "POST ", "DELETE " })
        {
            int at = text.IndexOf(method, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            int end = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            string head = end < 0 ? text[at..] : text[at..end];
            string line = head.Split("\r\n")[0];
            last = line;
            string? range = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("range:", StringComparison.OrdinalIgnoreCase));
            lastHead = range is null ? line : line + " | " + range;
            lock (RequestHeads)
            {
                RequestHeads.Add(lastHead);
            }
        }

        return (last, lastHead);
    }

    private async Task RelayResponsesAsync(Socket from, Socket to, Fault fault, StrongBox<bool> drop, StrongBox<bool> corrupt)
    {
        byte[] buffer = new byte[64 * 1024];
        long relayed = 0;
        int headMatched = 0; // bytes of "\r\n\r\n" seen at the end of the answer's head so far
        long bodySeen = 0;
        while (true)
        {
            int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            if (Volatile.Read(ref corrupt.Value))
            {
                for (int i = 0; i < n; i++)
                {
                    if (headMatched < 4)
                    {
                        headMatched = buffer[i] == "\r\n\r\n"u8[headMatched] ? headMatched + 1 : buffer[i] == (byte)'\r' ? 1 : 0;
                    }
                    else if (bodySeen++ == CorruptBodyOffset)
                    {
                        buffer[i] ^= 0x01;
                        headMatched = 0;
                        bodySeen = 0;
                        Volatile.Write(ref corrupt.Value, false);
                        Interlocked.Increment(ref _corrupted);
                        break;
                    }
                }
            }

            if (Volatile.Read(ref drop.Value))
            {
                to.LingerState = new LingerOption(true, 0); // the server has answered: the client sees a reset instead
                to.Close();
                return;
            }

            if (fault.Kind == FaultKind.Corrupt)
            {
                long at = fault.AfterBytes - relayed;
                if (at >= 0 && at < n)
                {
                    buffer[at] ^= 0xFF;
                }
            }
            else if (fault.Kind != FaultKind.None && relayed + n >= fault.AfterBytes)
            {
                int allowed = (int)(fault.AfterBytes - relayed);
                if (allowed > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, allowed), SocketFlags.None, _stop.Token);
                }

                switch (fault.Kind)
                {
                    case FaultKind.Stall:
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        return;
                    case FaultKind.Truncate:
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    default:
                        to.LingerState = new LingerOption(true, 0); // close with RST
                        to.Close();
                        return;
                }
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            relayed += n;
        }
    }

    /// <summary>Reads one request (head and Content-Length body) and answers it with an S3 error, then closes.</summary>
    private async Task RespondAsync(Socket client, Fault fault)
    {
        byte[] buffer = new byte[1024 * 1024];
        int used = 0, headEnd;
        while ((headEnd = buffer.AsSpan(0, used).IndexOf("\r\n\r\n"u8)) < 0)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(used), SocketFlags.None, _stop.Token);
            if (n == 0)
            {
                return;
            }

            used += n;
        }

        string head = Encoding.Latin1.GetString(buffer, 0, headEnd);
        string? lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase));
        long bodyLength = lengthLine is null ? 0 : long.Parse(lengthLine[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        long pending = bodyLength - (used - headEnd - 4);
        while (pending > 0)
        {
            int n = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (n == 0)
            {
                return;
            }

            pending -= n;
        }

        string body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{fault.Code}</Code><Message>injected</Message><RequestId>proxy-{Guid.NewGuid():N}</RequestId></Error>";
        bool isHead = head.StartsWith("HEAD ", StringComparison.Ordinal);
        string response = $"HTTP/1.1 {fault.Status} Injected\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" +
            $"x-amz-request-id: proxy\r\nConnection: close\r\n\r\n{(isHead ? "" : body)}";
        await client.SendAsync(Encoding.UTF8.GetBytes(response), SocketFlags.None, _stop.Token);
        client.Shutdown(SocketShutdown.Both);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }

        _stop.Dispose();
    }
}
