using System.Buffers;
using System.Net.Security;
using Sluice.IO;
using Sluice.S3.Auth;
using Sluice.S3.Http;

namespace Sluice.Client.Transport;

/// <summary>
/// One keep-alive HTTP/1.1 connection of a <see cref="HostPool"/>: the socket (or SslStream over it), a reused
/// receive buffer the response head is parsed in place from, a reused head buffer and header list for requests,
/// and the body framing state (Content-Length or chunked). Receives and sends run under a per-connection timer:
/// the first-byte timeout while waiting for a response, the stall window otherwise.
/// </summary>
internal sealed class HttpConnection : IHttpExchange, IAsyncDisposable
{
    /// <summary>Receive buffer: holds any response head (16 KiB limit) plus a useful batch of body bytes.</summary>
    public const int ReceiveBufferSize = 64 * 1024;

    /// <summary>Request head buffer; S3 request heads are well under this (the server's limit is 16 KiB too).</summary>
    public const int HeadBufferSize = 16 * 1024;

    /// <summary>Bodies are sent in slices so the stall timer judges progress per slice, not per whole body.</summary>
    public const int SendSliceSize = 256 * 1024;

    private readonly Connection _connection;
    private readonly SslStream? _tls;
    private readonly S3ClientOptions _settings;
    private readonly CancellationTokenSource _timer = new();
    private bool _timerFired;
    private bool _closeAfter;
    private long _windowStart;
    private long _windowBytes;

    // Body framing.
    private BodyMode _mode;
    private long _remaining;
    private ChunkedDecoder _decoder;
    private int _pendingOffset;
    private int _pendingLength;

    public HttpConnection(Connection connection, SslStream? tls, S3ClientOptions settings)
    {
        _connection = connection;
        _tls = tls;
        _settings = settings;
        Buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        HeadBuffer = ArrayPool<byte>.Shared.Rent(HeadBufferSize);
    }

    private enum BodyMode : byte
    {
        None,
        Length,
        Chunked,
        UntilClose,
    }

    public byte[] Buffer { get; }

    public byte[] HeadBuffer { get; }

    /// <summary>Window of received, unconsumed bytes in <see cref="Buffer"/>.</summary>
    public int Start { get; private set; }

    public int End { get; private set; }

    /// <summary>Where the last parsed head starts in <see cref="Buffer"/> (its slices are relative to this).</summary>
    public int HeadStart { get; private set; }

    public S3ResponseHead Head { get; } = new();

    public SigV4HeaderList Headers { get; } = new();

    /// <summary>Requests completed on this connection; more than 0 means it came from the idle pool.</summary>
    public int Uses { get; set; }

    public long IdleSince { get; set; }

    /// <summary>Response bytes received for the current request (0 = the server said nothing).</summary>
    public long ResponseBytes { get; private set; }

    /// <summary>Body bytes handed to the caller for the current response.</summary>
    public long BodyDelivered { get; private set; }

    /// <summary>True once the request was handed to the socket in full.</summary>
    public bool RequestSent { get; private set; }

    /// <summary>True when the response body was read to its end and the server allows keep-alive.</summary>
    public bool Reusable => _mode == BodyMode.None && Head.KeepAlive && !_timerFired && !_closeAfter && Start == End;

    public ReadOnlySpan<byte> HeadBytes => Buffer.AsSpan(HeadStart);

    /// <summary>True without TLS: every await of an exchange is then an operation of the socket's own reactor.</summary>
    public bool IsPlain => _tls is null;

    /// <summary>Continues on the reactor owning the socket (completes at once with the managed engine).</summary>
    public OwnerAwaitable ResumeOnOwner() => _connection.ResumeOnOwner();

    /// <summary>Prepares for a new request on this connection.</summary>
    public void BeginRequest()
    {
        ResponseBytes = 0;
        RequestSent = false;
        _mode = BodyMode.None;
        _pendingLength = 0;
        _windowStart = Environment.TickCount64;
        _windowBytes = 0;
    }

