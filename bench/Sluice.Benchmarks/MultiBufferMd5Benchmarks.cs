using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Sluice.S3.Checksums;

namespace Sluice.Benchmarks;

/// <summary>
/// Aggregate MD5 throughput over 1, 2, 4 and 8 concurrent streams of 1 MiB each, against the serial chain one core
/// runs today (the platform's MD5, one stream after another: the baseline of each row group). Kernel is the 8-lane
/// pass itself on one core; Service is the same bytes through <see cref="Md5LaneHasher"/> as the server feeds it
/// (256 KiB chunks per stream, the worker on the thread pool); ScalarBlock is the C# one-stream block function.
/// Run: dotnet run -c Release --project bench/Sluice.Benchmarks -- --filter '*MultiBufferMd5Benchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(AggregateConfig))]
public class MultiBufferMd5Benchmarks
{
    private const int StreamBytes = 1 << 20;
    private const int ChunkBytes = 256 * 1024;

    private readonly byte[] _hash = new byte[16];
    private unsafe byte* _data;
    private Md5Digest _md5 = null!;
    private Md5LaneDigest[] _digests = [];
    private Md5LaneHasher _hasher = null!;
    private NativeMemoryManager _memory = null!;

    [Params(1, 2, 4, 8)]
    public int Streams { get; set; }

    [GlobalSetup]
    public unsafe void Setup()
    {
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)(Streams * StreamBytes), 64);
        new Random(42).NextBytes(new Span<byte>(_data, Streams * StreamBytes));
        _memory = new NativeMemoryManager(_data, Streams * StreamBytes);
        _md5 = new Md5Digest();
        _hasher = new Md5LaneHasher();
        _digests = Enumerable.Range(0, Streams).Select(_ => _hasher.Rent()).ToArray();
    }

    [GlobalCleanup]
    public unsafe void Cleanup()
    {
        foreach (var digest in _digests) digest.Dispose();
        _md5.Dispose();
        NativeMemory.AlignedFree(_data);
    }

    /// <summary>One core, one chain: each stream hashed after the other with the platform's MD5 (OpenSSL on Linux).</summary>
    [Benchmark(Baseline = true)]
    public unsafe int SerialPlatformMd5()
    {
        int n = 0;
        for (int s = 0; s < Streams; s++)
        {
            _md5.Append(new ReadOnlySpan<byte>(_data + (long)s * StreamBytes, StreamBytes));
            n += _md5.GetHashAndReset(_hash);
        }
        return n;
    }

    /// <summary>The C# scalar block function, each stream after the other.</summary>
    [Benchmark]
    public unsafe uint ScalarBlock()
    {
        uint x = 0;
        for (int s = 0; s < Streams; s++)
        {
            var state = Md5State.Initial;
            Md5Block.Compress(ref state, new ReadOnlySpan<byte>(_data + (long)s * StreamBytes, StreamBytes));
            x ^= state.A;
        }
        return x;
    }

    /// <summary>The 8-lane kernel with <see cref="Streams"/> lanes busy, in passes of the service's size, on this thread.</summary>
    [Benchmark]
    public unsafe uint Kernel()
    {
        var states = default(Md5x8State);
        var lanes = default(Md5LanePointers);
        for (int s = 0; s < Md5x8.Lanes; s++) Md5x8.SetLane(ref states, s, Md5State.Initial);
        const int Blocks = StreamBytes / Md5Block.Size;
        for (int done = 0; done < Blocks; done += Md5LaneHasher.MaxBlocksPerPass)
        {
            for (int s = 0; s < Streams; s++) lanes[s] = (nint)(_data + (long)s * StreamBytes + (long)done * Md5Block.Size);
            Md5x8.Compress(ref states, lanes, Md5LaneHasher.MaxBlocksPerPass);
        }
        return states[0];
    }

    /// <summary>The shared service, fed as the server feeds it: each stream's chunks in order, all streams at once.</summary>
    [Benchmark]
    public async Task<int> Service()
    {
        await Task.WhenAll(Enumerable.Range(0, Streams).Select(FeedAsync));
        int n = 0;
        foreach (var digest in _digests)
        {
            digest.Finish(_hash);
            n += _hash[0];
        }
        return n;
    }

    private async Task FeedAsync(int stream)
    {
        for (int at = 0; at < StreamBytes; at += ChunkBytes)
            await _digests[stream].AppendAsync(_memory.Memory.Slice(stream * StreamBytes + at, ChunkBytes));
    }

    private sealed unsafe class NativeMemoryManager(byte* pointer, int length) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

        public override void Unpin() { }

        protected override void Dispose(bool disposing) { }
    }

    private sealed class AggregateConfig : ManualConfig
    {
        public AggregateConfig() => AddColumn(new GibPerSecondColumn("Aggregate throughput: Streams × 1 MiB / Mean, in GiB per second",
            c => c.Parameters["Streams"] is int streams ? (long)streams * StreamBytes : null));
    }
}
