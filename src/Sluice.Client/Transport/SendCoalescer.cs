using Sluice.IO;

namespace Sluice.Client.Transport;

/// <summary>
/// Write-behind for a connection under .NET's HTTP/2 handler: the handler writes every DATA frame (at most 16 KiB, its
/// fixed frame size) with its own WriteAsync and never calls FlushAsync, so passing writes through costs one socket
/// send per frame (~65,000 per GiB uploaded, plus the TLS records' when over TLS). Here a write is copied into a
/// buffer and returns at once; one send is in flight at a time, and whatever the handler wrote while it was in flight
/// goes out together in the next send as soon as it completes. Nothing is held back: data waits only behind a send
/// already in progress (there is no timer and no flush to wait for), so a lone small frame (a PING, a WINDOW_UPDATE,
/// the last DATA frame) leaves at once. Writes wait only when the buffer is full, which is the back-pressure of a slow
/// peer. A send failure aborts the connection (so the handler's pending receive fails too) and fails the next write.
/// </summary>
internal sealed class SendCoalescer
{
    /// <summary>The most bytes gathered into one send (as the HTTP/1.1 path's send slice).</summary>
    public const int BufferSize = HttpConnection.SendSliceSize;

    private readonly Connection _connection;
    private readonly Lock _lock = new();

    // Two buffers at most, allocated on first use and kept with the connection (a send may still be reading one when
    // the handler disposes the stream, so they are not pooled): the one being filled and the one being sent.
    private byte[]? _filling;
    private byte[]? _spare;
    private int _filled;
    private bool _sending;
    private Exception? _failure;

    // The writer waiting for room (Stream writes do not overlap, so there is at most one).
    private TaskCompletionSource? _room;

    public SendCoalescer(Connection connection) => _connection = connection;

    /// <summary>Socket sends made (tests and diagnostics).</summary>
    public long Sends => Volatile.Read(ref _sends);

    private long _sends;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        bool start;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return ValueTask.FromException(Failed());
            }

            if (data.Length > BufferSize - _filled)
            {
                return WriteWhenRoomAsync(data, cancellationToken);
            }

            start = Append(data.Span);
        }

        if (start)
        {
            _ = SendLoopAsync();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Completes once everything written so far has been handed to the socket (or the connection failed).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_failure is not null)
                {
                    throw Failed();
                }

                if (!_sending)
                {
                    return;
                }

                wait = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Later writes fail; a send in flight ends with the connection.</summary>
    public void Close()
    {
        TaskCompletionSource? room;
        lock (_lock)
        {
            _failure ??= new ObjectDisposedException(nameof(SendCoalescer));
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
    }

    private async ValueTask WriteWhenRoomAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            bool start = false;
            bool direct = false;
            lock (_lock)
            {
                if (_failure is not null)
                {
                    throw Failed();
                }

                if (data.Length <= BufferSize - _filled)
                {
                    start = Append(data.Span);
                    wait = Task.CompletedTask;
                }
                else if (data.Length > BufferSize && !_sending)
                {
                    // Larger than a buffer and nothing queued before it: sent from the caller's memory, no copy.
                    _sending = true;
                    direct = true;
                    wait = Task.CompletedTask;
                }
                else
                {
                    wait = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                }
            }

            if (start)
            {
                _ = SendLoopAsync();
                return;
            }

            if (direct)
            {
                await SendDirectAsync(data, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (wait.IsCompleted)
            {
                return;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SendDirectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.SendAsync(data, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _sends);
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }

        // Nothing was appended meanwhile (the only writer was waiting for this send).
        TaskCompletionSource? room;
        lock (_lock)
        {
            _sending = false;
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
    }

    /// <summary>Copies into the filling buffer (under the lock); true when no send is running and one must start.</summary>
    private bool Append(ReadOnlySpan<byte> data)
    {
        // The spare (when there is one) is never the buffer being sent: it is set once that send completed.
        _filling ??= _spare is { } spare ? TakeSpare(spare) : new byte[BufferSize];
        data.CopyTo(_filling.AsSpan(_filled));
        _filled += data.Length;
        if (_sending)
        {
            return false;
        }

        _sending = true;
        return true;
    }

    private byte[] TakeSpare(byte[] spare)
    {
        _spare = null;
        return spare;
    }

    private async Task SendLoopAsync()
    {
        while (true)
        {
            byte[] buffer;
            int length;
            TaskCompletionSource? room;
            lock (_lock)
            {
                room = _room;
                _room = null;
                if (_filled == 0 || _failure is not null)
                {
                    _sending = false;
                    buffer = [];
                    length = 0;
                }
                else
                {
                    buffer = _filling!;
                    length = _filled;
                    _filling = _spare;
                    _spare = null;
                    _filled = 0;
                }
            }

            room?.TrySetResult();
            if (length == 0)
            {
                return;
            }

            try
            {
                await _connection.SendAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }

            Interlocked.Increment(ref _sends);
            lock (_lock)
            {
                _spare = buffer;
            }
        }
    }

    private void Fail(Exception e)
    {
        TaskCompletionSource? room;
        lock (_lock)
        {
            _failure ??= e;
            _sending = false;
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
        // The handler may be waiting to receive on a connection that can no longer send: end it both ways.
        _connection.Abort();
    }

    private IOException Failed() => _failure as IOException ?? new IOException("The connection failed to send.", _failure);
}