    /// <summary>Sends the head and, gathered with it, the first slice of an in-memory body; then the rest in slices.</summary>
    public async ValueTask SendAsync(int headLength, ReadOnlyMemory<byte> body, bool final, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> head = HeadBuffer.AsMemory(0, headLength);
        int first = Math.Min(body.Length, SendSliceSize);
        await SendCoreAsync(head, body[..first], cancellationToken).ConfigureAwait(false);
        for (int offset = first; offset < body.Length; offset += SendSliceSize)
        {
            int n = Math.Min(SendSliceSize, body.Length - offset);
            await SendCoreAsync(body.Slice(offset, n), default, cancellationToken).ConfigureAwait(false);
        }

        RequestSent = final;
    }

    /// <summary>Sends more body bytes (streamed bodies).</summary>
    public async ValueTask SendBodyAsync(ReadOnlyMemory<byte> body, bool final, CancellationToken cancellationToken)
    {
        for (int offset = 0; offset < body.Length; offset += SendSliceSize)
        {
            int n = Math.Min(SendSliceSize, body.Length - offset);
            await SendCoreAsync(body.Slice(offset, n), default, cancellationToken).ConfigureAwait(false);
        }

        RequestSent = final;
    }

    private async ValueTask SendCoreAsync(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b, CancellationToken cancellationToken)
    {
        if (_settings.BandwidthLimit is { } limit)
        {
            // Before the timers are armed: time spent waiting for the limit is not a stall.
            await limit.WaitAsync(a.Length + b.Length, cancellationToken).ConfigureAwait(false);
        }

        CancellationToken token = Arm(_settings.StallTimeout, cancellationToken, out CancellationTokenRegistration user);
        try
        {
            if (_tls is not null)
            {
                await _tls.WriteAsync(a, token).ConfigureAwait(false);
                if (!b.IsEmpty)
                {
                    await _tls.WriteAsync(b, token).ConfigureAwait(false);
                }
            }
            else if (b.IsEmpty)
            {
                await _connection.SendAsync(a, token).ConfigureAwait(false);
            }
            else
            {
                await _connection.SendAsync(a, b, token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not S3Exception)
        {
            throw Translate(e, waitingForFirstByte: false, cancellationToken);
        }
        finally
        {
            Disarm(user);
        }

        Account(a.Length + b.Length);
    }

    /// <summary>Reads the final response head (skipping 1xx), leaving Start at the first body byte.</summary>
    public async ValueTask ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (End > Start)
            {
                HttpParseResult result = Head.Parse(Buffer.AsSpan(Start, End - Start));
                if (result.IsComplete)
                {
                    HeadStart = Start;
                    Start += Head.HeadLength;
                    if (Head.IsInterim)
                    {
                        continue;
                    }

                    return;
                }

                if (result.IsError)
                {
                    throw new S3Exception(S3ClientErrorCodes.MalformedResponse, 0,
                        $"The server sent a malformed HTTP response head ({result.Error}).", isRetryable: true);
                }
            }

            Compact();
            if (End == Buffer.Length)
            {
                throw new S3Exception(S3ClientErrorCodes.MalformedResponse, 0,
                    "The server's response head exceeds the receive buffer.", isRetryable: false);
            }

            int n = await ReceiveAsync(Buffer.AsMemory(End), ResponseBytes == 0, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new S3Exception(S3ClientErrorCodes.ConnectionReset, 0, ResponseBytes == 0
                    ? "The server closed the connection without answering."
                    : "The server closed the connection in the middle of the response head.", isRetryable: true);
            }

            End += n;
        }
    }

    /// <summary>Sets up body framing from the parsed head; <paramref name="hasBody"/> is false for HEAD, 204, 304.</summary>
    public void BeginBody(bool hasBody)
    {
        _pendingLength = 0;
        BodyDelivered = 0;
        if (!hasBody)
        {
            _mode = BodyMode.None;
        }
        else if (Head.IsChunked)
        {
            _mode = BodyMode.Chunked;
            _decoder = new ChunkedDecoder();
        }
        else if (Head.ContentLength >= 0)
        {
            _remaining = Head.ContentLength;
            _mode = _remaining == 0 ? BodyMode.None : BodyMode.Length;
        }
        else
        {
            _mode = BodyMode.UntilClose; // neither length nor chunked: the body ends with the connection
        }
    }

