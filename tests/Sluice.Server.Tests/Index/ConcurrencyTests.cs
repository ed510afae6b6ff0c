using System.Diagnostics;
using System.Text;
using Sluice.Server.Index;
using static Sluice.Server.Tests.Index.IndexTestData;

namespace Sluice.Server.Tests.Index;

public class ConcurrencyTests
{
    [Fact]
    public async Task Readers_never_see_gaps_duplicates_or_disorder_while_writers_churn()
    {
        using BucketIndex index = BucketIndex.CreateInMemory(new KeyIndexOptions { SplitKeyCount = 32 });

        // Stable keys are never touched by writers: every full listing must contain all of them.
        var stable = Enumerable.Range(0, 500).Select(i => $"s/{i * 7:D5}").ToList();
        foreach (string key in stable)
        {
            index.Put(Entry(key));
        }

        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var failures = new List<string>();
        long pages = 0, writes = 0;
        // Dedicated threads: on two cores the thread pool would start these late and the run would prove little.
        Task[] writers = Enumerable.Range(0, 2).Select(w => Task.Factory.StartNew(() =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                // Churn keys interleaved with the stable ones so partitions split and merge around them.
                string key = $"s/{random.Next(3500):D5}-{w}";
                if (random.Next(2) == 0)
                {
                    index.Put(Entry(key, random.Next(100)));
                }
                else
                {
                    index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out _);
                }

                Interlocked.Increment(ref writes);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        Task[] readers = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var seen = new List<IndexEntry>();
                string? token = null;
                do
                {
                    Assert.True(ListQuery.TryCreateV2("s/", null, 97, null, token, out ListQuery query, out _));
                    ListPage page = index.List(query);
                    seen.AddRange(page.Contents);
                    token = page.NextContinuationToken;
                    Interlocked.Increment(ref pages);
                }
                while (token is not null);

                for (int i = 1; i < seen.Count; i++)
                {
                    if (seen[i - 1].Key.SequenceCompareTo(seen[i].Key) >= 0)
                    {
                        lock (failures)
                        {
                            failures.Add($"out of order or repeated: {seen[i - 1]} then {seen[i]}");
                        }
                    }
                }

                var names = seen.Select(e => e.GetKeyString()).ToHashSet();
                foreach (string key in stable.Where(k => !names.Contains(k)))
                {
                    lock (failures)
                    {
                        failures.Add($"stable key {key} missing");
                    }
                }

                foreach (string key in stable.Take(20))
                {
                    if (!index.TryGet(Encoding.UTF8.GetBytes(key), out _))
                    {
                        lock (failures)
                        {
                            failures.Add($"Get lost {key}");
                        }
                    }
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        await Task.WhenAll([.. writers, .. readers]).WaitAsync(TimeSpan.FromMinutes(10)); // a hang guard, not a speed check
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.True(pages > 10 && writes > 1000, $"{pages} pages, {writes} writes");
        PartitionTests.AssertCovering(index.GetPartitionMap(), index.Count);
        Assert.Equal(index.Count, All(index).Count);
    }
}
