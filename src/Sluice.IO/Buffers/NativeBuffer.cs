using System.Buffers;

namespace Sluice.IO.Buffers;

/// <summary>
/// One page-aligned buffer of a <see cref="NativeBufferPool"/>: native memory the GC never moves, so the kernel can
/// read and write it while an operation is in flight, and (where the engine registered it) use it with
/// READ_FIXED / WRITE_FIXED. Return it exactly once (<see cref="Return"/> or Dispose).
/// </summary>
public sealed unsafe class NativeBuffer : MemoryManager<byte>
{
    private readonly NativeBufferPool _pool;
    internal int RentCount; // odd while rented; lets DEBUG builds and tests catch double returns

    internal NativeBuffer(NativeBufferPool pool, byte* pointer, int length, int sizeClass, int slot)
    {
        _pool = pool;
        Address = pointer;
        Length = length;
        SizeClass = sizeClass;
        Slot = slot;
    }

    /// <summary>Start of the buffer (page-aligned).</summary>
    public byte* Address { get; }

    /// <summary>Capacity in bytes (a power of two).</summary>
    public int Length { get; }

    internal int SizeClass { get; }
    internal NativeBufferPool Pool => _pool;
    internal int Slot { get; }

    /// <summary>
    /// The index this buffer's memory was registered under with the rings (IORING_REGISTER_BUFFERS), or -1 when it is
    /// not registered (managed engine, or registration refused).
    /// </summary>
    public int RegisteredIndex => _pool.IsRegistered ? SizeClass : -1;

    public override Span<byte> GetSpan() => new(Address, Length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, Length);
        return new MemoryHandle(Address + elementIndex); // native memory: pinning is a no-op
    }

    public override void Unpin() { }

    /// <summary>Gives the buffer back to its pool (as Dispose does).</summary>
    public void Return() => _pool.Return(this);

    protected override void Dispose(bool disposing) => _pool.Return(this);
}
