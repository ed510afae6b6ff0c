using System.Buffers;

namespace Sluice.Client.Transfer;

/// <summary>
/// A part's buffer, reserved from a <see cref="MemoryBudget"/>: page-aligned native memory the GC never moves (so
/// the kernel may read or write it during an operation, and O_DIRECT accepts it). Dispose exactly once to give the
/// bytes back to the budget.
/// </summary>
public sealed unsafe class PartBuffer : MemoryManager<byte>
{
    private readonly MemoryBudget _budget;
    private nint _memory;

    internal PartBuffer(MemoryBudget budget, nint memory, int capacity, int length)
    {
        _budget = budget;
        _memory = memory;
        Capacity = capacity;
        Length = length;
    }

    /// <summary>Bytes reserved (the requested length rounded up to a page).</summary>
    public int Capacity { get; }

    /// <summary>The length that was asked for.</summary>
    public int Length { get; }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_memory == 0, this);
        return new Span<byte>((void*)_memory, Length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_memory == 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, Capacity);
        return new MemoryHandle((byte*)_memory + elementIndex);
    }

    public override void Unpin() { }

    /// <summary>Gives the memory back to the budget (as Dispose does).</summary>
    public void Return() => ((IDisposable)this).Dispose();

    protected override void Dispose(bool disposing)
    {
        nint memory = Interlocked.Exchange(ref _memory, 0);
        if (memory == 0) throw new InvalidOperationException("PartBuffer returned twice");
        _budget.Return(memory, Capacity);
    }
}
