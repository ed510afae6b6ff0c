using Sluice.S3.Errors;
using Sluice.Server.FaultHost;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

/// <summary>
/// A real crash while object lock state is written: a child process runs the disk store (journaled indexes,
/// versioning enabled) and writes versions with a GOVERNANCE retention, puts legal holds on versions by id and extends
/// their retention, printing each acknowledged step; SIGKILL at a random moment. Reopened, every acknowledged version
/// is there with its retention, every acknowledged hold and extension is in force (the step in flight may or may not
/// be), and the store refuses to remove any of them (AccessDenied), bypass or not for the held ones.
/// </summary>
public class ObjectLockKillTests
{
    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Acknowledged_retention_and_legal_holds_survive_kill_9(string mode)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-lockkill-" + Guid.NewGuid().ToString("N"));
        try
        {
            var acks = await AckedKill.RunAsync("lock-loop", directory, mode, 15, 45);

            // What the acknowledgements promise, per version: its retention at least until the last acknowledged date,
            // and a legal hold if one was acknowledged.
            var until = new Dictionary<string, DateTimeOffset>();
            var held = new HashSet<string>();
            foreach (var (step, kind, id) in acks)
            {
                if (kind == "put" || kind == "extend") until[id] = Program.RetainUntil(step);
                else if (kind == "hold") held.Add(id);
            }

            await using var engine = StorageEngines.Create(mode);
            var store = await ObjectStore.OpenAsync(engine, directory);
            var indexes = new BucketIndexes(store);
            await indexes.OpenAllAsync();
            await using var disk = new DiskStorage(store, indexes);
            foreach (var (id, atLeast) in until)
            {
                var a = (await disk.HeadAsync("crash", "L", id)).Attributes;
                Assert.Equal("GOVERNANCE", a.LockMode);
                // The step in flight may have extended it further (it is then the only later date); never less.
                Assert.True(a.RetainUntil >= atLeast, $"{id}: retained until {a.RetainUntil}, acknowledged {atLeast}");
                if (held.Contains(id)) Assert.True(a.LegalHold, $"{id}: the acknowledged legal hold is gone");
                var e = await Assert.ThrowsAsync<S3StorageException>(async () =>
                    await disk.DeleteVersionAsync("crash", "L", id, WriteCondition.ObjectLock(bypassGovernance: held.Contains(id))));
                Assert.Equal(S3ErrorCode.AccessDenied, e.Code);
                await using var reader = await disk.OpenReadAsync("crash", "L", id);
                Assert.True(reader.Length >= 0);
            }
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(directory, ".tmp")));
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }
}
