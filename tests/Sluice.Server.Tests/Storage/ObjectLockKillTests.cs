using System.Diagnostics;
using System.Globalization;
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
            var acks = new List<(int Step, string Kind, string Id)>();
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Server.FaultHost.dll"));
            psi.ArgumentList.Add("lock-loop");
            psi.ArgumentList.Add(directory);
            psi.ArgumentList.Add(mode);
            void Parse(string text)
            {
                var parts = text.Split(' ');
                if (parts.Length == 4 && parts[0] == "ack") acks.Add((int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[3]));
            }
            using (var child = Process.Start(psi)!)
            {
                var stderr = child.StandardError.ReadToEndAsync();
                int target = 15 + Random.Shared.Next(45);
                var timeout = Task.Delay(TimeSpan.FromMinutes(10)); // a hang guard for a loaded machine, not a timing
                while (acks.Count < target)
                {
                    var line = child.StandardOutput.ReadLineAsync();
                    if (await Task.WhenAny(line, timeout) == timeout || await line is not { } text)
                    {
                        child.Kill();
                        Assert.Fail($"the writer stopped after {acks.Count} acknowledgements: {await stderr}");
                        return;
                    }
                    Parse(text);
                }
                await Task.Delay(Random.Shared.Next(20)); // a random slice of the next step
                child.Kill();
                await child.WaitForExitAsync();
                foreach (string text in (await child.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    Parse(text);
            }

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
