namespace Sluice.IO;

/// <summary>Adapts a <see cref="Connection"/> to <see cref="Stream"/> so SslStream and HttpClient can run over it.</summary>
internal sealed class ConnectionStream : Stream
{
    private readonly Connection _connection;
    private bool _disposed;

    public ConnectionStream(Connection connection) => _connection = connection;

    public override bool CanRead => !_disposed;
    public override bool CanWrite => !_disposed;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _connection.ReceiveAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _batch is null ? _connection.SendAsync(buffer, cancellationToken) : BatchAsync(buffer, cancellationToken);

    private byte[]? _batch;
    private int _batched;

    /// <summary>
    /// Collects writes in <paramref name="buffer"/> until <see cref="EndBatchAsync"/>: SslStream writes each chunk it
    /// encrypts (16–32 KiB) by itself, so a large send would otherwise cost a socket send per chunk.
    /// </summary>
    internal void BeginBatch(byte[] buffer)
    {
        _batch = buffer;
        _batched = 0;
    }

    /// <summary>Sends what was collected (unless <paramref name="send"/> is false: the write failed) and stops collecting.</summary>
    internal ValueTask EndBatchAsync(bool send, CancellationToken cancellationToken)
    {
        var batch = _batch!;
        int length = _batched;
        _batch = null;
        _batched = 0;
        return send && length > 0 ? _connection.SendAsync(batch.AsMemory(0, length), cancellationToken) : ValueTask.CompletedTask;
    }

    private ValueTask BatchAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var batch = _batch!;
        if (buffer.Length <= batch.Length - _batched)
        {
            buffer.Span.CopyTo(batch.AsSpan(_batched));
            _batched += buffer.Length;
            return ValueTask.CompletedTask;
        }
        return SendBatchThenAsync(buffer, cancellationToken);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendBatchThenAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var batch = _batch!;
        await _connection.SendAsync(batch.AsMemory(0, _batched), cancellationToken).ConfigureAwait(false);
        _batched = 0;
        if (buffer.Length > batch.Length)
        {
            await _connection.SendAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }
        buffer.Span.CopyTo(batch);
        _batched = buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous calls block on the async path; Stream consumers on the data path use the async overloads.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _connection.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
    }
}
