using BenchmarkDotNet.Attributes;
using Sluice.IO.Buffers;

namespace Sluice.Benchmarks;

/// <summary>Renting and returning a native buffer: a short lock, no allocation.</summary>
[MemoryDiagnoser]
public class BufferPoolBenchmarks
{
    private NativeBufferPool _pool = null!;

    [GlobalSetup]
    public void Setup() => _pool = new NativeBufferPool([4096, 65536], [4, 2]);

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark]
    [AllocationFree]
    public int RentAndReturn()
    {
        if (!_pool.TryRent(1, out var buffer)) throw new InvalidOperationException("the pool is exhausted");
        int length = buffer.Length;
        buffer.Return();
        return length;
    }
}
