using System.Globalization;
using Sluice.Server.FaultHost;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

public class KillTests
{
    /// <summary>
    /// A real crash: a child process writes objects in a loop and prints each acknowledged pair; SIGKILL at a random
    /// moment, then a new store on the directory must hold every acknowledged object byte-exact, "same" at the last
    /// acknowledged version or the one after it (in flight when killed), nothing half-written, and no temp files.
    /// </summary>
    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Acknowledged_writes_survive_kill_9_and_nothing_partial_is_visible(string mode)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-kill-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Killed after a random number of acknowledgements plus a random slice of the next write.
            int lastAck = AckedKill.LastAck(await AckedKill.RunLinesAsync("put-loop", directory, mode, 21, 60));

            await using var engine = StorageEngines.Create(mode);
            await using var store = await ObjectStore.OpenAsync(engine, directory);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(directory, ".tmp")));
            for (int i = 0; i <= lastAck; i++)
                Assert.Equal(Program.Body(i), await StoreFixture.ReadAllAsync(store, "crash", "k-" + i));
            var same = await store.HeadAsync("crash", "same");
            int version = int.Parse(System.Text.Encoding.ASCII.GetString(same.Attributes.UserMetadata.Single().Value), CultureInfo.InvariantCulture);
            Assert.InRange(version, lastAck, lastAck + 1);
            Assert.Equal(Program.Body(version), await StoreFixture.ReadAllAsync(store, "crash", "same"));
            // Every visible object is whole: its bytes hash to its ETag, and at most one unacknowledged key exists.
            int extra = 0;
            await foreach (var o in store.EnumerateObjectsAsync("crash"))
            {
                byte[] body = await StoreFixture.ReadAllAsync(store, "crash", o.Key);
                Assert.Equal(o.Metadata.ETag, StorageAssert.Md5ETag(body));
                if (o.Key != "same" && int.Parse(o.Key.AsSpan(2), CultureInfo.InvariantCulture) > lastAck)
                {
                    extra++;
                    Assert.Equal(Program.Body(lastAck + 1), body);
                }
            }
            Assert.InRange(extra, 0, 1);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }
}
