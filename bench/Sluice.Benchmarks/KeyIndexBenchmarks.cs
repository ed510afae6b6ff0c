using System.Text;
using BenchmarkDotNet.Attributes;
using Sluice.Server.Index;

namespace Sluice.Benchmarks;

/// <summary>The bucket key index at 1M keys: a put (replace) and list pages of 1000 keys.</summary>
[MemoryDiagnoser]
public class KeyIndexBenchmarks
{
    private const int KeyCount = 1_000_000;
    private static readonly DateTimeOffset Modified = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private BucketIndex _index = null!;
    private IndexEntry[] _replacements = null!;
    private byte[] _middle = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _index = BucketIndex.CreateInMemory();
        for (int i = 0; i < KeyCount; i++)
        {
            _index.Put(new IndexEntry($"data/{i % 1000:D3}/object-{i:D7}", 4096, "\"9b2cf535f27731c974343645a3985328\"", Modified));
        }

        _replacements = Enumerable.Range(0, 4096)
            .Select(i => new IndexEntry($"data/{i % 1000:D3}/object-{i * 241 % KeyCount:D7}", 8192, "\"0b2cf535f27731c974343645a3985328\"", Modified))
            .ToArray();
        _middle = Encoding.UTF8.GetBytes("data/500/");
    }

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();

    [Benchmark]
    public CommitTicket Put() => _index.Put(_replacements[_next++ & 4095]);

    [Benchmark]
    public bool Get() => _index.TryGet(_replacements[_next++ & 4095].Key, out _);

    [Benchmark]
    public int List1000()
    {
        var query = new ListQuery(_middle, default, 1000, default);
        return _index.List(query).KeyCount;
    }

    [Benchmark]
    public int ListDelimiterRollsUp1000Prefixes()
    {
        // 1000 common prefixes of 1000 keys each: one seek per prefix, not a walk over 1M keys.
        var query = new ListQuery("data/"u8, "/"u8, 1000, default);
        return _index.List(query).KeyCount;
    }
}
