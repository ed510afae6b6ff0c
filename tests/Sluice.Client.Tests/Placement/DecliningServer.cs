using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Client.Tests.Placement;

/// <summary>
/// A tiny real HTTP/1.1 server that answers requests carrying x-amz-rdma-token in one decline style and serves plain
/// requests from memory (GET returns the object, PUT stores the body): the other S3-over-RDMA implementations'
/// behaviours, for the client's fall back.
/// </summary>
internal sealed class DecliningServer : IAsyncDisposable
{
    /// <summary>GET: 200 with the body and x-amz-rdma-reply: 501; PUT: 501 RDMANotSupported.</summary>
    public const string StyleA = "a";

    /// <summary>An S3 error (400 here) with x-amz-rdma-reply: 501.</summary>
    public const string StyleB = "b";

    /// <summary>A plain 501 NotImplemented without the reply header.</summary>
    public const string StyleC = "c";

    /// <summary>The token ignored: a plain answer (GET's body is the data).</summary>
    public const string Ignores = "ignores";

    /// <summary>A 400 InvalidArgument without the reply header: a real error, not a decline.</summary>
    public const string RealError = "error";

    private readonly TcpListener _listener;
    private readonly string _style;
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];

    public DecliningServer(string style, byte[] objectBytes)
    {
        _style = style;
        Object = objectBytes;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The object GETs return; a plain PUT replaces it.</summary>
    public byte[] Object { get; private set; }

    /// <summary>Requests that carried a token.</summary>
    public int TokenRequests { get; private set; }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_connections) _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[65536];
        try
        {
            while (true)
            {
                int end;
                while ((end = IndexOfHeadEnd(buffer)) < 0)
                {
                    int n = await stream.ReadAsync(chunk);
                    if (n == 0) return;
                    buffer.AddRange(chunk.AsSpan(0, n));
                }
                string head = Encoding.ASCII.GetString(buffer.GetRange(0, end).ToArray());
                buffer.RemoveRange(0, end + 4);
                string[] lines = head.Split("\r\n");
                string method = lines[0].Split(' ')[0];
                long length = 0;
                bool token = false;
                foreach (string line in lines.Skip(1))
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    string name = line[..colon].Trim().ToLowerInvariant(), value = line[(colon + 1)..].Trim();
                    if (name == "content-length") length = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    if (name == "x-amz-rdma-token") token = true;
                }
                while (buffer.Count < length)
                {
                    int n = await stream.ReadAsync(chunk);
                    if (n == 0) return;
                    buffer.AddRange(chunk.AsSpan(0, n));
                }
                byte[] body = buffer.GetRange(0, (int)length).ToArray();
                buffer.RemoveRange(0, (int)length);
                if (token) TokenRequests++;
                byte[] answer = token && _style != Ignores ? Decline(method) : Plain(method, body);
                await stream.WriteAsync(answer);
            }
        }
        catch (IOException)
        {
        }
    }

    private byte[] Decline(string method) => (_style, method) switch
    {
        (StyleA, "GET") => Response(200, "OK", Object, ("x-amz-rdma-reply", "501"), ("ETag", "\"e\"")),
        (StyleA, _) => Error(501, "RDMANotSupported"),
        (StyleB, _) => Error(400, "InvalidRequest", ("x-amz-rdma-reply", "501")),
        (StyleC, _) => Error(501, "NotImplemented"),
        _ => Error(400, "InvalidArgument"),
    };

    private byte[] Plain(string method, byte[] body)
    {
        if (method == "PUT") Object = body;
        return method == "GET" ? Response(200, "OK", Object, ("ETag", "\"e\"")) : Response(200, "OK", [], ("ETag", "\"e\""));
    }

    private static byte[] Error(int status, string code, params (string, string)[] headers) =>
        Response(status, "Error", Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>declined</Message></Error>"),
            [("Content-Type", "application/xml"), .. headers]);

    private static byte[] Response(int status, string reason, byte[] body, params (string, string)[] headers)
    {
        var text = new StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\nContent-Length: {body.Length}\r\n");
        foreach (var (n, v) in headers) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{n}: {v}\r\n");
        text.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(text.ToString()), .. body];
    }

    private static int IndexOfHeadEnd(List<byte> buffer)
    {
        for (int i = 0; i + 3 < buffer.Count; i++)
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') return i;
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting;
        Task[] open;
        lock (_connections) open = [.. _connections];
        await Task.WhenAll(open);
    }
}
