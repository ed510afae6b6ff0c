using System.Net;
using System.Net.Sockets;

namespace Sluice.Client.Tests;

/// <summary>
/// A TCP relay on 127.0.0.1 that flips one bit of the first request body on every connection, at
/// <c>offset</c> bytes into the body as the client framed it — for HTTP/1.1 after the first request head, for h2c
/// into the DATA frames' payloads (frame headers are left alone, so the HTTP/2 connection stays valid) — as a damaged
/// path would (a negative offset flips nothing). Answers are relayed untouched.
/// </summary>
internal sealed class BodyFlipRelay : LoopbackRelay
{
    private const int PrefaceLength = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    private readonly bool _h2;
    private readonly long _offset;
    private int _flipped;

    public BodyFlipRelay(IPEndPoint upstream, bool h2, long offset)
        : base(upstream)
    {
        _h2 = h2;
        _offset = offset;
    }

    /// <summary>Bits flipped so far (one per connection that sent that far).</summary>
    public int Flipped => Volatile.Read(ref _flipped);

    /// <summary>HTTP/1.1: the x-amz-content-sha256 value of every request head seen (the payload mode on the wire).</summary>
    public List<string> PayloadHashes { get; } = [];

    protected override async Task HandleAsync(Socket client)
    {
        using var _ = client;
        try
        {
            using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(Upstream, Stopping);
            Task up = RelayRequestAsync(client, server);
            Task down = RelayAsync(server, client);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
    }

    private async Task RelayAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int n = await from.ReceiveAsync(buffer, SocketFlags.None, Stopping);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, Stopping);
        }
    }

    private async Task RelayRequestAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        var scan = new Scanner(_h2, _offset);
        while (true)
        {
            int n = await from.ReceiveAsync(buffer, SocketFlags.None, Stopping);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            if (!_h2)
            {
                RecordPayloadHashes(buffer.AsSpan(0, n));
            }

            if (scan.Step(buffer.AsSpan(0, n)))
            {
                Interlocked.Increment(ref _flipped);
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, Stopping);
        }
    }

    private void RecordPayloadHashes(ReadOnlySpan<byte> bytes)
    {
        string text = System.Text.Encoding.Latin1.GetString(bytes);
        for (int at = text.IndexOf("\r\nx-amz-content-sha256:", StringComparison.OrdinalIgnoreCase); at >= 0;
             at = text.IndexOf("\r\nx-amz-content-sha256:", at + 1, StringComparison.OrdinalIgnoreCase))
        {
            int start = at + "\r\nx-amz-content-sha256:".Length;
            int end = text.IndexOf('\r', start);
            if (end > start)
            {
                lock (PayloadHashes)
                {
                    PayloadHashes.Add(text[start..end].Trim());
                }
            }
        }
    }

    /// <summary>Finds the body byte to flip in the client's byte stream, one byte at a time.</summary>
    private sealed class Scanner(bool h2, long offset)
    {
        private long _seen;          // connection bytes so far
        private int _headMatch;      // HTTP/1.1: bytes of "\r\n\r\n" matched
        private bool _inBody;
        private long _body;          // body (or DATA payload) bytes so far
        private readonly byte[] _frameHeader = new byte[9];
        private int _headerFill;
        private int _payloadLeft;
        private bool _isData;
        private bool _done;

        public bool Step(Span<byte> bytes)
        {
            bool flipped = false;
            for (int i = 0; i < bytes.Length && !_done; i++, _seen++)
            {
                if (!h2)
                {
                    if (!_inBody)
                    {
                        _headMatch = bytes[i] == "\r\n\r\n"u8[_headMatch] ? _headMatch + 1 : bytes[i] == (byte)'\r' ? 1 : 0;
                        _inBody = _headMatch == 4;
                        continue;
                    }
                }
                else
                {
                    if (_seen < PrefaceLength)
                    {
                        continue;
                    }

                    if (_payloadLeft == 0)
                    {
                        _frameHeader[_headerFill++] = bytes[i];
                        if (_headerFill == 9)
                        {
                            _headerFill = 0;
                            _payloadLeft = (_frameHeader[0] << 16) | (_frameHeader[1] << 8) | _frameHeader[2];
                            _isData = _frameHeader[3] == 0;
                        }

                        continue;
                    }

                    _payloadLeft--;
                    if (!_isData)
                    {
                        continue;
                    }
                }

                if (_body++ == offset)
                {
                    bytes[i] ^= 0x01;
                    flipped = true;
                    _done = true;
                }
            }

            return flipped;
        }
    }
}
