using System.Runtime.InteropServices;

namespace Sluice.Client.Transfer;

/// <summary>
/// A fixed budget of part-buffer memory shared by every transfer of an engine. A part's buffer is reserved
/// (<see cref="RentAsync"/>) before its request is sent; when the budget is spent the caller waits, first come
/// first served, so peak memory depends on the budget and never on object size or the number of transfers.
/// Buffers are page-aligned native memory (usable with O_DIRECT) sized to the request rounded up to a page, so a
/// small GET holds a small buffer. Freed buffers are kept for reuse while the budget allows.
/// </summary>
public sealed class MemoryBudget : IDisposable
{
    /// <summary>Page: the unit of allocation, alignment and O_DIRECT.</summary>
    public const int Alignment = 4096;

    /// <summary>Buffers smaller than this are not cached (allocating them is cheap; caching would fragment the budget).</summary>
    private const int MinimumCachedSize = 1 << 20;

    private readonly Lock _lock = new();
    // Guarded by _lock.
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Dictionary<int, Stack<nint>> _cache = [];
    private long _reserved;   // bytes in buffers handed out
    private long _cached;     // bytes in freed buffers kept for reuse (reserved + cached <= capacity)
    private long _peak;
    private bool _disposed;

    public MemoryBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, Alignment);
        Capacity = capacity;
    }

    /// <summary>Bytes the budget allows in part buffers at once.</summary>
    public long Capacity { get; }

    /// <summary>Bytes currently reserved by live buffers.</summary>
    public long Reserved { get { lock (_lock) return _reserved; } }

    /// <summary>The highest <see cref="Reserved"/> has been since creation (or <see cref="ResetPeak"/>).</summary>
    public long PeakReserved { get { lock (_lock) return _peak; } }

    /// <summary>Native bytes currently allocated (reserved plus cached); never above <see cref="Capacity"/>.</summary>
    public long Allocated { get { lock (_lock) return _reserved + _cached; } }

    public void ResetPeak() { lock (_lock) _peak = _reserved; }

    /// <summary>Rounds a request up to whole pages (what a buffer of that length actually reserves).</summary>
    public static int SizeFor(int length) => (int)(((long)length + Alignment - 1) / Alignment * Alignment);

    /// <summary>
    /// Reserves and returns a buffer of at least <paramref name="length"/> bytes, waiting (in FIFO order) while
    /// the budget is spent. A request larger than the whole budget is an error rather than a wait forever.
    /// </summary>
    public ValueTask<PartBuffer> RentAsync(int length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        int size = SizeFor(length);
        if (size > Capacity)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"larger than the memory budget ({Capacity} bytes)");
        Waiter waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // FIFO: a request may take memory only when nobody waits before it, so large parts are not starved.
            if (_waiters.Count == 0 && TryTakeLocked(size, out nint memory))
                return ValueTask.FromResult(new PartBuffer(this, memory, size, length));
            waiter = new Waiter(size, length);
            waiter.Node = _waiters.AddLast(waiter);
        }
        return WaitAsync(waiter, cancellationToken);
    }

    /// <summary>Returns a buffer immediately if the budget allows, without waiting.</summary>
    public bool TryRent(int length, out PartBuffer? buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        int size = SizeFor(length);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (size <= Capacity && _waiters.Count == 0 && TryTakeLocked(size, out nint memory))
            {
                buffer = new PartBuffer(this, memory, size, length);
                return true;
            }
        }
        buffer = null;
        return false;
    }

    private async ValueTask<PartBuffer> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(static w => ((Waiter)w!).Cancel(), waiter).ConfigureAwait(false))
        {
            try
            {
                nint memory = await waiter.Task.ConfigureAwait(false);
                return new PartBuffer(this, memory, waiter.Size, waiter.Length);
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    if (waiter.Node!.List != null) _waiters.Remove(waiter.Node);
                    // Granted and cancelled in the same instant: give the memory back.
                    if (waiter.Task.IsCompletedSuccessfully) ReleaseLocked(waiter.Task.Result, waiter.Size);
                    GrantWaitersLocked();
                }
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    internal void Return(nint memory, int size)
    {
        lock (_lock)
        {
            ReleaseLocked(memory, size);
            GrantWaitersLocked();
        }
    }

    private void ReleaseLocked(nint memory, int size)
    {
        _reserved -= size;
        if (!_disposed && size >= MinimumCachedSize)
        {
            if (!_cache.TryGetValue(size, out var stack)) _cache[size] = stack = new Stack<nint>();
            stack.Push(memory);
            _cached += size;
        }
        else
        {
            Free(memory);
        }
    }

    private void GrantWaitersLocked()
    {
        while (_waiters.First is { } first)
        {
            var w = first.Value;
            if (!TryTakeLocked(w.Size, out nint memory)) return;
            _waiters.RemoveFirst();
            if (!w.TryGrant(memory)) ReleaseLocked(memory, w.Size); // cancelled meanwhile
        }
    }

    private bool TryTakeLocked(int size, out nint memory)
    {
        memory = 0;
        if (_reserved + size > Capacity) return false;
        if (_cache.TryGetValue(size, out var stack) && stack.Count > 0)
        {
            memory = stack.Pop();
            _cached -= size;
        }
        else
        {
            // Evict cached buffers of other sizes until the new one fits under the budget.
            while (_reserved + _cached + size > Capacity && EvictOneLocked()) { }
            unsafe { memory = (nint)NativeMemory.AlignedAlloc((nuint)size, Alignment); }
        }
        _reserved += size;
        if (_reserved > _peak) _peak = _reserved;
        return true;
    }

    private bool EvictOneLocked()
    {
        foreach (var (size, stack) in _cache)
        {
            if (stack.Count == 0) continue;
            Free(stack.Pop());
            _cached -= size;
            return true;
        }
        return false;
    }

    private static unsafe void Free(nint memory) => NativeMemory.AlignedFree((void*)memory);

    /// <summary>Frees cached memory. Buffers still rented are freed when returned.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            while (EvictOneLocked()) { }
            foreach (var w in _waiters) w.Fail(new ObjectDisposedException(nameof(MemoryBudget)));
            _waiters.Clear();
        }
    }

    private sealed class Waiter(int size, int length)
    {
        private readonly TaskCompletionSource<nint> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Size { get; } = size;
        public int Length { get; } = length;
        public LinkedListNode<Waiter>? Node;
        public Task<nint> Task => _tcs.Task;
        public bool TryGrant(nint memory) => _tcs.TrySetResult(memory);
        public void Cancel() => _tcs.TrySetCanceled();
        public void Fail(Exception e) => _tcs.TrySetException(e);
    }
}
