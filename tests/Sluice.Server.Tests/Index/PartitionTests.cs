using System.Text;
using Sluice.Server.Index;
using static Sluice.Server.Tests.Index.IndexTestData;

namespace Sluice.Server.Tests.Index;

public class PartitionTests
{
    [Fact]
    public void Partitions_split_past_the_key_count_and_the_map_stays_ordered_and_covering()
    {
        using BucketIndex index = BucketIndex.CreateInMemory(new KeyIndexOptions { SplitKeyCount = 16 });
        var random = new Random(5);
        int previousCount = 1;
        var keys = new SortedSet<string>(Comparer<string>.Create(ListingReference.CompareUtf8));
        for (int i = 0; i < 2000; i++)
        {
            string key = $"k{random.Next(100000):D5}/{i}";
            keys.Add(key);
            index.Put(Entry(key, i));
            int count = index.GetPartitionMap().Count;
            Assert.True(count >= previousCount);
            previousCount = count;
        }

        IReadOnlyList<PartitionInfo> map = index.GetPartitionMap();
        Assert.True(map.Count >= 2000 / 16, $"only {map.Count} partitions");
        AssertCovering(map, index.Count);
        Assert.All(map, p => Assert.InRange(p.KeyCount, 1, 16));

        // Every key lies in the range of the partition the map says.
        List<IndexEntry> all = All(index);
        Assert.Equal(keys, all.Select(e => e.GetKeyString()));
        int part = 0;
        foreach (IndexEntry entry in all)
        {
            while (!map[part].HighKey.IsEmpty && entry.Key.SequenceCompareTo(map[part].HighKey.Span) >= 0)
            {
                part++;
            }

            Assert.True(entry.Key.SequenceCompareTo(map[part].LowKey.Span) >= 0);
        }
    }

    [Fact]
    public void Emptied_partitions_merge_and_deleting_everything_leaves_one()
    {
        using BucketIndex index = BucketIndex.CreateInMemory(new KeyIndexOptions { SplitKeyCount = 4 });
        var keys = Enumerable.Range(0, 200).Select(i => $"{i:D4}").ToList();
        foreach (string key in keys)
        {
            index.Put(Entry(key));
        }

        Assert.True(index.GetPartitionMap().Count > 40);
        var random = new Random(9);
        foreach (string key in keys.OrderBy(_ => random.Next()))
        {
            Assert.True(index.TryDelete(Encoding.UTF8.GetBytes(key), out IndexEntry? removed, out _));
            Assert.Equal(key, removed.GetKeyString());
            AssertCovering(index.GetPartitionMap(), index.Count);
            Assert.All(index.GetPartitionMap(), p => Assert.True(p.KeyCount > 0 || index.Count == 0));
        }

        Assert.Single(index.GetPartitionMap());
        Assert.Equal(0, index.Count);
        Assert.False(index.TryDelete("0001"u8, out _, out CommitTicket ticket));
        Assert.Equal(default, ticket);
    }

    [Fact]
    public void Manual_split_is_the_request_rate_hook_and_counters_move()
    {
        using BucketIndex index = BucketIndex.CreateInMemory(new KeyIndexOptions { SplitKeyCount = 1000 });
        for (int i = 0; i < 100; i++)
        {
            index.Put(Entry($"hot/{i:D3}"));
        }

        Assert.Single(index.GetPartitionMap());
        for (int i = 0; i < 50; i++)
        {
            Assert.True(index.TryGet("hot/007"u8, out _));
        }

        PartitionInfo before = index.GetPartitionMap()[0];
        Assert.True(before.Reads >= 50);
        Assert.Equal(100, before.Writes);

        Assert.True(index.TrySplitPartition("hot/050"u8));
        IReadOnlyList<PartitionInfo> map = index.GetPartitionMap();
        Assert.Equal(2, map.Count);
        Assert.Equal(100, map[0].KeyCount + map[1].KeyCount);
        Assert.InRange(map[0].KeyCount, 40, 60);
        AssertCovering(map, 100);
        Assert.Equal(100, All(index).Count);
    }

    [Fact]
    public void A_partition_with_many_chunks_matches_a_sorted_model_under_random_puts_and_deletes()
    {
        // A large split count keeps everything in few partitions, so chunk splits and removals inside one
        // partition's run are exercised.
        using BucketIndex index = BucketIndex.CreateInMemory(new KeyIndexOptions { SplitKeyCount = 5000 });
        var model = new SortedDictionary<string, IndexEntry>(Comparer<string>.Create(ListingReference.CompareUtf8));
        var random = new Random(1234);
        for (int i = 0; i < 20000; i++)
        {
            string key = $"{random.Next(3000):D4}";
            if (random.Next(3) == 0)
            {
                bool had = model.Remove(key);
                Assert.Equal(had, index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out _));
            }
            else
            {
                IndexEntry entry = Entry(key, i);
                model[key] = entry;
                index.Put(entry);
            }
        }

        Assert.Equal(model.Count, index.Count);
        AssertSameEntries(model.Values.ToList(), All(index));
        foreach ((string key, IndexEntry entry) in model)
        {
            Assert.True(index.TryGet(Encoding.UTF8.GetBytes(key), out IndexEntry? found));
            Assert.Same(entry, found);
        }
    }

    [Fact]
    public void Conditional_puts_check_the_current_entry_atomically()
    {
        using BucketIndex index = BucketIndex.CreateInMemory();
        Assert.True(index.TryPut(Entry("k", 1), PutCondition.IfAbsent, out _, out IndexEntry? previous));
        Assert.Null(previous);
        Assert.False(index.TryPut(Entry("k", 2), PutCondition.IfAbsent, out CommitTicket ticket, out previous));
        Assert.Equal(default, ticket);
        Assert.Equal(Entry("k", 1).ETag, previous!.ETag);
        Assert.False(index.TryPut(Entry("k", 3), PutCondition.IfETagMatches("\"nope\""), out _, out _));
        Assert.True(index.TryPut(Entry("k", 3), PutCondition.IfETagMatches(Entry("k", 1).ETag), out _, out _));
        Assert.True(index.TryGet("k"u8, out IndexEntry? now));
        Assert.True(Entry("k", 3).ContentEquals(now));
        Assert.False(index.TryPut(Entry("other", 1), PutCondition.IfETagMatches(now.ETag), out _, out _));
    }

    [Fact]
    public void Entries_reject_keys_outside_s3_limits()
    {
        Assert.Throws<ArgumentException>(() => new IndexEntry(ReadOnlySpan<byte>.Empty, 0, "\"e\"", Epoch));
        Assert.Throws<ArgumentException>(() => new IndexEntry(new byte[IndexEntry.MaxKeyLength + 1], 0, "\"e\"", Epoch));
        Assert.Throws<ArgumentException>(() => new IndexEntry("k", 0, "\"é\"", Epoch));
        _ = new IndexEntry(new byte[IndexEntry.MaxKeyLength], 0, "\"e\"", Epoch);
    }

    internal static void AssertCovering(IReadOnlyList<PartitionInfo> map, int count)
    {
        Assert.True(map[0].LowKey.IsEmpty);
        Assert.True(map[^1].HighKey.IsEmpty);
        for (int i = 0; i < map.Count - 1; i++)
        {
            Assert.True(map[i].HighKey.Span.SequenceEqual(map[i + 1].LowKey.Span));
            Assert.True(map[i].LowKey.Span.SequenceCompareTo(map[i].HighKey.Span) < 0);
        }

        Assert.Equal(count, map.Sum(p => p.KeyCount));
    }
}
