using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.IO;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Exchange;

namespace Sluice.Server.Http;

/// <summary>
/// Serves HTTP/1.1 on one connection: parse a head in place, run the handler, repeat while keep-alive holds.
/// Pipelined requests are answered in order because the next head is parsed only after the previous response; the
/// bytes after a request's body stay in the buffer for it. Malformed heads get 400 and the connection is closed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
    Justification = "RunAsync owns the connection's lifetime and disposes the timeout source when it returns.")]
internal sealed class HttpServerConnection
{
    private readonly IExchangeHandler _handler;
    private readonly HttpServer? _server;
    private readonly HttpExchange _exchange;
    private CancellationTokenSource _timeout = new();
    private int _start, _end;            // buffered, unconsumed bytes: Buffer[_start.._end)
    private int _bodyFloor;              // during a request: compaction may not move bytes below the head's end
    private volatile bool _idle;
    private readonly Lock _lifetime = new(); // orders Abort (another thread) before the socket is closed
    private bool _closed;
    private bool _linger;                // the connection closes after a response while the body may still be arriving

    /// <summary>
    /// How long a connection that answered before the body ended keeps discarding what the client still sends before
    /// it closes (nginx's lingering close; it ends sooner when the client closes).
    /// </summary>
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(5);
    private ulong _requests;
    private long _bodyBytes;             // body (and chunk framing) bytes received for the current request
    private long _bodyWaitTicks;         // Stopwatch ticks spent waiting for them (the data-rate check's clock)

    public HttpServerConnection(IoEngine engine, Connection connection, IExchangeHandler handler, HttpServerOptions options,
        HttpServer? server)
    {
        Engine = engine;
        Connection = connection;
        _handler = handler;
        Options = options;
        _server = server;
        ServerNameUtf8 = Encoding.ASCII.GetBytes(options.ServerName);
        Buffer = ArrayPool<byte>.Shared.Rent(Math.Max(options.ReceiveBufferSize, HttpLimits.DefaultMaxHeadBytes * 2));
        DrainBuffer = new byte[8192];
        _exchange = new HttpExchange(this);
    }

    /// <summary>The engine the connection runs on (its zero-copy file sends).</summary>
    public IoEngine Engine { get; }
    /// <summary>The socket, or after a TLS handshake the <see cref="TlsConnection"/> over it.</summary>
    public Connection Connection { get; private set; }

    /// <summary>True once the connection runs TLS: file bodies are then copied, not spliced.</summary>
    public bool IsTls { get; private set; }
    public HttpServerOptions Options { get; }
    public byte[] Buffer { get; private set; }
    public byte[] DrainBuffer { get; }
    public byte[] ServerNameUtf8 { get; }
    public bool IsShuttingDown => _server?.IsStopping ?? false;

    public int BufferedStart => _start;
    public int BufferedCount => _end - _start;
    public void Consume(int count) => _start += count;
    public void ConsumeTo(int offset) => _start = offset;

    /// <summary>Closes an idle keep-alive connection at once (server shutdown); a busy one finishes its request first.</summary>
    public void CloseIfIdle()
    {
        if (_idle) _timeout.Cancel();
    }

    /// <summary>Ends the connection's I/O now (server shutdown past its grace period): the request in flight fails and unwinds.</summary>
    public void Abort()
    {
        lock (_lifetime)
        {
            if (!_closed) Connection.Abort();
        }
    }

    public async ValueTask RunAsync()
    {
        try
        {
            if (Options.Tls is { } tls && !await HandshakeAsync(tls)) return;
            while (!IsShuttingDown)
            {
                if (!await ReadHeadAsync()) return;
                _exchange.Begin(_start, ((ulong)Connection.GetHashCode() << 32) | ++_requests);
                _start += _exchange.Request.HeadLength;
                _bodyFloor = _start;
                _bodyBytes = 0;
                _bodyWaitTicks = 0;
                if (!await HandleAsync() || _exchange.CloseAfterResponse)
                {
                    _linger = _exchange.ResponseStarted && !_exchange.BodyCompleted;
                    return;
                }
                if (!_exchange.BodyCompleted)
                {
                    // The handler answered without reading the whole body: skip it, unless it is too large to wait for.
                    try
                    {
                        if (!await _exchange.TryDrainBodyAsync(Options.MaxDrainBytes, default))
                        {
                            _linger = true;
                            return;
                        }
                    }
                    catch (Exception e) when (e is HttpBodyException or IoException or OperationCanceledException) { return; }
                }
            }
        }
        catch (Exception e) when (e is IoException or OperationCanceledException)
        {
            // The peer went away or stalled while idle or sending a head: nothing to answer.
        }
        finally
        {
            try
            {
                if (_linger) await LingerAsync();
                lock (_lifetime) _closed = true;
                await Connection.DisposeAsync();
                _timeout.Dispose();
                ArrayPool<byte>.Shared.Return(Buffer);
                Buffer = [];
            }
            finally
            {
                _server?.Forget(this); // last: a server stop waits for this, then disposes what the connection used
            }
        }
    }

