using System.Text;
using Sluice.Server.Index;

namespace Sluice.Server.Tests.Index;

/// <summary>The partitions' heat counters: free on the request path, kept across splits and merges, folded into rates.</summary>
public class PartitionHeatTests
{
    [Fact]
    public void Counting_reads_and_writes_allocates_nothing()
    {
        using BucketIndex index = BucketIndex.CreateInMemory();
        for (int i = 0; i < 100; i++) index.Put(IndexTestData.Entry($"k{i:D3}"));
        byte[] key = Encoding.UTF8.GetBytes("k042");
        for (int i = 0; i < 1000; i++) index.CountRead(key); // warm up (the sample path included)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            index.CountRead(key);
            index.TryGet(key, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(index.GetPartitionMap()[0].Reads >= 201_000 - 1000); // plain increments may lose a few to races only
    }

    [Fact]
    public void Splits_divide_the_history_and_merges_add_it_and_rates_decay()
    {
        using BucketIndex index = BucketIndex.CreateInMemory();
        for (int i = 0; i < 200; i++) index.Put(IndexTestData.Entry($"k{i:D3}"));
        byte[] hot = Encoding.UTF8.GetBytes("k150");
        for (int i = 0; i < 800; i++) index.CountRead(hot);
        long frequency = TimeProvider.System.TimestampFrequency;
        index.FoldHeat(1_000 * frequency, frequency);        // starts the interval
        for (int i = 0; i < 800; i++) index.CountRead(hot);
        index.FoldHeat(1_010 * frequency, frequency);        // 800 reads over 10 s: 80/s, weighted 1 - 1/e
        double rate = index.GetPartitionMap()[0].ReadRate;
        Assert.InRange(rate, 80 * 0.63, 80 * 0.64);

        // Every sampled key is k150: the half at and above it takes all the heat.
        Assert.True(index.TrySplitAt([], Encoding.UTF8.GetBytes("k100")));
        var map = index.GetPartitionMap();
        Assert.Equal(2, map.Count);
        Assert.Equal(1600, map[0].Reads + map[1].Reads);
        Assert.Equal(200, map[0].Writes + map[1].Writes);
        Assert.Equal(0, map[0].Reads);
        Assert.Equal(rate, map[1].ReadRate, 6);
        Assert.Equal(100, map[1].KeyCount);

        Assert.False(index.TrySplitAt([], Encoding.UTF8.GetBytes("k100"))); // no partition starts at [] and holds k100 now...
        Assert.True(index.TrySplitAt(Encoding.UTF8.GetBytes("k100"), Encoding.UTF8.GetBytes("k199x"))); // ...an empty range at the end is fine
        Assert.Equal(0, index.GetPartitionMap()[2].KeyCount);
        Assert.True(index.TryMergeAt(Encoding.UTF8.GetBytes("k199x")));
        Assert.True(index.TryMergeAt(Encoding.UTF8.GetBytes("k100")));
        Assert.False(index.TryMergeAt(Encoding.UTF8.GetBytes("k100")));
        var merged = Assert.Single(index.GetPartitionMap());
        Assert.Equal(1600, merged.Reads);
        Assert.Equal(200, merged.KeyCount);
        Assert.Equal(rate, merged.ReadRate, 6);

        // No load for a while: the rate decays by e^(-t/10 s).
        index.FoldHeat(1_030 * frequency, frequency);
        Assert.Equal(rate * Math.Exp(-2), index.GetPartitionMap()[0].ReadRate, 6);
    }
}
