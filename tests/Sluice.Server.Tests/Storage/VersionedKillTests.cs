using System.Globalization;
using Sluice.S3.Errors;
using Sluice.Server.FaultHost;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

/// <summary>
/// A real crash of versioned writes: a child process runs the disk store with its journaled indexes, versioning
/// enabled, and writes versions, delete markers and removals by id of one key, printing each acknowledged one; SIGKILL
/// at a random moment. Reopened (the unclean start reconciles), the key's history must be exactly the acknowledged one
/// — plus, at most, the operation in flight — every version readable by id byte for byte, and nothing in .tmp.
/// </summary>
public class VersionedKillTests
{
    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Acknowledged_versions_survive_kill_9_and_no_unacknowledged_version_is_listed(string mode)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-vkill-" + Guid.NewGuid().ToString("N"));
        try
        {
            var acks = await AckedKill.RunAsync("versioned-loop", directory, mode, 20, 60);

            // The history the acknowledgements describe, newest first.
            var expected = new List<(string Id, bool Marker)>();
            foreach (var (_, kind, id) in acks)
            {
                if (kind == "removed") expected.RemoveAll(v => v.Id == id);
                else expected.Insert(0, (id, kind == "marker"));
            }

            await using var engine = StorageEngines.Create(mode);
            var store = await ObjectStore.OpenAsync(engine, directory);
            var indexes = new BucketIndexes(store);
            await indexes.OpenAllAsync();
            await using var disk = new DiskStorage(store, indexes);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(directory, ".tmp")));

            var actual = new List<(string Id, bool Marker)>();
            try
            {
                var current = await disk.HeadAsync("crash", "v", null);
                actual.Add((current.VersionId!, false));
            }
            catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey)
            {
            }
            var versions = await disk.GetVersionIndexAsync("crash");
            foreach (var entry in versions.EnumerateEntries()) actual.Add((entry.VersionId!, entry.IsDeleteMarker));
            Assert.Equal(actual.Select(v => v.Id).OrderBy(id => id, StringComparer.Ordinal), actual.Select(v => v.Id)); // newest first

            // Exactly the acknowledged history, or it with the operation in flight applied: one new version or marker on
            // top, or one version removed.
            bool same = actual.SequenceEqual(expected);
            bool oneNew = actual.Count == expected.Count + 1 && actual.Skip(1).SequenceEqual(expected)
                && string.CompareOrdinal(actual[0].Id, expected.FirstOrDefault().Id ?? "~") < 0;
            bool oneRemoved = actual.Count == expected.Count - 1 && expected.Except(actual).Count() == 1 && actual.All(expected.Contains);
            Assert.True(same || oneNew || oneRemoved,
                $"acknowledged: {string.Join(", ", expected)}\nafter the crash: {string.Join(", ", actual)}");

            // Every version there reads back whole by its id, and the current one agrees with the history's top.
            foreach (var (id, marker) in actual.Where(v => !v.Marker))
            {
                await using var reader = await disk.OpenReadAsync("crash", "v", id);
                int step = int.Parse(System.Text.Encoding.ASCII.GetString(reader.Metadata.Attributes.UserMetadata.Single().Value), CultureInfo.InvariantCulture);
                var body = new byte[reader.Length];
                for (int at = 0; at < body.Length;)
                {
                    int n = await reader.ReadAsync(body.AsMemory(at), at);
                    Assert.True(n > 0);
                    at += n;
                }
                Assert.Equal(Program.Body(step), body);
            }
            if (actual.Count > 0 && actual[0].Marker)
            {
                var e = await Assert.ThrowsAsync<S3StorageException>(async () => await disk.HeadAsync("crash", "v", null));
                Assert.Equal(actual[0].Id, e.DeleteMarkerVersionId);
            }
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }
}