    /// <summary>
    /// The TLS handshake, due within HandshakeTimeout of the accept (the connection's own timeout source, as for a
    /// head: no timer of its own). A connection in its handshake counts as idle, so a server stop closes it at once.
    /// A failed handshake (not TLS, nothing acceptable offered, the peer gone, the deadline) only closes the
    /// connection: it is the client's failure, not the server's, and is logged nowhere.
    /// </summary>
    private async ValueTask<bool> HandshakeAsync(System.Net.Security.SslServerAuthenticationOptions tls)
    {
        _timeout.CancelAfter(Options.HandshakeTimeout);
        _idle = true;
        Interlocked.MemoryBarrier(); // as in ReadHeadAsync: a stop that saw this connection busy is seen here
        try
        {
            if (IsShuttingDown) return false;
            var secure = await TlsConnection.AuthenticateAsServerAsync(Connection, tls, _timeout.Token);
            lock (_lifetime) Connection = secure; // Abort (another thread) reads it under the lock
            IsTls = true;
            return true;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException
            or OperationCanceledException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
        finally
        {
            _idle = false;
            _timeout.CancelAfter(Timeout.Infinite);
        }
    }

    /// <summary>
    /// Closes after a response that went out while the client was still sending its body. Closing with unread bytes
    /// would reset the connection, and the client, still writing, would lose the response it has not read yet: so
    /// the response is followed by a FIN, and what still arrives is discarded until the client closes or
    /// <see cref="LingerTime"/> passes.
    /// </summary>
    private async ValueTask LingerAsync()
    {
        try
        {
            await Connection.ShutdownSendAsync();
            long deadline = Environment.TickCount64 + (long)LingerTime.TotalMilliseconds;
            for (long left = (long)LingerTime.TotalMilliseconds; left > 0; left = deadline - Environment.TickCount64)
                if (await ReceiveAsync(Buffer, TimeSpan.FromMilliseconds(left)) == 0) return;
        }
        catch (Exception e) when (e is IoException or OperationCanceledException)
        {
            // reset, or the time is up: close
        }
    }

    /// <summary>Reads until a complete head is buffered; false when the connection should close.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // once or more per request: reuse the box
    private async ValueTask<bool> ReadHeadAsync()
    {
        // Keep-alive: what follows the previous request moves to the front, so a head is always contiguous.
        if (_start > 0)
        {
            Buffer.AsSpan(_start, _end - _start).CopyTo(Buffer);
            _end -= _start;
            _start = 0;
        }
        _bodyFloor = 0;
        long headDeadline = 0; // Stopwatch timestamp: the whole head is due by then, counted from its first byte
        while (true)
        {
            if (_end > _start)
            {
                var result = _exchange.Request.Parse(Buffer.AsSpan(_start, _end - _start));
                if (result.Status == HttpParseStatus.Complete) return true;
                if (result.Status == HttpParseStatus.Error)
                {
                    await SendFrontErrorAsync(S3ErrorCode.InvalidRequest, $"malformed HTTP request ({result.Error})");
                    return false;
                }
                if (_end == Buffer.Length)
                {
                    await SendFrontErrorAsync(S3ErrorCode.InvalidRequest, "request head too large");
                    return false;
                }
            }
            bool idle = _end == _start;
            var timeout = Options.IdleTimeout;
            if (!idle)
            {
                if (headDeadline == 0) headDeadline = Stopwatch.GetTimestamp() + ToTicks(Options.HeaderTimeout);
                timeout = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), headDeadline);
                if (timeout <= TimeSpan.Zero)
                {
                    await SendFrontErrorAsync(S3ErrorCode.RequestTimeout, null); // slow head: answer, then close
                    return false;
                }
            }
            _idle = idle;
            if (idle)
            {
                // A stop that began before _idle was set saw this connection busy and did not close it: look again,
                // after a full fence (a store then a load), or it would wait out the idle timeout.
                Interlocked.MemoryBarrier();
                if (IsShuttingDown) return false;
            }
            int n;
            try
            {
                n = await ReceiveAsync(Buffer.AsMemory(_end), timeout);
            }
            catch (OperationCanceledException) when (!idle)
            {
                await SendFrontErrorAsync(S3ErrorCode.RequestTimeout, null); // slow head: answer, then close
                return false;
            }
            finally
            {
                _idle = false;
            }
            if (n == 0) return false; // the client closed between requests (or mid-head)
            _end += n;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // once or more per request: reuse the box
    private async ValueTask<bool> HandleAsync()
    {
        try
        {
            await _handler.HandleAsync(_exchange);
            if (!_exchange.ResponseStarted)
            {
                await _exchange.SendFrontErrorAsync(new S3Error(S3ErrorCode.InternalError, FrontErrors.NoResponse));
                return false;
            }
            return true;
        }
        catch (HttpBodyException e)
        {
            if (!_exchange.ResponseStarted)
            {
                _exchange.CloseAfterResponse = true;
                await TrySendAsync(FrontErrors.Body(e));
            }
            return false;
        }
        catch (OperationCanceledException)
        {
            // Only the body timeout cancels reads the front started.
            if (!_exchange.ResponseStarted)
            {
                _exchange.CloseAfterResponse = true;
                await TrySendAsync(new S3Error(S3ErrorCode.RequestTimeout));
            }
            return false;
        }
        catch (IoException e) when (e.IsConnectionReset || e is IoTimeoutException)
        {
            return false; // the peer went away: nobody to answer, and not the server's failure
        }
        catch (IoException e)
        {
            // A stored file that is damaged or ended early, EIO: answered like any internal error while the response
            // has not started, else it would only show as a closed connection.
            await FailAsync(e, "an I/O operation failed");
            return false;
        }
        catch (Exception e)
        {
            await FailAsync(e, null);
            return false;
        }
    }

    /// <summary>
    /// A request broke inside the server: the error log gets the cause, the client a 500 InternalError if its
    /// response had not started (else the connection just closes), and the connection ends either way.
    /// </summary>
    private async ValueTask FailAsync(Exception e, string? what)
    {
        bool started = _exchange.ResponseStarted;
        if (Options.ErrorLogger is { } log)
        {
            string? message = started ? (what ?? "failed") + " after the response started; the connection is closed" : what;
            ServerErrorLog.Write(log, _exchange, started ? null : 500, S3ErrorCode.InternalError, message, e);
            _exchange.FailureLogged = true;
        }
        if (started) return;
        _exchange.CloseAfterResponse = true;
        await TrySendAsync(FrontErrors.Internal(e));
    }

    private async ValueTask TrySendAsync(S3Error error)
    {
        try { await _exchange.SendFrontErrorAsync(error); }
        catch (Exception e) when (e is IoException or OperationCanceledException) { } // the peer is gone
    }

    private async ValueTask SendFrontErrorAsync(string code, string? message)
    {
        _exchange.Begin(0, ((ulong)Connection.GetHashCode() << 32) | ++_requests);
        _exchange.CloseAfterResponse = true;
        await TrySendAsync(new S3Error(code, message));
        _handler.OnFrontAnswered(_exchange);
    }

    /// <summary>Receives more framing bytes after the buffered ones (compacting above the current head).</summary>
    public async ValueTask<int> ReceiveMoreAsync(CancellationToken cancellationToken)
    {
        if (_start > _bodyFloor)
        {
            Buffer.AsSpan(_start, _end - _start).CopyTo(Buffer.AsSpan(_bodyFloor));
            _end -= _start - _bodyFloor;
            _start = _bodyFloor;
        }
        if (_end == Buffer.Length) throw new HttpBodyException(S3ErrorCode.InvalidRequest, "chunk framing line too long");
        int n = await ReceiveBodyAsync(Buffer.AsMemory(_end), cancellationToken);
        _end += n;
        return n;
    }

    /// <summary>
    /// Receives body bytes (straight into the caller's memory for Content-Length framing). Each receive must make
    /// progress within BodyReadTimeout and, after the grace period, the body must keep up MinRequestBodyDataRate:
    /// the next byte is due when the time spent waiting reaches grace + bytes so far / rate. Only waiting counts, so
    /// a handler that is slow to read (a busy disk) is not blamed on the client.
    /// </summary>
    public ValueTask<int> ReceiveBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var timeout = Options.BodyReadTimeout;
        double rate = Options.MinRequestBodyDataRate;
        if (rate > 0)
        {
            long due = ToTicks(Options.MinRequestBodyDataRateGracePeriod) + (long)(_bodyBytes / rate * Stopwatch.Frequency)
                - _bodyWaitTicks;
            if (due <= 0)
                throw new HttpBodyException(S3ErrorCode.RequestTimeout,
                    $"the request body arrived slower than {rate.ToString(CultureInfo.InvariantCulture)} bytes/s");
            var dueIn = TimeSpan.FromSeconds((double)due / Stopwatch.Frequency);
            if (dueIn < timeout) timeout = dueIn;
        }
        return ReceiveAsync(destination, timeout, body: true);
    }

    private static long ToTicks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // once or more per request: reuse the box
    private async ValueTask<int> ReceiveAsync(Memory<byte> destination, TimeSpan timeout, bool body = false)
    {
        if (!_timeout.TryReset())
        {
            _timeout.Dispose();
            _timeout = new CancellationTokenSource();
        }
        _timeout.CancelAfter(timeout);
        long started = body ? Stopwatch.GetTimestamp() : 0;
        try
        {
            int n = await Connection.ReceiveAsync(destination, _timeout.Token);
            if (body) _bodyBytes += n;
            return n;
        }
        finally
        {
            _timeout.CancelAfter(Timeout.Infinite);
            if (body) _bodyWaitTicks += Stopwatch.GetTimestamp() - started;
        }
    }
}
