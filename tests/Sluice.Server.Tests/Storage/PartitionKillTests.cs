using System.Text;
using Sluice.Server.FaultHost;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

public class PartitionKillTests
{
    /// <summary>
    /// A real crash in the middle of partition splits and merges: the child writes keys and changes the partition map
    /// between writes (journaled split and merge records among the put records); SIGKILL at a random moment. After a
    /// restart every acknowledged key is there and listed, the map covers the key space, and every split or merge
    /// printed before the last acknowledged put (so journaled before it, durable with it) is in the map.
    /// </summary>
    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Splits_and_merges_survive_kill_9_and_lose_no_acknowledged_key(string mode)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-split-kill-" + Guid.NewGuid().ToString("N"));
        try
        {
            var lines = await AckedKill.RunLinesAsync("split-loop", directory, mode, 41, 80);
            int lastAck = AckedKill.LastAck(lines);

            // The map as of the last ack: every change printed before it was journaled before that put's record.
            int lastAckLine = lines.FindLastIndex(l => l.StartsWith("ack ", StringComparison.Ordinal));
            var expected = new SortedSet<string>(StringComparer.Ordinal);
            int changes = 0;
            for (int i = 0; i < lastAckLine; i++)
            {
                if (lines[i].StartsWith("split ", StringComparison.Ordinal)) { expected.Add(lines[i][6..]); changes++; }
                else if (lines[i].StartsWith("merge ", StringComparison.Ordinal)) { expected.Remove(lines[i][6..]); changes++; }
            }
            Assert.True(changes > 5, $"only {changes} map changes before the kill");
            // Changes after it may or may not have reached the disk.
            var maybe = lines.Skip(lastAckLine + 1).Where(l => !l.StartsWith("ack ", StringComparison.Ordinal)).Select(l => l[6..]).ToHashSet();

            await using var engine = StorageEngines.Create(mode);
            var store = await ObjectStore.OpenAsync(engine, directory);
            var indexes = new BucketIndexes(store);
            await indexes.OpenAllAsync();
            await using var disk = new DiskStorage(store, indexes);
            BucketIndex index = await disk.GetKeyIndexAsync("crash");
            for (int i = 0; i <= lastAck; i++)
            {
                Assert.True(index.TryGet(Encoding.UTF8.GetBytes(Program.SplitLoopKey(i)), out _), $"acknowledged key {i} is missing");
                var head = await disk.HeadAsync("crash", Program.SplitLoopKey(i));
                Assert.Equal(Math.Min(1024, Program.Body(i).Length), head.Size);
            }
            var listed = index.EnumerateEntries().Select(e => Encoding.UTF8.GetString(e.Key)).ToList();
            Assert.Equal(Enumerable.Range(0, lastAck + 1).Select(Program.SplitLoopKey), listed.Take(lastAck + 1));
            Assert.InRange(listed.Count, lastAck + 1, lastAck + 2); // at most the put in flight

            var map = index.GetPartitionMap();
            Index.PartitionTests.AssertCovering(map, index.Count);
            var boundaries = map.Skip(1).Select(p => Encoding.UTF8.GetString(p.LowKey.Span)).ToHashSet();
            foreach (string b in expected) Assert.True(boundaries.Contains(b) || maybe.Contains(b), $"split at {b} was lost");
            foreach (string b in boundaries) Assert.True(expected.Contains(b) || maybe.Contains(b), $"boundary {b} was never split there, or was merged away");
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }
}
