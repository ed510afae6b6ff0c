using System.Diagnostics;
using System.Globalization;
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
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Server.FaultHost.dll"));
            psi.ArgumentList.Add("split-loop");
            psi.ArgumentList.Add(directory);
            psi.ArgumentList.Add(mode);
            var lines = new List<string>();
            int lastAck = -1;
            using (var child = Process.Start(psi)!)
            {
                var stderr = child.StandardError.ReadToEndAsync();
                int target = 40 + Random.Shared.Next(80);
                var timeout = Task.Delay(TimeSpan.FromMinutes(10)); // a hang guard for a loaded machine
                while (lastAck < target)
                {
                    var line = child.StandardOutput.ReadLineAsync();
                    if (await Task.WhenAny(line, timeout) == timeout || await line is not { } text)
                    {
                        child.Kill();
                        Assert.Fail($"the writer stopped after ack {lastAck}: {await stderr}");
                        return;
                    }
                    lines.Add(text);
                    if (text.StartsWith("ack ", StringComparison.Ordinal)) lastAck = int.Parse(text.AsSpan(4), CultureInfo.InvariantCulture);
                }
                await Task.Delay(Random.Shared.Next(20)); // a random slice of the next step
                child.Kill(); // SIGKILL on Unix
                await child.WaitForExitAsync();
                foreach (string text in (await child.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    lines.Add(text);
                    if (text.StartsWith("ack ", StringComparison.Ordinal)) lastAck = int.Parse(text.AsSpan(4), CultureInfo.InvariantCulture);
                }
            }

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
