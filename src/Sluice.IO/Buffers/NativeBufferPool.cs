using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

using Sluice.IO.Native;

namespace Sluice.IO.Buffers;

/// <summary>
/// A bounded pool of page-aligned native buffers in power-of-two size classes. Each class is one contiguous slab,
/// so an engine can register the whole class with its rings as one fixed buffer (index = class number). Renting
/// and returning take a short lock and never allocate. Exhaustion is explicit: <see cref="TryRent"/> fails,
/// <see cref="RentAsync"/> waits for a return — memory use never grows past what the pool was created with.
/// Disposing frees each class's slab when its last rented buffer comes back (at once for idle classes), so a renter
/// still unwinding after its engine stopped never finds its memory gone, and nobody has to wait for it.
/// </summary>
public sealed class NativeBufferPool : IDisposable
{
    /// <summary>Pages are the unit of DMA, O_DIRECT alignment and pinning.</summary>
    public const int Alignment = 4096;

    private readonly SizeClass[] _classes;
    private volatile bool _disposed;
    private int _liveSlabs;
    private readonly TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Creates a pool: for each size (a power of two, at least 4 KiB) <paramref name="counts"/> gives how many buffers.
    /// </summary>
    public NativeBufferPool(ReadOnlySpan<int> sizes, ReadOnlySpan<int> counts)
    {
        if (sizes.Length == 0 || sizes.Length != counts.Length)
            throw new ArgumentException("one count per size class is required");
        _classes = new SizeClass[sizes.Length];
        int previous = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            int size = sizes[i];
            if (size < Alignment || !BitOperations.IsPow2(size) || size <= previous)
                throw new ArgumentException($"size classes must be increasing powers of two >= {Alignment}: {size}");
            if (counts[i] <= 0) throw new ArgumentException($"count for size {size} must be positive");
            _classes[i] = new SizeClass(this, i, size, counts[i]);
            previous = size;
        }
        _liveSlabs = sizes.Length;
    }

    /// <summary>A pool sized for S3 traffic: small heads and XML, socket I/O, and part-sized file I/O.</summary>
    public static NativeBufferPool CreateDefault() =>
        new([4 << 10, 64 << 10, 1 << 20], [256, 64, 16]);

    public int ClassCount => _classes.Length;
    public int ClassSize(int sizeClass) => _classes[sizeClass].Size;
    public int ClassCapacity(int sizeClass) => _classes[sizeClass].Count;

    /// <summary>Buffers of one class currently rented (what a metrics gauge reports per class).</summary>
    public int ClassOutstanding(int sizeClass) => _classes[sizeClass].Outstanding;

    /// <summary>Base address and length of a class's slab (what an engine registers).</summary>
    public unsafe (nint Address, long Length) ClassSlab(int sizeClass) =>
        ((nint)_classes[sizeClass].Slab, (long)_classes[sizeClass].Size * _classes[sizeClass].Count);

    /// <summary>Set by an engine once every class is registered with every ring.</summary>
    public bool IsRegistered { get; internal set; }

    /// <summary>Buffers currently rented, over all classes.</summary>
    public int Outstanding
    {
        get
        {
            int n = 0;
            foreach (var c in _classes) n += c.Outstanding;
            return n;
        }
    }

    /// <summary>Total native bytes the pool holds.</summary>
    public long TotalBytes
    {
        get
        {
            long n = 0;
            foreach (var c in _classes) n += (long)c.Size * c.Count;
            return n;
        }
    }

    /// <summary>Rents the smallest buffer of at least <paramref name="minimumLength"/> bytes, or returns false.</summary>
    public bool TryRent(int minimumLength, out NativeBuffer buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var c = ClassFor(minimumLength);
        return c.TryRent(out buffer!);
    }

    /// <summary>Rents, waiting for a return when the class is exhausted.</summary>
    public async ValueTask<NativeBuffer> RentAsync(int minimumLength, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var c = ClassFor(minimumLength);
        if (c.TryRent(out var buffer)) return buffer;
        await c.Available.WaitAsync(cancellationToken);
        return c.Take();
    }

    private SizeClass ClassFor(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        foreach (var c in _classes)
            if (c.Size >= minimumLength) return c;
        throw new ArgumentOutOfRangeException(nameof(minimumLength),
            $"{minimumLength} bytes is larger than the pool's largest buffer ({_classes[^1].Size})");
    }

    internal void Return(NativeBuffer buffer)
    {
        if (!ReferenceEquals(buffer.GetType(), typeof(NativeBuffer))) throw new ArgumentException("foreign buffer");
        _classes[buffer.SizeClass].Return(buffer);
    }

    /// <summary>
    /// Completes once the pool is disposed and every slab is freed, i.e. when the last buffer rented at disposal came
    /// back (tests and owners that must know nothing still holds the memory await it).
    /// </summary>
    public Task Freed => _freed.Task;

    /// <summary>
    /// Stops renting and frees the slabs: a class with no buffer rented at once, a class with buffers still rented when
    /// its last one comes back (its renter may still read or write it, say a handler unwinding after its engine's
    /// loops stopped, or a digest on a pool thread). An engine disposes its pool only after its rings are gone, so
    /// the kernel no longer holds the registered slabs either.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var c in _classes) c.Close();
    }

    private void SlabFreed()
    {
        if (Interlocked.Decrement(ref _liveSlabs) == 0) _freed.TrySetResult();
    }

    private sealed unsafe class SizeClass
    {
        private readonly NativeBuffer[] _buffers;
        private readonly int[] _free;       // stack of free slots
        private int _freeCount;
        private bool _closed;               // the pool is disposed: no more rents, the last return frees the slab
        private readonly NativeBufferPool _pool;
        private readonly Lock _lock = new();
#if DEBUG
        private readonly string?[] _rentedBy;
#endif

        public SizeClass(NativeBufferPool pool, int index, int size, int count)
        {
            _pool = pool;
            Size = size;
            Count = count;
            Slab = (byte*)NativeAllocations.AlignedAlloc((nuint)size * (nuint)count, Alignment);
            _buffers = new NativeBuffer[count];
            _free = new int[count];
            for (int i = 0; i < count; i++)
            {
                _buffers[i] = new NativeBuffer(pool, Slab + (long)i * size, size, index, i);
                _free[i] = count - 1 - i;
            }
            _freeCount = count;
            Available = new SemaphoreSlim(count, count); // counts free buffers
#if DEBUG
            _rentedBy = new string?[count];
#endif
        }

        public int Size { get; }
        public int Count { get; }
        public byte* Slab { get; private set; }
        public SemaphoreSlim Available { get; }
        public int Outstanding { get { lock (_lock) return Count - _freeCount; } }

        public bool TryRent(out NativeBuffer buffer)
        {
            if (!Available.Wait(0))
            {
                buffer = null!;
                return false;
            }
            buffer = Take();
            return true;
        }

        /// <summary>Pops a free buffer; the caller has already taken one count from <see cref="Available"/>.</summary>
        public NativeBuffer Take()
        {
            lock (_lock)
            {
                if (_closed)
                {
                    Available.Release(); // give back the count taken for this rent: the next waiter fails the same way
                    throw new ObjectDisposedException(nameof(NativeBufferPool));
                }
                var buffer = _buffers[_free[--_freeCount]];
                buffer.RentCount++;
#if DEBUG
                _rentedBy[buffer.Slot] = new StackTrace(2, false).ToString();
#endif
                return buffer;
            }
        }

        public void Return(NativeBuffer buffer)
        {
            bool last;
            lock (_lock)
            {
                // A double return would hand one buffer to two owners: always an error, in every build.
                if ((buffer.RentCount & 1) == 0 || _freeCount == Count)
                    throw new InvalidOperationException("NativeBuffer returned twice");
                buffer.RentCount++;
                _free[_freeCount++] = buffer.Slot;
#if DEBUG
                _rentedBy[buffer.Slot] = null;
#endif
                last = _closed && _freeCount == Count;
                if (last) Free();
            }
            Available.Release(); // after disposal this wakes a waiting rent, which then fails
            if (last) _pool.SlabFreed();
        }

        /// <summary>The pool is disposed: frees the slab now if nothing is rented, else the last return will.</summary>
        public void Close()
        {
            bool idle;
            lock (_lock)
            {
                if (_closed) return;
                _closed = true;
                idle = _freeCount == Count;
                if (idle) Free();
            }
            if (idle) _pool.SlabFreed();
        }

        private void Free()
        {
#if DEBUG
            foreach (var where in _rentedBy)
                if (where != null) Debug.WriteLine($"NativeBuffer leaked, rented at:\n{where}");
#endif
            NativeAllocations.AlignedFree(Slab, (nuint)Size * (nuint)Count);
            Slab = null;
        }
    }
}
