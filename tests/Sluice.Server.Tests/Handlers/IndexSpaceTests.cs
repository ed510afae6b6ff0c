using System.Text;
using System.Text.RegularExpressions;
using Sluice.Server.Storage;
using Sluice.Server.Tests.Storage;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// A bucket whose key index lives on a file system that fills up (a 64 KiB tmpfs over DIR/.index/&lt;bucket&gt;): a
/// write that cannot be journaled changes nothing anyone can see, the bucket takes writes again when space returns,
/// and a start while it is full serves reads and refuses writes with a clear error until it can write.
/// </summary>
public class IndexSpaceTests
{
    private const string Filler = "filler";

    private static List<string> Listed(S3Response list) =>
        Regex.Matches(list.Text, "<Contents><Key>([^<]*)</Key>").Select(m => m.Groups[1].Value).ToList();

    private static async Task<List<string>> ListAsync(TestServer t, string bucket) =>
        Listed(await t.Client.SendAsync("GET", "/" + bucket, "list-type=2"));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [TmpfsFact]
    public async Task A_write_the_full_index_cannot_journal_changes_nothing_and_the_bucket_heals_when_space_returns()
    {
        await using var t = await TestServer.StartAsync();
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/full")).Status);
        var expected = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(200, (await t.Client.PutObjectAsync("full", $"keep-{i:D2}", Bytes("old"))).Status);
            expected.Add($"keep-{i:D2}");
        }
        Tmpfs? tmpfs = null;
        try
        {
            await t.RestartAsync(whileStopped: () =>
            {
                tmpfs = Tmpfs.MountOver(Path.Join(t.Directory, ".index", "full"), "64k");
                return Task.CompletedTask;
            });
            tmpfs!.Fill(Filler);

            // Overwrites until the journal's last page is used up: the first one it cannot hold fails and the key
            // keeps the last version that succeeded.
            string current = "old";
            S3Response? failed = null;
            for (int i = 0; i < 1000 && failed == null; i++)
            {
                var put = await t.Client.PutObjectAsync("full", "keep-00", Bytes($"v{i:D4}"));
                if (put.Status == 200) current = $"v{i:D4}";
                else failed = put;
            }
            Assert.NotNull(failed);
            Assert.True(failed.Status is 500 or 503, $"status {failed.Status}: {failed.Text}");
            Assert.Contains("key index", failed.Text, StringComparison.Ordinal);
            Assert.Equal(current, (await t.Client.GetObjectAsync("full", "keep-00")).Text);
            Assert.Equal(expected, await ListAsync(t, "full"));

            // A new key (a longer record than the one that did not fit) is neither readable nor listed.
            string added = "a-new-key-whose-record-is-longer-than-the-overwrite";
            Assert.True((await t.Client.PutObjectAsync("full", added, Bytes("x"))).Status is 500 or 503);
            Assert.Equal(404, (await t.Client.SendAsync("HEAD", "/full/" + added)).Status);
            Assert.Equal(expected, await ListAsync(t, "full"));

            // The same for a copy and for a completed multipart upload, which stays open to complete again later.
            string copied = "a-copied-key-whose-record-is-longer-than-the-overwrite";
            Assert.True((await t.Client.SendAsync("PUT", "/full/" + copied, headers: [("x-amz-copy-source", "/full/keep-00")])).Status is 500 or 503);
            Assert.Equal(404, (await t.Client.SendAsync("HEAD", "/full/" + copied)).Status);
            string completed = "a-completed-key-whose-record-is-longer-than-the-overwrite";
            string uploadId = Uri.EscapeDataString(Regex.Match((await t.Client.SendAsync("POST", "/full/" + completed, "uploads")).Text,
                "<UploadId>([^<]*)</UploadId>").Groups[1].Value);
            string partETag = (await t.Client.SendAsync("PUT", "/full/" + completed, $"partNumber=1&uploadId={uploadId}", Bytes("part"))).Header("ETag")!;
            byte[] completeXml = Bytes($"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{System.Security.SecurityElement.Escape(partETag)}</ETag></Part></CompleteMultipartUpload>");
            Assert.True((await t.Client.SendAsync("POST", "/full/" + completed, "uploadId=" + uploadId, completeXml)).Status is 500 or 503);
            Assert.Equal(404, (await t.Client.SendAsync("HEAD", "/full/" + completed)).Status);
            Assert.Equal(expected, await ListAsync(t, "full"));

            // Deletes (shorter records) until one no longer fits: that object stays, readable and listed.
            string? kept = null;
            for (int i = 19; i > 0 && kept == null; i--)
            {
                var delete = await t.Client.SendAsync("DELETE", $"/full/keep-{i:D2}");
                if (delete.Status == 204) expected.Remove($"keep-{i:D2}");
                else
                {
                    Assert.True(delete.Status is 500 or 503, $"status {delete.Status}: {delete.Text}");
                    kept = $"keep-{i:D2}";
                }
            }
            Assert.NotNull(kept);
            Assert.Equal(200, (await t.Client.SendAsync("HEAD", "/full/" + kept)).Status);
            Assert.Equal(expected, await ListAsync(t, "full"));

            // Space returns: writes work again at once, no restart.
            tmpfs.Free(Filler);
            Assert.Equal(200, (await t.Client.PutObjectAsync("full", "keep-00", Bytes("newer"))).Status);
            Assert.Equal("newer", (await t.Client.GetObjectAsync("full", "keep-00")).Text);
            Assert.Equal(204, (await t.Client.SendAsync("DELETE", "/full/" + kept)).Status);
            Assert.Equal(404, (await t.Client.SendAsync("HEAD", "/full/" + kept)).Status);
            Assert.Equal(200, (await t.Client.PutObjectAsync("full", added, Bytes("y"))).Status);
            Assert.Equal(200, (await t.Client.SendAsync("PUT", "/full/" + copied, headers: [("x-amz-copy-source", "/full/keep-00")])).Status);
            Assert.Equal(200, (await t.Client.SendAsync("POST", "/full/" + completed, "uploadId=" + uploadId, completeXml)).Status);
            Assert.Equal("part", (await t.Client.GetObjectAsync("full", completed)).Text);
            expected.Remove(kept);
            expected.AddRange([added, copied, completed]);
            expected.Sort(StringComparer.Ordinal);
            Assert.Equal(expected, await ListAsync(t, "full"));

            await t.RestartAsync();
            Assert.False(t.Server.StartupRepair.Reconciled);
            Assert.Equal(expected, await ListAsync(t, "full"));
            Assert.Equal("newer", (await t.Client.GetObjectAsync("full", "keep-00")).Text);
        }
        finally
        {
            tmpfs?.Dispose();
        }
    }

    [TmpfsFact]
    public async Task A_start_with_a_full_index_serves_reads_and_refuses_writes_until_space_returns()
    {
        await using var t = await TestServer.StartAsync();
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/rdo")).Status);
        Assert.Equal(200, (await t.Client.PutObjectAsync("rdo", "a", Bytes("a"))).Status);
        Tmpfs? tmpfs = null;
        try
        {
            // A crash left objects the index lacks (more records than the journal's last page holds), and the
            // index's file system is full: the start's reconciliation cannot be journaled.
            await t.RestartAsync(whileStopped: async () =>
            {
                tmpfs = Tmpfs.MountOver(Path.Join(t.Directory, ".index", "rdo"), "64k");
                tmpfs.Fill(Filler);
                await using var io = StorageEngines.Create("managed");
                await using var store = await ObjectStore.OpenAsync(io, t.Directory);
                for (int i = 0; i < 100; i++) await store.PutAsync("rdo", $"b{i:D3}", Bytes("b"));
                File.Delete(Path.Join(t.Directory, ".index", ".clean"));
            });
            Assert.Equal(100, t.Server.StartupRepair.Added);
            Assert.Equal("rdo", Assert.Single(t.Server.ReadOnlyBuckets).Bucket);
            var listed = new List<string> { "a" };
            listed.AddRange(Enumerable.Range(0, 100).Select(i => $"b{i:D3}"));
            Assert.Equal(listed, await ListAsync(t, "rdo"));
            Assert.Equal("b", (await t.Client.GetObjectAsync("rdo", "b042")).Text);

            var refused = await t.Client.PutObjectAsync("rdo", "c", Bytes("c"));
            Assert.Equal(503, refused.Status);
            Assert.Equal("ServiceUnavailable", refused.ErrorCode);
            Assert.Contains("read-only", refused.Text, StringComparison.Ordinal);
            Assert.Equal(404, (await t.Client.SendAsync("HEAD", "/rdo/c")).Status);
            Assert.Equal(503, (await t.Client.SendAsync("DELETE", "/rdo/a")).Status);
            Assert.Equal(200, (await t.Client.SendAsync("HEAD", "/rdo/a")).Status);

            tmpfs!.Free(Filler);
            Assert.Equal(200, (await t.Client.PutObjectAsync("rdo", "c", Bytes("c"))).Status);
            Assert.Empty(t.Server.ReadOnlyBuckets);
            await t.RestartAsync();
            Assert.False(t.Server.StartupRepair.Reconciled);
            listed.Add("c");
            Assert.Equal(listed, await ListAsync(t, "rdo"));
        }
        finally
        {
            tmpfs?.Dispose();
        }
    }
}
