using System.Text;
using Sluice.Server.Index;
using static Sluice.Server.Tests.Index.IndexTestData;

namespace Sluice.Server.Tests.Index;

/// <summary>
/// The index when its files cannot be written (a full or failing file system), with injected write failures: a
/// write the journal fails changes nothing, the index takes writes again once writing works, and an index that
/// cannot write at open serves reads and refuses writes until it can.
/// </summary>
public sealed class JournalFailureTests : IDisposable
{
    private readonly string _root = TempDirectory();
    private readonly IndexFaults _faults = new() { TornBytes = 7 };

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private KeyIndexOptions Options => new() { SplitKeyCount = 4, Faults = _faults };

    private static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    [Fact]
    public void A_diverged_index_is_never_persisted_even_after_writes_succeed()
    {
        using BucketIndex index = BucketIndex.Open(Path.Combine(_root, "d"), Options);
        index.WaitDurable(index.Put(Entry("a", 1)));
        Assert.True(index.IsPersisted);

        // A fix-up after a failed publish could not be written: the next start must reconcile, whatever follows.
        index.MarkDiverged();
        index.WaitDurable(index.Put(Entry("b", 1)));
        Assert.False(index.IsPersisted);
    }

    [Fact]
    public async Task A_failed_journal_write_changes_nothing_and_the_next_write_heals_the_journal()
    {
        string dir = Path.Combine(_root, "b");
        List<IndexEntry> before;
        using (BucketIndex index = BucketIndex.Open(dir, Options))
        {
            CommitTicket last = default;
            foreach (string key in new[] { "a", "c", "e", "g", "i" })
            {
                last = index.Put(Entry(key, 1));
            }

            index.WaitDurable(last);
            before = All(index);

            // The disk fills: an overwrite, a new key and a delete are lost in one failed batch (a torn frame on disk).
            _faults.FailWrites = true;
            CommitTicket overwrite = index.Put(Entry("a", 2));
            CommitTicket added = index.Put(Entry("b", 2));
            Assert.True(index.TryDelete(Key("e"), out _, out CommitTicket deleted));
            await Assert.ThrowsAnyAsync<IOException>(() => index.WaitDurableAsync(deleted));
            await Assert.ThrowsAnyAsync<IOException>(() => index.WaitDurableAsync(overwrite));
            await Assert.ThrowsAnyAsync<IOException>(() => index.WaitDurableAsync(added));
            Assert.True(_faults.Failures > 0);

            // Nothing the failed writes did is visible.
            AssertSameEntries(before, All(index));
            Assert.Equal(5, index.Count);
            Assert.False(index.IsPersisted);

            // Space comes back: the next write cuts the torn tail and is journaled after the last good record.
            _faults.FailWrites = false;
            CommitTicket healed = index.Put(Entry("f", 3));
            await index.WaitDurableAsync(healed);

            // A ticket of a lost write stays lost even though its sequence number was reused.
            await Assert.ThrowsAnyAsync<IOException>(() => index.WaitDurableAsync(added));
            Assert.True(index.IsPersisted);
            Assert.Null(index.ReadOnlyCause);
        }

        using BucketIndex reopened = BucketIndex.Open(dir, Options);
        var expected = before.Append(Entry("f", 3)).OrderBy(e => e.GetKeyString(), StringComparer.Ordinal).ToList();
        AssertSameEntries(expected, All(reopened));
        PartitionTests.AssertCovering(reopened.GetPartitionMap(), 6);
    }

    [Fact]
    public async Task Writes_that_keep_failing_keep_changing_nothing_and_a_compaction_never_keeps_them()
    {
        string dir = Path.Combine(_root, "b");
        using (BucketIndex index = BucketIndex.Open(dir, Options))
        {
            index.WaitDurable(index.Put(Entry("keep", 1)));
            _faults.FailWrites = true;
            for (int i = 0; i < 3; i++)
            {
                await Assert.ThrowsAnyAsync<IOException>(() => index.WaitDurableAsync(index.Put(Entry($"lost{i}", 1))));
                Assert.False(index.TryGet(Key($"lost{i}"), out _));
            }

            Assert.ThrowsAny<IOException>(index.Compact);
            _faults.FailWrites = false;
            index.Compact();
            index.WaitDurable(index.Put(Entry("after", 1)));
        }

        using BucketIndex reopened = BucketIndex.Open(dir, Options);
        Assert.Equal(["after", "keep"], All(reopened).Select(e => e.GetKeyString()));
    }

    [Fact]
    public async Task An_index_that_cannot_be_written_at_rebuild_serves_reads_and_refuses_writes_until_it_can()
    {
        string dir = Path.Combine(_root, "b");
        _faults.FailWrites = true;
        using (BucketIndex index = BucketIndex.Rebuild(dir, [Entry("x", 1), Entry("y", 1)], Options))
        {
            Assert.True(index.TryGet(Key("x"), out _));
            Assert.Equal(2, All(index).Count);
            Assert.NotNull(index.ReadOnlyCause);
            Assert.False(index.IsPersisted);
            var refused = Assert.Throws<IndexReadOnlyException>(() => index.Put(Entry("z", 1)));
            Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
            Assert.Throws<IndexReadOnlyException>(() => index.TryDelete(Key("x"), out _, out _));
            Assert.Equal(2, index.Count);
            Assert.Empty(Directory.EnumerateFiles(dir)); // nothing half-written

            _faults.FailWrites = false;
            await index.WaitDurableAsync(index.Put(Entry("z", 1)));
            Assert.True(index.IsPersisted);
        }

        using BucketIndex reopened = BucketIndex.Open(dir, Options);
        Assert.Equal(["x", "y", "z"], All(reopened).Select(e => e.GetKeyString()));
    }

    [Fact]
    public async Task An_index_whose_journal_cannot_be_created_at_open_opens_read_only()
    {
        string dir = Path.Combine(_root, "b");
        using (BucketIndex index = BucketIndex.Open(dir, Options))
        {
            index.WaitDurable(index.Put(Entry("x", 1)));
            index.Compact();
        }

        // A snapshot with no journal after it: opening must create one, and the disk is full.
        foreach (string journal in Directory.EnumerateFiles(dir, "journal.*"))
        {
            File.Delete(journal);
        }

        _faults.FailWrites = true;
        using (BucketIndex index = BucketIndex.Open(dir, Options))
        {
            Assert.True(index.TryGet(Key("x"), out _));
            Assert.Throws<IndexReadOnlyException>(() => index.Put(Entry("y", 1)));
            _faults.FailWrites = false;
            await index.WaitDurableAsync(index.Put(Entry("y", 1)));
        }

        using BucketIndex reopened = BucketIndex.Open(dir, Options);
        Assert.Equal(["x", "y"], All(reopened).Select(e => e.GetKeyString()));
    }
}
