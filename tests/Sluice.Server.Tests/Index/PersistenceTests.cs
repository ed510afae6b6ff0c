using System.Text;
using Sluice.Server.Index;
using static Sluice.Server.Tests.Index.IndexTestData;

namespace Sluice.Server.Tests.Index;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _root = TempDirectory();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Puts_and_deletes_survive_reopen()
    {
        string dir = Path.Combine(_root, "b");
        List<IndexEntry> expected;
        using (BucketIndex index = BucketIndex.Open(dir, new KeyIndexOptions { SplitKeyCount = 8 }))
        {
            CommitTicket last = default;
            for (int i = 0; i < 300; i++)
            {
                last = index.Put(Entry($"k/{i % 150:D3}/\U0001F600", i));
            }

            for (int i = 0; i < 150; i += 3)
            {
                Assert.True(index.TryDelete(Encoding.UTF8.GetBytes($"k/{i:D3}/\U0001F600"), out _, out last));
            }

            index.WaitDurable(last);
            expected = All(index);
            Assert.Equal(100, expected.Count);
        }

        using (BucketIndex reopened = BucketIndex.Open(dir, new KeyIndexOptions { SplitKeyCount = 8 }))
        {
            AssertSameEntries(expected, All(reopened));
            Assert.Equal(100, reopened.Count);
            PartitionTests.AssertCovering(reopened.GetPartitionMap(), 100);

            // Writing continues after the replayed records.
            reopened.WaitDurable(reopened.Put(Entry("after-reopen", 1)));
        }

        using BucketIndex third = BucketIndex.Open(dir);
        Assert.True(third.TryGet("after-reopen"u8, out _));
        Assert.Equal(101, third.Count);
    }

    [Fact]
    public async Task Concurrent_durable_puts_share_fsyncs_and_all_survive()
    {
        string dir = Path.Combine(_root, "b");
        using (BucketIndex index = BucketIndex.Open(dir))
        {
            Task[] tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
            {
                for (int i = 0; i < 50; i++)
                {
                    await index.WaitDurableAsync(index.Put(Entry($"t{t}/{i:D2}", i)));
                }
            })).ToArray();
            await Task.WhenAll(tasks);
        }

        using BucketIndex reopened = BucketIndex.Open(dir);
        Assert.Equal(400, reopened.Count);
    }

    [Fact]
    public void A_torn_last_record_at_every_byte_offset_reloads_to_the_state_before_or_after_it()
    {
        string dir = Path.Combine(_root, "b");
        long before, after;
        List<IndexEntry> stateBefore, stateAfter;
        using (BucketIndex index = BucketIndex.Open(dir))
        {
            for (int i = 0; i < 20; i++)
            {
                index.Put(Entry($"key{i:D2}", i));
            }

            index.TryDelete("key05"u8, out _, out CommitTicket t);
            index.WaitDurable(t);
            stateBefore = All(index);
            before = new FileInfo(JournalOf(dir)).Length;
            index.WaitDurable(index.Put(Entry("key99-\u00E9", 99)));
            stateAfter = All(index);
            after = new FileInfo(JournalOf(dir)).Length;
        }

        Assert.True(after - before > 30);
        for (long cut = before; cut <= after; cut++)
        {
            string copy = Path.Combine(_root, $"cut{cut}");
            CopyDirectory(dir, copy);
            using (var stream = new FileStream(JournalOf(copy), FileMode.Open))
            {
                stream.SetLength(cut);
            }

            using (BucketIndex reloaded = BucketIndex.Open(copy))
            {
                AssertSameEntries(cut == after ? stateAfter : stateBefore, All(reloaded));

                // The torn bytes are gone: a new record appends cleanly after the last good one.
                reloaded.WaitDurable(reloaded.Put(Entry("next", 1)));
            }

            using (BucketIndex again = BucketIndex.Open(copy))
            {
                Assert.Equal((cut == after ? stateAfter : stateBefore).Count + 1, again.Count);
            }

            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void A_zero_filled_tail_is_a_torn_append()
    {
        string dir = Path.Combine(_root, "b");
        using (BucketIndex index = BucketIndex.Open(dir))
        {
            index.WaitDurable(index.Put(Entry("a", 1)));
        }

        using (var stream = new FileStream(JournalOf(dir), FileMode.Append))
        {
            stream.Write(new byte[5000]);
        }

        using BucketIndex reloaded = BucketIndex.Open(dir);
        Assert.Equal(1, reloaded.Count);
    }

    [Fact]
    public void A_bad_crc_in_the_middle_of_the_journal_is_a_clear_error()
    {
        string dir = Path.Combine(_root, "b");
        using (BucketIndex index = BucketIndex.Open(dir))
        {
            for (int i = 0; i < 10; i++)
            {
                index.Put(Entry($"key{i}", i));
            }

            index.WaitDurable(index.Put(Entry("last", 1)));
        }

        string journal = JournalOf(dir);
        byte[] bytes = File.ReadAllBytes(journal);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(journal, bytes);
        IndexCorruptException error = Assert.Throws<IndexCorruptException>(() => BucketIndex.Open(dir));
        Assert.Equal(journal, error.FilePath);
        Assert.InRange(error.Offset, 1, bytes.Length / 2);
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compaction_then_reload_equals_and_later_writes_replay_on_top()
    {
        string dir = Path.Combine(_root, "b");
        var options = new KeyIndexOptions { SplitKeyCount = 10, CompactJournalBytes = 0 };
        List<IndexEntry> expected;
        IReadOnlyList<PartitionInfo> map;
        using (BucketIndex index = BucketIndex.Open(dir, options))
        {
            for (int i = 0; i < 500; i++)
            {
                index.Put(Entry($"{i * 37 % 1000:D4}", i));
            }

            index.Compact();
            Assert.Single(Directory.GetFiles(dir, "journal.*"));
            for (int i = 0; i < 50; i++)
            {
                index.TryDelete(Encoding.UTF8.GetBytes($"{i * 37 % 1000:D4}"), out _, out _);
            }

            index.Put(Entry("zzz", 5));
            index.Compact();
            index.Put(Entry("zzz-after", 6));
            expected = All(index);
            map = index.GetPartitionMap();
        }

        using BucketIndex reloaded = BucketIndex.Open(dir, options);
        AssertSameEntries(expected, All(reloaded));

        // The snapshot keeps the partition boundaries.
        Assert.Equal(map.Select(p => Text(p.LowKey)), reloaded.GetPartitionMap().Select(p => Text(p.LowKey)));
    }

    [Fact]
    public void Automatic_compaction_runs_when_the_journal_grows()
    {
        string dir = Path.Combine(_root, "b");
        var options = new KeyIndexOptions { CompactJournalBytes = 16 << 10 };
        using (BucketIndex index = BucketIndex.Open(dir, options))
        {
            for (int i = 0; i < 2000; i++)
            {
                index.Put(Entry($"obj/{i:D5}", i));
            }
        }

        Assert.True(File.Exists(Path.Combine(dir, "snapshot")));
        using BucketIndex reloaded = BucketIndex.Open(dir, options);
        Assert.Equal(2000, reloaded.Count);
        Assert.Null(reloaded.BackgroundError);
    }

    [Fact]
    public void A_damaged_snapshot_is_an_error_not_data_loss()
    {
        string dir = Path.Combine(_root, "b");
        using (BucketIndex index = BucketIndex.Open(dir, new KeyIndexOptions { CompactJournalBytes = 0 }))
        {
            for (int i = 0; i < 100; i++)
            {
                index.Put(Entry($"k{i:D3}", i));
            }

            index.Compact();
        }

        string snapshot = Path.Combine(dir, "snapshot");
        byte[] bytes = File.ReadAllBytes(snapshot);
        foreach (Func<byte[], byte[]> damage in new Func<byte[], byte[]>[]
        {
            b => { b = (byte[])b.Clone(); b[b.Length / 3] ^= 1; return b; },
            b => b[..^10],
            b => [.. b, 0],
        })
        {
            File.WriteAllBytes(snapshot, damage(bytes));
            Assert.Throws<IndexCorruptException>(() => BucketIndex.Open(dir));
        }
    }

    [Fact]
    public void A_compaction_interrupted_before_or_after_its_rename_loads_everything()
    {
        string dir = Path.Combine(_root, "b");
        var options = new KeyIndexOptions { CompactJournalBytes = 0 };
        List<IndexEntry> expected;
        using (BucketIndex index = BucketIndex.Open(dir, options))
        {
            for (int i = 0; i < 50; i++)
            {
                index.Put(Entry($"k{i:D3}", i));
            }

            index.Compact();
            index.Put(Entry("tail", 1));
            expected = All(index);
        }

        // After the rename but before the old journal's delete: a stale older journal is ignored.
        string stale = Path.Combine(dir, "journal.0000000000000000");
        File.WriteAllBytes(stale, [1, 2, 3]);
        using (BucketIndex index = BucketIndex.Open(dir, options))
        {
            AssertSameEntries(expected, All(index));
        }

        Assert.False(File.Exists(stale));

        // A leftover temp snapshot from a crash before the rename is discarded.
        File.WriteAllBytes(Path.Combine(dir, "snapshot.tmp"), [9, 9, 9]);
        using (BucketIndex index = BucketIndex.Open(dir, options))
        {
            AssertSameEntries(expected, All(index));
        }
    }

    [Fact]
    public void Rebuild_from_a_scan_when_the_index_is_missing()
    {
        string dir = Path.Combine(_root, "b");
        var scanned = Enumerable.Range(0, 3000).Select(i => Entry($"scan/{i:D4}", i)).Reverse().ToList();
        scanned.Add(Entry("scan/0001", 777));
        int scans = 0;
        IEnumerable<IndexEntry> Scan()
        {
            scans++;
            return scanned;
        }

        using (BucketIndex index = BucketIndex.OpenOrRebuild(dir, Scan, new KeyIndexOptions { SplitKeyCount = 256 }))
        {
            Assert.Equal(3000, index.Count);
            Assert.True(index.TryGet("scan/0001"u8, out IndexEntry? dup));
            Assert.Equal(Entry("scan/0001", 777).ETag, dup.ETag);
            PartitionTests.AssertCovering(index.GetPartitionMap(), 3000);
            index.WaitDurable(index.Put(Entry("new", 1)));
        }

        // With an index present the scan is not used.
        using (BucketIndex index = BucketIndex.OpenOrRebuild(dir, Scan))
        {
            Assert.Equal(3001, index.Count);
        }

        Assert.Equal(1, scans);
    }

    [Fact]
    public void A_missing_journal_generation_is_an_error()
    {
        string dir = Path.Combine(_root, "b");
        var options = new KeyIndexOptions { CompactJournalBytes = 0 };
        using (BucketIndex index = BucketIndex.Open(dir, options))
        {
            index.Put(Entry("a", 1));
            index.Compact();
            index.Put(Entry("b", 1));
        }

        string journal = JournalOf(dir);
        string name = Path.GetFileName(journal);
        long generation = Convert.ToInt64(name["journal.".Length..], 16);
        File.Move(journal, Path.Combine(dir, $"journal.{generation + 1:x16}"));
        Assert.Throws<IndexCorruptException>(() => BucketIndex.Open(dir, options));
    }

    private static string JournalOf(string dir) => Assert.Single(Directory.GetFiles(dir, "journal.*"));

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
