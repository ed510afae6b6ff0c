using Microsoft.Win32.SafeHandles;

namespace Sluice.Server.Index;

/// <summary>
/// Appends records to one journal file with group commit. Writers copy their record into a memory buffer
/// (under the bucket's write lock, so buffer order is sequence order); a waiter for durability starts, or
/// joins, a flush that writes everything buffered so far and fsyncs once. Requests arriving during a flush
/// join the next one, so N concurrent durable puts cost about two fsyncs, not N.
/// </summary>
/// <remarks>A failed write or fsync fails its batch and every record buffered behind it, and the journal refuses appends
/// until <see cref="Heal"/> cuts the file back to the end of the last durable batch (a failed write may have left a
/// torn frame, and after a failed fsync the kernel may have dropped the batch's pages) and fsyncs that. Records past
/// <see cref="Durable"/> are then gone: the owner (<see cref="BucketIndex"/>) undoes them in memory first.</remarks>
internal sealed class JournalWriter : IDisposable
{
    // Buffered but unrequested bytes past this are flushed in the background so memory stays bounded.
    private const int BackgroundFlushBytes = 256 << 10;

    private readonly SafeFileHandle _file;
    private readonly IndexFaults? _faults;
    private readonly object _bufferLock = new();
    private readonly object _gate = new();
    private byte[] _pending = new byte[64 << 10];
    private byte[] _writing = new byte[64 << 10];
    private int _pendingLength;
    private long _lastAppended;
    private long _length;

    private long _durable;
    private long _inFlightUpTo;
    private bool _flushing;
    private TaskCompletionSource? _inFlight;
    private TaskCompletionSource? _next;
    private Exception? _failure;

    public JournalWriter(string path, SafeFileHandle file, long length, long durableSequence, IndexFaults? faults = null)
    {
        Path = path;
        _file = file;
        _faults = faults;
        _length = length;
        _durable = durableSequence;
        _lastAppended = durableSequence;
    }

    public string Path { get; }

    /// <summary>Bytes in the file plus bytes buffered.</summary>
    public long Length
    {
        get
        {
            lock (_bufferLock)
            {
                return _length + _pendingLength;
            }
        }
    }

    /// <summary>The last sequence on disk.</summary>
    public long Durable
    {
        get
        {
            lock (_gate)
            {
                return _durable;
            }
        }
    }

    /// <summary>A write failed and <see cref="Heal"/> has not yet succeeded: appends are refused.</summary>
    public bool Failed => Volatile.Read(ref _failure) is not null;

    public long LastAppended
    {
        get
        {
            lock (_bufferLock)
            {
                return _lastAppended;
            }
        }
    }

    /// <summary>Buffers a framed record with sequence <paramref name="sequence"/>; callers append in sequence order.</summary>
    public void Append(ReadOnlySpan<byte> record, long sequence)
    {
        bool kick;
        lock (_bufferLock)
        {
            if (Volatile.Read(ref _failure) is { } failure)
            {
                throw new IOException($"The key index journal '{Path}' failed and is not healed yet.", failure);
            }

            if (_pending.Length - _pendingLength < record.Length)
            {
                Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + record.Length));
            }

            record.CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += record.Length;
            _lastAppended = sequence;
            kick = _pendingLength >= BackgroundFlushBytes;
        }

        if (kick)
        {
            // Nobody waits on this task; a failure is recorded in _failure and surfaces on the next append.
            _ = WaitDurableAsync(sequence);
        }
    }

    /// <summary>Completes when every record up to <paramref name="sequence"/> is on disk.</summary>
    public Task WaitDurableAsync(long sequence)
    {
        lock (_gate)
        {
            if (_durable >= sequence)
            {
                return Task.CompletedTask;
            }

            if (_failure is not null)
            {
                return Task.FromException(new IOException($"Writing the key index journal '{Path}' failed.", _failure));
            }

            if (_inFlight is { } inFlight && _inFlightUpTo >= sequence)
            {
                return inFlight.Task;
            }

            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_flushing)
            {
                _flushing = true;
                ThreadPool.UnsafeQueueUserWorkItem(static w => w.FlushLoop(), this, preferLocal: false);
            }

            return _next.Task;
        }
    }

    /// <summary>Writes and fsyncs everything appended so far, on the calling thread's behalf.</summary>
    public void Flush() => WaitDurableAsync(LastAppended).GetAwaiter().GetResult();

    /// <summary>
    /// After a failure: cuts the file back to the end of the last durable batch and fsyncs it, then takes appends
    /// again (the next record continues at sequence <see cref="Durable"/> + 1). Throws (still failed) when that fails.
    /// </summary>
    public void Heal()
    {
        lock (_gate)
        {
            if (_failure is null)
            {
                return;
            }

            // No flush runs while failed: WaitDurableAsync starts none, and the failed loop has ended.
            RandomAccess.SetLength(_file, _length);
            RandomAccess.FlushToDisk(_file);
            lock (_bufferLock)
            {
                Volatile.Write(ref _failure, null);
            }
        }
    }

    public void Dispose() => _file.Dispose();

    private void FlushLoop()
    {
        while (true)
        {
            TaskCompletionSource batch;
            int count;
            long upTo;
            long offset;
            lock (_gate)
            {
                if (_next is null)
                {
                    _flushing = false;
                    return;
                }

                batch = _next;
                _next = null;
                lock (_bufferLock)
                {
                    (_pending, _writing) = (_writing, _pending);
                    count = _pendingLength;
                    _pendingLength = 0;
                    upTo = _lastAppended;
                    offset = _length;
                    _length += count;
                }

                _inFlight = batch;
                _inFlightUpTo = upTo;
            }

            try
            {
                _faults?.BeforeWrite(_file, _writing.AsSpan(0, count), offset);
                RandomAccess.Write(_file, _writing.AsSpan(0, count), offset);
                RandomAccess.FlushToDisk(_file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                TaskCompletionSource? next;
                lock (_gate)
                {
                    lock (_bufferLock)
                    {
                        // This batch and everything buffered behind it is lost; Heal cuts the file back to offset.
                        Volatile.Write(ref _failure, ex);
                        _length = offset;
                        _pendingLength = 0;
                        _lastAppended = _durable;
                    }

                    next = _next;
                    _next = null;
                    _inFlight = null;

                    // Sequences past _durable are reused after Heal: a stale bound must not claim them.
                    _inFlightUpTo = _durable;
                    _flushing = false;
                }

                batch.SetException(new IOException($"Writing the key index journal '{Path}' failed.", ex));
                next?.SetException(new IOException($"Writing the key index journal '{Path}' failed.", ex));
                return;
            }

            lock (_gate)
            {
                _durable = upTo;
                _inFlight = null;
            }

            batch.SetResult();
        }
    }
}
