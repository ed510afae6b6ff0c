using Sluice.IO;

namespace Sluice.Client.Transport;

/// <summary>
/// The stream under .NET's HTTP/2 connection (and under its SslStream for h2), buffered both ways. Receives: the
/// handler reads in pieces of a few KiB (its frame buffer starts at 4 KiB), which over an engine connection is one
/// receive system call each — ~260,000 of them per GiB measured; reading up to 64 KiB per call and serving the
/// handler's small reads from that costs one copy of the bytes and saves most of the calls (large reads bypass the
/// buffer). Sends: the handler writes each DATA frame by itself and never flushes; <see cref="SendCoalescer"/> gathers
/// what it writes while a send is in flight into the next send (one copy, most of the calls saved, nothing held back).
/// </summary>
internal sealed class BufferedConnectionStream : Stream
{
    /// <summary>As the HTTP/1.1 connection's receive buffer.</summary>
    public const int BufferSize = HttpConnection.ReceiveBufferSize;

    private readonly Stream _inner;
    private readonly Connection _connection;
    private readonly Action<BufferedConnectionStream>? _closed;
    private readonly SendCoalescer _sender;

    // Not pooled: a receive may still be writing into it when the handler disposes the stream, and the buffer lives
    // as long as the connection (which carries many requests).
    private byte[]? _buffer;
    private int _start;
    private int _end;

    // h2c by prior knowledge: until the server's first bytes were seen, an HTTP/1.x answer means it does not speak h2c.
    private bool _checkFirstBytes;

    /// <param name="connection">The engine connection read and written (through its stream).</param>
    /// <param name="priorKnowledge">True for h2c: the first bytes received are checked for an HTTP/1.x answer.</param>
    /// <param name="closed">Called once when the handler disposes the stream (the connection is gone).</param>
    public BufferedConnectionStream(Connection connection, bool priorKnowledge, Action<BufferedConnectionStream>? closed)
    {
        _connection = connection;
        _inner = connection.AsStream();
        _sender = new SendCoalescer(connection);
        _checkFirstBytes = priorKnowledge;
        _closed = closed;
        LastReceive = Environment.TickCount64;
    }

    /// <summary>When bytes last arrived on the connection (Environment.TickCount64).</summary>
    public long LastReceive { get; private set; }

    /// <summary>
    /// Ends the connection under the handler (pending receives and sends complete with an error, so the handler drops
    /// it from its pool): for a connection that went silent, which the handler would otherwise keep giving streams to.
    /// </summary>
    public void Abort() => _connection.Abort();

    public override bool CanRead => _inner.CanRead;
    public override bool CanWrite => _inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_end > _start)
        {
            return ValueTask.FromResult(TakeBuffered(buffer.Span));
        }

        return buffer.Length >= BufferSize && !_checkFirstBytes ? ReadDirectAsync(buffer, cancellationToken)
            : FillAndTakeAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadDirectAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        LastReceive = Environment.TickCount64;
        return n;
    }

    private async ValueTask<int> FillAndTakeAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        _buffer ??= new byte[BufferSize];
        int n = await _inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        LastReceive = Environment.TickCount64;
        _start = 0;
        _end = n;
        if (_checkFirstBytes && n > 0)
        {
            _checkFirstBytes = false;
            // An HTTP/2 server's first frame is SETTINGS (type 4 at byte 3); an HTTP/1.x server answers the preface with
            // a status line. Said here, the failure is a clear refusal instead of the handler's PROTOCOL_ERROR (which the
            // client would take for a broken connection and retry).
            if (_buffer.AsSpan(0, n).StartsWith("HTTP/1."u8))
            {
                throw new S3Exception(S3ClientErrorCodes.Http2Refused, 0,
                    "The server answered HTTP/2 (h2c, prior knowledge) in HTTP/1.x: it does not speak h2c on this endpoint.",
                    isRetryable: false);
            }
        }

        return n == 0 ? 0 : TakeBuffered(buffer.Span);
    }

    private int TakeBuffered(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Socket sends made for the handler's writes (tests and diagnostics).</summary>
    public long Sends => _sender.Sends;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _sender.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _sender.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        _sender.WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override void Flush() => _sender.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Waits until what was written has been handed to the socket (the handler does not call it; SslStream may).</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => _sender.FlushAsync(cancellationToken);

    private int _closedNoted;
    private readonly TaskCompletionSource _closedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the handler has disposed the stream (it has dropped the connection).</summary>
    public Task Closed => _closedTask.Task;

    private void NoteClosed()
    {
        if (Interlocked.Exchange(ref _closedNoted, 1) == 0)
        {
            _sender.Close();
            _closed?.Invoke(this);
            _closedTask.TrySetResult();
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        NoteClosed();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false); // Dispose(true) then: disposing the inner stream again is a no-op
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            NoteClosed();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
