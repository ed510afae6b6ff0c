using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.ServerBench;

/// <summary>
/// A minimal keep-alive HTTP/1.1 client connection over a plain socket: sends prepared request bytes and reads one
/// response at a time (Content-Length framing, which both servers use here), discarding or keeping the body. The
/// load path allocates nothing per request.
/// </summary>
internal sealed class HttpConnection : IDisposable
{
    /// <summary>Receive buffer: whole heads plus large body slices per receive.</summary>
    private const int BufferSize = 256 * 1024;

    private readonly Socket _socket;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private int _start, _end;

    private HttpConnection(Socket socket) => _socket = socket;

    /// <summary>The last response's head (only when asked for), for headers such as ETag.</summary>
    public string? LastHead { get; private set; }

    public static async Task<HttpConnection> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new HttpConnection(socket);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None);
            bytes = bytes[sent..];
        }
    }

    /// <summary>
    /// Reads one response. Returns its status and body length; the body is copied into <paramref name="body"/> when
    /// given (and large enough), else discarded. Throws if the peer closes mid-response.
    /// </summary>
    public async ValueTask<(int Status, long Length)> ReadResponseAsync(bool keepHead = false, Stream? body = null)
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync()) throw new IOException("connection closed before a response head");
        }
        var head = _buffer.AsSpan(_start, headEnd);
        int status = ParseStatus(head);
        long length = ParseContentLength(head);
        if (keepHead) LastHead = Encoding.ASCII.GetString(head);
        _start += headEnd + 4;
        long remaining = length;
        while (remaining > 0)
        {
            if (_start == _end && !await FillAsync()) throw new IOException("connection closed mid-body");
            int take = (int)Math.Min(remaining, _end - _start);
            body?.Write(_buffer, _start, take);
            _start += take;
            remaining -= take;
        }
        return (status, length);
    }

    /// <summary>A header of <see cref="LastHead"/> (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (string line in (LastHead ?? "").Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                return line[(colon + 1)..].Trim();
        }
        return null;
    }

    private async ValueTask<bool> FillAsync()
    {
        if (_start == _end) _start = _end = 0;
        else if (_end == _buffer.Length)
        {
            if (_start == 0) throw new InvalidDataException("response head larger than the buffer");
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
        _end += n;
        return n > 0;
    }

    private static int ParseStatus(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8)) throw new InvalidDataException("not an HTTP/1.x response");
        return (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
    }

    private static long ParseContentLength(ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> name = "content-length:"u8;
        while (!head.IsEmpty)
        {
            int eol = head.IndexOf("\r\n"u8);
            var line = eol < 0 ? head : head[..eol];
            if (line.Length > name.Length && Ascii.EqualsIgnoreCase(line[..name.Length], name))
            {
                long value = 0;
                foreach (byte b in line[name.Length..])
                {
                    if (b is >= (byte)'0' and <= (byte)'9') value = value * 10 + (b - '0');
                }
                return value;
            }
            head = eol < 0 ? default : head[(eol + 2)..];
        }
        return 0;
    }

    public void Dispose() => _socket.Dispose();
}