    /// <summary>
    /// Reads body bytes straight into <paramref name="destination"/> (received directly into it when nothing is
    /// buffered). Returns 0 at the end of the body; a body cut short throws <see cref="S3ClientErrorCodes.TruncatedBody"/>.
    /// </summary>
    public async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (_mode == BodyMode.Length && End == Start && _pendingLength == 0)
        {
            int want = (int)Math.Min(destination.Length, _remaining);
            int n = await ReceiveAsync(destination[..want], false, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw Truncated();
            }

            _remaining -= n;
            if (_remaining == 0)
            {
                _mode = BodyMode.None;
            }

            BodyDelivered += n;
            return n;
        }

        ReadOnlyMemory<byte> segment = await NextSegmentAsync(destination.Length, cancellationToken).ConfigureAwait(false);
        segment.CopyTo(destination);
        return segment.Length;
    }

    /// <summary>The next body bytes as a slice of the receive buffer (valid until the next call); empty at the end.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> NextSegmentAsync(int max, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> segment = await NextSegmentCoreAsync(max, cancellationToken).ConfigureAwait(false);
        BodyDelivered += segment.Length;
        return segment;
    }

    private async ValueTask<ReadOnlyMemory<byte>> NextSegmentCoreAsync(int max, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_pendingLength > 0)
            {
                int n = Math.Min(max, _pendingLength);
                var slice = new ReadOnlyMemory<byte>(Buffer, _pendingOffset, n);
                _pendingOffset += n;
                _pendingLength -= n;
                return slice;
            }

            switch (_mode)
            {
                case BodyMode.None:
                    return ReadOnlyMemory<byte>.Empty;

                case BodyMode.Length:
                    if (End > Start)
                    {
                        int n = (int)Math.Min(Math.Min(End - Start, _remaining), max);
                        var slice = new ReadOnlyMemory<byte>(Buffer, Start, n);
                        Start += n;
                        _remaining -= n;
                        if (_remaining == 0)
                        {
                            _mode = BodyMode.None;
                        }

                        return slice;
                    }

                    Compact();
                    int want = (int)Math.Min(Buffer.Length, _remaining);
                    int got = await ReceiveAsync(Buffer.AsMemory(0, want), false, cancellationToken).ConfigureAwait(false);
                    if (got == 0)
                    {
                        throw Truncated();
                    }

                    End += got;
                    break;

                case BodyMode.UntilClose:
                    if (End > Start)
                    {
                        int n = Math.Min(End - Start, max);
                        var slice = new ReadOnlyMemory<byte>(Buffer, Start, n);
                        Start += n;
                        return slice;
                    }

                    Compact();
                    int read = await ReceiveAsync(Buffer.AsMemory(), false, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        _mode = BodyMode.None;
                        _closeAfter = true;
                        return ReadOnlyMemory<byte>.Empty;
                    }

                    End += read;
                    break;

                case BodyMode.Chunked:
                    await DecodeChunkedAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async ValueTask DecodeChunkedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_decoder.IsCompleted)
            {
                _mode = BodyMode.None;
                return;
            }

            System.Buffers.OperationStatus status = Decode(out int consumed, out bool isData);
            if (status == System.Buffers.OperationStatus.Done)
            {
                if (isData)
                {
                    _pendingOffset = Start;
                    _pendingLength = consumed;
                    Start += consumed;
                    return;
                }

                Start += consumed;
                continue;
            }

            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                throw new S3Exception(S3ClientErrorCodes.MalformedResponse, 0,
                    $"The server sent a malformed chunked body ({_decoder.Error}).", isRetryable: true);
            }

            Compact();
            if (End == Buffer.Length)
            {
                throw new S3Exception(S3ClientErrorCodes.MalformedResponse, 0, "A chunk line exceeds the receive buffer.",
                    isRetryable: false);
            }

            int got = await ReceiveAsync(Buffer.AsMemory(End), false, cancellationToken).ConfigureAwait(false);
            if (got == 0)
            {
                throw Truncated();
            }

            End += got;
        }
    }

    private System.Buffers.OperationStatus Decode(out int consumed, out bool isData)
    {
        System.Buffers.OperationStatus status = _decoder.Decode(Buffer.AsSpan(Start, End - Start), out consumed, out ChunkEvent evt);
        isData = evt.Kind == ChunkEventKind.Data;
        return status;
    }

    /// <summary>Reads and discards the rest of the body (small error bodies and leftovers).</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        while (!(await NextSegmentAsync(int.MaxValue, cancellationToken).ConfigureAwait(false)).IsEmpty)
        {
        }
    }

    private S3Exception Truncated() => new(S3ClientErrorCodes.TruncatedBody, Head.StatusCode,
        _mode == BodyMode.Length
            ? $"The response body ended {_remaining} bytes before its Content-Length of {Head.ContentLength}."
            : "The chunked response body ended before its last chunk.", isRetryable: true);

    private async ValueTask<int> ReceiveAsync(Memory<byte> buffer, bool firstByte, CancellationToken cancellationToken)
    {
        TimeSpan timeout = firstByte ? _settings.FirstByteTimeout : _settings.StallTimeout;
        CancellationToken token = Arm(timeout, cancellationToken, out CancellationTokenRegistration user);
        int n;
        try
        {
            n = _tls is not null
                ? await _tls.ReadAsync(buffer, token).ConfigureAwait(false)
                : await _connection.ReceiveAsync(buffer, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not S3Exception)
        {
            throw Translate(e, firstByte, cancellationToken);
        }
        finally
        {
            Disarm(user);
        }

        ResponseBytes += n;
        Account(n);
        if (_settings.BandwidthLimit is { } limit)
        {
            // Received already: the wait holds back the next receive, so the server's bytes queue in the socket.
            await limit.WaitAsync(n, cancellationToken).ConfigureAwait(false);
        }

        return n;
    }

    /// <summary>Stall detection over a sliding window: fewer than rate × window bytes in a window drops the connection.</summary>
    private void Account(int bytes)
    {
        _windowBytes += bytes;
        long now = Environment.TickCount64;
        long elapsed = now - _windowStart;
        long window = (long)_settings.StallTimeout.TotalMilliseconds;
        if (elapsed < window)
        {
            return;
        }

        double needed = _settings.StallMinBytesPerSecond * elapsed / 1000.0;
        if (_windowBytes < needed)
        {
            _timerFired = true;
            throw new S3Exception(S3ClientErrorCodes.Stalled, 0,
                $"The connection moved {_windowBytes} bytes in {elapsed} ms (below {_settings.StallMinBytesPerSecond} B/s); dropped.",
                isRetryable: true);
        }

        _windowStart = now;
        _windowBytes = 0;
    }

    private CancellationToken Arm(TimeSpan timeout, CancellationToken user, out CancellationTokenRegistration registration)
    {
        registration = user.CanBeCanceled
            ? user.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _timer)
            : default;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer.CancelAfter(timeout);
        }

        return _timer.Token;
    }

    private void Disarm(CancellationTokenRegistration registration)
    {
        registration.Dispose();
        if (!_timer.TryReset())
        {
            _timerFired = true; // the timer (or the caller) cancelled an I/O: this connection is done
        }
    }

    private S3Exception Translate(Exception e, bool waitingForFirstByte, CancellationToken user)
    {
        _timerFired = true;
        if (user.IsCancellationRequested)
        {
            throw new OperationCanceledException("The S3 request was cancelled.", e, user);
        }

        if (e is OperationCanceledException)
        {
            return waitingForFirstByte
                ? new S3Exception(S3ClientErrorCodes.FirstByteTimeout, 0,
                    $"No response within the first-byte timeout of {_settings.FirstByteTimeout.TotalSeconds:0.###} s.",
                    isRetryable: true, innerException: e)
                : new S3Exception(S3ClientErrorCodes.Stalled, 0,
                    $"No progress on the connection for {_settings.StallTimeout.TotalSeconds:0.###} s; dropped.",
                    isRetryable: true, innerException: e);
        }

        return new S3Exception(S3ClientErrorCodes.ConnectionReset, 0, $"The connection failed: {e.Message}",
            isRetryable: true, innerException: e);
    }

    private void Compact()
    {
        if (Start == End)
        {
            Start = End = 0;
        }
        else if (Start > 0 && _pendingLength == 0)
        {
            Buffer.AsSpan(Start, End - Start).CopyTo(Buffer);
            End -= Start;
            Start = 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_tls is not null)
            {
                await _tls.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Closing a connection that already failed.
        }

        _timer.Dispose();
        ArrayPool<byte>.Shared.Return(Buffer);
        ArrayPool<byte>.Shared.Return(HeadBuffer);
    }
}
