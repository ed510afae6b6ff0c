using System.Runtime.InteropServices;
using Sluice.IO.Buffers;

namespace Sluice.Client.Transfer;

/// <summary>
/// A fixed budget of part-buffer memory shared by every transfer of an engine. A part's buffer is reserved
/// (<see cref="RentAsync"/>) before its request is sent; when the budget is spent the caller waits, first come
/// first served, so peak memory depends on the budget and never on object size or the number of transfers.
/// Buffers are page-aligned native memory (usable with O_DIRECT) sized to the request rounded up to a page, so a
/// small GET holds a small buffer. Freed buffers are kept for reuse while the budget allows. Given the I/O engine's
/// registered pool, a request that exactly fits one of its classes (a power-of-two part size) takes a registered
/// buffer instead, so file reads and writes of that part become READ_FIXED / WRITE_FIXED on io_uring.
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
    private readonly NativeBufferPool? _registered;

    /// <param name="capacity">Bytes of part buffers that may exist at once.</param>
    /// <param name="registered">The engine's buffer pool, used for requests that exactly fit one of its classes.</param>
    public MemoryBudget(long capacity, NativeBufferPool? registered = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, Alignment);
        Capacity = capacity;
        _registered = registered;
    }

    /// <summary>Buffers handed out from the engine's registered pool so far (READ_FIXED / WRITE_FIXED capable).</summary>
    public long RegisteredRents => Interlocked.Read(ref _registeredRents);
    private long _registeredRents;

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
            if (_waiters.Count == 0 && TryTakeLocked(size, out var block))
                return ValueTask.FromResult(new PartBuffer(this, block, size, length));
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
            if (size <= Capacity && _waiters.Count == 0 && TryTakeLocked(size, out var block))
            {
                buffer = new PartBuffer(this, block, size, length);
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
                var block = await waiter.Task.ConfigureAwait(false);
                return new PartBuffer(this, block, waiter.Size, waiter.Length);
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

    internal void Return(Block block, int size)
    {
        lock (_lock)
        {
            ReleaseLocked(block, size);
            GrantWaitersLocked();
        }
    }

    private void ReleaseLocked(Block block, int size)
    {
        _reserved -= size;
        if (block.Native != null)
        {
            block.Native.Return(); // the pool keeps it
        }
        else if (!_disposed && size >= MinimumCachedSize)
        {
            if (!_cache.TryGetValue(size, out var stack)) _cache[size] = stack = new Stack<nint>();
            stack.Push(block.Address);
            _cached += size;
        }
        else
        {
            Free(block.Address);
        }
    }

    private void GrantWaitersLocked()
    {
        while (_waiters.First is { } first)
        {
            var w = first.Value;
            if (!TryTakeLocked(w.Size, out var block)) return;
            _waiters.RemoveFirst();
            if (!w.TryGrant(block)) ReleaseLocked(block, w.Size); // cancelled meanwhile
        }
    }

    private bool TryTakeLocked(int size, out Block block)
    {
        block = default;
        if (_reserved + size > Capacity) return false;
        nint memory;
        if (TryRentRegistered(size, out var native))
        {
            block = new Block(0, native);
            Interlocked.Increment(ref _registeredRents);
            _reserved += size;
            if (_reserved > _peak) _peak = _reserved;
            return true;
        }
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
        block = new Block(memory, null);
        _reserved += size;
        if (_reserved > _peak) _peak = _reserved;
        return true;
    }

    /// <summary>A registered buffer when the pool has a class of exactly this size and one is free (never waits).</summary>
    private bool TryRentRegistered(int size, out NativeBuffer? buffer)
    {
        buffer = null;
        // Only part-sized classes: the small ones serve the connections' socket I/O and must not be drained by parts.
        if (_registered is null || size <= MinimumCachedSize) return false;
        for (int c = 0; c < _registered.ClassCount; c++)
            if (_registered.ClassSize(c) == size) return _registered.TryRent(size, out buffer!);
        return false;
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

    /// <summary>Memory behind a part buffer: native memory of ours, or a registered buffer of the engine's pool.</summary>
    internal readonly record struct Block(nint Address, NativeBuffer? Native);

    private sealed class Waiter(int size, int length)
    {
        private readonly TaskCompletionSource<Block> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Size { get; } = size;
        public int Length { get; } = length;
        public LinkedListNode<Waiter>? Node;
        public Task<Block> Task => _tcs.Task;
        public bool TryGrant(Block block) => _tcs.TrySetResult(block);
        public void Cancel() => _tcs.TrySetCanceled();
        public void Fail(Exception e) => _tcs.TrySetException(e);
    }
}
