using System.Numerics;
using Sluice.IO;
using Sluice.IO.Buffers;

namespace Sluice.IoBench;

/// <summary>
/// Where the benchmark's I/O buffers come from: the engine's native pool (what Sluice's own code uses, so io_uring
/// gets memory whose pinning is free) or pinned managed arrays (what a typical caller would pass). Both engines get
/// the same kind in a run.
/// </summary>
internal sealed class BenchBuffers(IoEngine engine, bool arrays)
{
    /// <summary>A pool with one size class that fits <paramref name="size"/>, <paramref name="count"/> buffers deep.</summary>
    public static NativeBufferPool CreatePool(int size, int count) =>
        new([(int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, NativeBufferPool.Alignment))], [count]);

    public Lease Rent(int size)
    {
        if (arrays) return new Lease(GC.AllocateArray<byte>(size, pinned: true), null);
        if (!engine.Buffers.TryRent(size, out var buffer))
            throw new InvalidOperationException($"the benchmark's buffer pool is exhausted ({engine.Buffers.Outstanding} rented)");
        return new Lease(buffer.Memory[..size], buffer);
    }

    /// <summary>A rented buffer; disposing gives a pool buffer back.</summary>
    public readonly struct Lease(Memory<byte> memory, NativeBuffer? owner) : IDisposable
    {
        public Memory<byte> Memory { get; } = memory;

        public void Dispose() => owner?.Return();
    }
}
