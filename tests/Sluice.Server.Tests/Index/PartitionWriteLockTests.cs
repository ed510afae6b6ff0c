using System.Text;
using Sluice.Server.Index;
using static Sluice.Server.Tests.Index.IndexTestData;

namespace Sluice.Server.Tests.Index;

/// <summary>Each partition has its own write lock: writes to different partitions do not wait for each other, and map
/// changes made while writers run lose no write (in memory and after a restart).</summary>
public class PartitionWriteLockTests
{
    // Only a guard against a hang failing the run forever: nothing here measures speed.
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_write_to_another_partition_completes_while_one_partition_is_locked()
    {
        string directory = TempDirectory();
        try
        {
            using (BucketIndex index = BucketIndex.Open(directory, new KeyIndexOptions { SplitKeyCount = 1000 }))
            {
                index.WaitDurable(index.Put(Entry("a/1")));
                index.WaitDurable(index.Put(Entry("m/1")));
                Assert.True(index.TrySplitAt([], Encoding.UTF8.GetBytes("m")));
                Assert.Equal(2, index.GetPartitionMap().Count);

                // A writer stuck inside partition [, m): it holds that partition's lock until released.
                var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using var release = new ManualResetEventSlim();
                Task holder = Dedicated(() => index.HoldPartitionLock("a/x"u8, () =>
                {
                    held.SetResult();
                    release.Wait();
                }));
                await held.Task.WaitAsync(Hang);

                // A write to the same partition waits for the lock...
                Task samePartition = Dedicated(() => index.WaitDurable(index.Put(Entry("a/2"))));

                // ...while puts, a conditional put, an overwrite and a delete in [m, ) are applied and made durable.
                await Dedicated(() =>
                {
                    index.WaitDurable(index.Put(Entry("m/2")));
                    Assert.True(index.TryPut(Entry("m/3"), PutCondition.IfAbsent, out CommitTicket t, out _));
                    index.WaitDurable(t);
                    Assert.False(index.TryPut(Entry("m/3", 1), PutCondition.IfAbsent, out _, out _));
                    index.WaitDurable(index.Put(Entry("m/1", 5)));
                    Assert.True(index.TryDelete("m/2"u8, out _, out CommitTicket d));
                    index.WaitDurable(d);
                }).WaitAsync(Hang);

                // Still waiting: the lock it needs has not been released (not a timing check: it cannot finish yet).
                Assert.False(samePartition.IsCompleted);
                Assert.False(index.TryGet("a/2"u8, out _));

                release.Set();
                await holder.WaitAsync(Hang);
                await samePartition.WaitAsync(Hang);
                Assert.True(index.TryGet("a/2"u8, out _));
            }

            using BucketIndex reopened = BucketIndex.Open(directory, new KeyIndexOptions { SplitKeyCount = 1000 });
            Assert.Equal(["a/1", "a/2", "m/1", "m/3"], All(reopened).Select(e => Encoding.UTF8.GetString(e.Key)));
            Assert.True(reopened.TryGet("m/1"u8, out IndexEntry? m1));
            Assert.Equal(Entry("m/1", 5).Size, m1.Size);
            Assert.Equal(["", "m"], reopened.GetPartitionMap().Select(p => Text(p.LowKey)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Writers put, overwrite and delete their own keys (each write made durable before it counts as acknowledged)
    /// while count splits, empty merges and a policy thread's splits and merges change the map under them. Every
    /// acknowledged state is in the index afterwards, and a restart replays the same keys and the same map.
    /// </summary>
    [Fact]
    public async Task Splits_and_merges_during_concurrent_writes_lose_no_write()
    {
        const int Writers = 4, OpsPerWriter = 1500, ChangesBeforeSecondHalf = 30;
        string directory = TempDirectory();
        var options = new KeyIndexOptions { SplitKeyCount = 48 };
        try
        {
            var expected = new Dictionary<string, IndexEntry>[Writers];
            List<string> boundaries;
            List<IndexEntry> entries;
            int policyChanges = 0;
            using (BucketIndex index = BucketIndex.Open(directory, options))
            {
                var writersDone = new CancellationTokenSource();
                var manyChanges = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task policy = Dedicated(() =>
                {
                    var random = new Random(17);
                    while (!writersDone.IsCancellationRequested)
                    {
                        IReadOnlyList<PartitionInfo> map = index.GetPartitionMap();
                        bool changed;
                        if (map.Count > 1 && random.Next(3) == 0)
                        {
                            changed = index.TryMergeAt(map[1 + random.Next(map.Count - 1)].LowKey.ToArray());
                        }
                        else
                        {
                            byte[] at = Encoding.UTF8.GetBytes($"{random.Next(0x10000):x4}");
                            PartitionInfo p = map.Last(i => i.LowKey.Span.SequenceCompareTo(at) <= 0);
                            changed = index.TrySplitAt(p.LowKey.ToArray(), at);
                        }

                        if (changed && Interlocked.Increment(ref policyChanges) == ChangesBeforeSecondHalf)
                        {
                            manyChanges.SetResult();
                        }
                    }
                });

                Task[] writers = Enumerable.Range(0, Writers).Select(w => Dedicated(() =>
                {
                    var random = new Random(w);
                    var mine = expected[w] = [];
                    for (int i = 0; i < OpsPerWriter; i++)
                    {
                        if (i == OpsPerWriter / 2)
                        {
                            // Half the writes land after the policy thread has changed the map many times.
                            manyChanges.Task.Wait();
                        }

                        // Hashed keys spread the writers over every partition; a small key space makes overwrites and
                        // deletes common (deletes empty small partitions, which merge).
                        string key = $"{random.Next(0x10000):x4}/{w}/{random.Next(200)}";
                        if (random.Next(4) == 0)
                        {
                            if (index.TryDelete(Encoding.UTF8.GetBytes(key), out _, out CommitTicket d))
                            {
                                index.WaitDurable(d);
                            }

                            mine.Remove(key);
                        }
                        else
                        {
                            IndexEntry entry = Entry(key, i);
                            index.WaitDurable(index.Put(entry));
                            mine[key] = entry;
                        }
                    }
                })).ToArray();

                try
                {
                    await Task.WhenAll(writers).WaitAsync(Hang);
                }
                finally
                {
                    writersDone.Cancel();
                    manyChanges.TrySetResult(); // writers stuck on a failed policy thread must not hang
                }

                await policy.WaitAsync(Hang);
                Assert.True(policyChanges >= ChangesBeforeSecondHalf);

                var all = expected.SelectMany(d => d).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
                entries = All(index);
                Assert.Equal(all.Select(kv => kv.Key), entries.Select(e => Encoding.UTF8.GetString(e.Key)));
                Assert.All(entries.Zip(all), pair => Assert.Equal(pair.Second.Value.Size, pair.First.Size));
                Assert.Equal(all.Count, index.Count);
                PartitionTests.AssertCovering(index.GetPartitionMap(), index.Count);
                boundaries = index.GetPartitionMap().Select(p => Text(p.LowKey)).ToList();
                Assert.True(boundaries.Count > 10, $"only {boundaries.Count} partitions");
            }

            // The journal replays the same writes and the same map changes (count splits and empty merges happen
            // under the writing partition's lock, right at the record that caused them).
            using BucketIndex reopened = BucketIndex.Open(directory, options);
            Assert.Equal(entries.Select(e => (Encoding.UTF8.GetString(e.Key), e.Size, e.ETag)), All(reopened).Select(e => (Encoding.UTF8.GetString(e.Key), e.Size, e.ETag)));
            Assert.Equal(boundaries, reopened.GetPartitionMap().Select(p => Text(p.LowKey)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // Dedicated threads: on two cores the thread pool would start these late; a lock held on one must stay on it.
    private static Task Dedicated(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static string TempDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-partlock-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }
}
