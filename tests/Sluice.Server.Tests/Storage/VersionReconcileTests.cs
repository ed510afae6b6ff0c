using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Errors;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

/// <summary>
/// The states a kill -9 can leave between the steps of a versioned write or delete, built on disk exactly (a kill at
/// a random moment rarely lands in those windows): reopened without a clean stop, the store reconciles DIR/&lt;bucket&gt;/
/// .versions before rebuilding its indexes, so the key's history is one a finished or an unstarted operation gives.
/// </summary>
public class VersionReconcileTests
{
    private static readonly byte[] Enabled = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"u8.ToArray();

    private sealed class Opened : IAsyncDisposable
    {
        public required Sluice.IO.IoEngine Engine { get; init; }
        public required DiskStorage Disk { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Disk.CloseAsync(cleanStop: false); // as a crash leaves it: the next open reconciles
            await Engine.DisposeAsync();
        }
    }

    private static async Task<Opened> OpenAsync(string mode, string directory)
    {
        var engine = StorageEngines.Create(mode);
        var store = await ObjectStore.OpenAsync(engine, directory);
        var indexes = new BucketIndexes(store);
        await indexes.OpenAllAsync();
        return new Opened { Engine = engine, Disk = new DiskStorage(store, indexes) };
    }

    private static async Task<string> PutAsync(DiskStorage disk, string body)
    {
        await using var writer = await disk.BeginPutAsync("rec", "k", Sluice.S3.Checksums.ChecksumAlgorithm.None);
        await writer.WriteAsync(Encoding.ASCII.GetBytes(body));
        return (await writer.CommitAsync(ObjectAttributes.Empty, null, null, null)).VersionId!;
    }

    private static async Task<List<(string Id, bool Marker)>> HistoryAsync(DiskStorage disk)
    {
        var history = new List<(string, bool)>();
        try
        {
            history.Add(((await disk.HeadAsync("rec", "k", null)).VersionId!, false));
        }
        catch (S3StorageException e) when (e.Code == S3ErrorCode.NoSuchKey)
        {
        }
        foreach (var entry in (await disk.GetVersionIndexAsync("rec")).EnumerateEntries()) history.Add((entry.VersionId!, entry.IsDeleteMarker));
        return history;
    }

    private static string KeyFile(string directory)
    {
        string name = Convert.ToHexStringLower(SHA256.HashData("k"u8));
        return Path.Combine(directory, "rec", name[..2], name[2..4], name);
    }

    private static string VersionFile(string directory, string id) =>
        Path.Combine(directory, "rec", ".versions", Path.GetFileName(KeyFile(directory)), id);

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Interrupted_writes_deletes_and_promotions_reconcile_to_a_whole_history(string mode)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-vrec-" + Guid.NewGuid().ToString("N"));
        try
        {
            string v1, v2;
            await using (var o = await OpenAsync(mode, directory))
            {
                await o.Disk.CreateBucketAsync("rec");
                await o.Disk.SetBucketSettingAsync("rec", BucketSetting.Versioning, Enabled);
                v1 = await PutAsync(o.Disk, "one");
                v2 = await PutAsync(o.Disk, "two");
            }

            // 1. A write linked the current version down, then died before its rename: the link is a duplicate.
            File.Copy(KeyFile(directory), VersionFile(directory, v2));
            await using (var o = await OpenAsync(mode, directory))
            {
                Assert.Equal([(v2, false), (v1, false)], await HistoryAsync(o.Disk));
                Assert.False(File.Exists(VersionFile(directory, v2)));
            }

            // 2. A delete linked the current version down and unlinked it, then died before its marker went in: the
            //    key gets its version back (the delete never happened).
            File.Copy(KeyFile(directory), VersionFile(directory, v2));
            File.Delete(KeyFile(directory));
            await using (var o = await OpenAsync(mode, directory))
            {
                Assert.Equal([(v2, false), (v1, false)], await HistoryAsync(o.Disk));
                await using var reader = await o.Disk.OpenReadAsync("rec", "k", null);
                Assert.Equal(3, reader.Length);
            }

            // 3. A delete by id of the current version unlinked it, then died before promoting the next: promoted now.
            await using (var o = await OpenAsync(mode, directory))
            {
                Assert.True((await o.Disk.DeleteVersionAsync("rec", "k", null, null)).DeleteMarker); // a marker on top
            }
            string marker;
            await using (var o = await OpenAsync(mode, directory))
            {
                var history = await HistoryAsync(o.Disk);
                Assert.Equal(3, history.Count);
                Assert.True(history[0].Marker);
                marker = history[0].Id;
            }
            File.Delete(VersionFile(directory, marker)); // the marker removed by id, the promotion of v2 not reached
            await using (var o = await OpenAsync(mode, directory))
            {
                Assert.Equal([(v2, false), (v1, false)], await HistoryAsync(o.Disk));
                Assert.Equal(v2, (await o.Disk.HeadAsync("rec", "k", null)).VersionId);
            }
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }
}
