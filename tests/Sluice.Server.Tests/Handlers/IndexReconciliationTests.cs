using System.Text.RegularExpressions;
using Sluice.Server.Handlers;
using Sluice.Server.Service;
using Sluice.Server.Storage;
using Sluice.Server.Tests.Storage;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Start-up reconciliation of the key indexes with the object store. A crash between the store's commit and the
/// index record is reproduced exactly: with the server stopped, the store alone (no index) writes and deletes, and
/// the clean-stop marker is removed as a crash would leave it.
/// </summary>
public class IndexReconciliationTests
{
    private static List<string> ListedKeys(string xml) =>
        Regex.Matches(xml, "<Contents><Key>([^<]*)</Key>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    private static string Marker(string directory) => Path.Combine(directory, ".index", ".clean");

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task After_an_unclean_stop_listings_agree_with_the_store_again(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/rec")).Status);
        foreach (string key in new[] { "keep", "gone", "changed" })
            Assert.Equal(200, (await c.PutObjectAsync("rec", key, [1, 2, 3])).Status);

        byte[] newer = [9, 9, 9, 9, 9];
        await t.RestartAsync(engine, async () =>
        {
            Assert.True(File.Exists(Marker(t.Directory)), "a clean stop leaves the marker");
            await using var io = StorageEngines.Create(engine);
            await using var store = await ObjectStore.OpenAsync(io, t.Directory);
            await store.PutAsync("rec", "added", new byte[] { 7 });        // committed, never indexed
            await store.PutAsync("rec", "changed", newer);                 // a newer version, never indexed
            Assert.True(await store.DeleteAsync("rec", "gone"));           // deleted, never unindexed
            File.Delete(Marker(t.Directory));                              // the crash
        });

        var repair = t.Server.StartupRepair;
        Assert.Equal(new IndexRepair(true, 1, 1, 1), repair);
        Assert.False(File.Exists(Marker(t.Directory)), "the marker is gone while the server runs");
        var list = await t.Client.SendAsync("GET", "/rec", "list-type=2");
        Assert.Equal(["added", "changed", "keep"], ListedKeys(list.Text));
        Assert.Contains("<Size>5</Size>", list.Text);
        Assert.Contains(S3TestClient.Md5ETag(newer).Replace("\"", "&quot;", StringComparison.Ordinal), list.Text);

        // The repair itself is durable and the next clean stop skips the scan.
        await t.RestartAsync(engine);
        Assert.False(t.Server.StartupRepair.Reconciled);
        Assert.Equal(["added", "changed", "keep"], ListedKeys((await t.Client.SendAsync("GET", "/rec", "list-type=2")).Text));
    }

    [Fact]
    public async Task A_clean_restart_does_not_rescan_and_an_intact_index_needs_no_repair()
    {
        await using var t = await TestServer.StartAsync();
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/rec2")).Status);
        Assert.Equal(200, (await t.Client.PutObjectAsync("rec2", "a", [1])).Status);
        await t.RestartAsync();
        Assert.Equal(default, t.Server.StartupRepair);
        // Without the marker (a crash with nothing in flight) the scan runs and finds nothing to change.
        await t.RestartAsync(whileStopped: () => { File.Delete(Marker(t.Directory)); return Task.CompletedTask; });
        Assert.Equal(new IndexRepair(true, 0, 0, 0), t.Server.StartupRepair);
        Assert.Equal(["a"], ListedKeys((await t.Client.SendAsync("GET", "/rec2", "list-type=2")).Text));
    }
}

/// <summary>The partition map and the split hook as the server exposes them.</summary>
public class PartitionMapTests
{
    [Fact]
    public async Task The_map_counts_requests_per_range_and_a_split_divides_the_hot_range()
    {
        await using var t = await TestServer.StartAsync();
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/hot")).Status);
        foreach (string key in new[] { "a", "b", "c", "d" })
            Assert.Equal(200, (await t.Client.PutObjectAsync("hot", key, [1])).Status);
        var map = await t.Server.GetPartitionMapAsync("hot");
        var only = Assert.Single(map);
        Assert.Equal(4, only.KeyCount);
        Assert.Equal(4, only.Writes);

        Assert.True(await t.Server.SplitPartitionAsync("hot", "a"));
        map = await t.Server.GetPartitionMapAsync("hot");
        Assert.Equal(2, map.Count);
        Assert.Equal("c", System.Text.Encoding.UTF8.GetString(map[1].LowKey.Span));
        Assert.Equal([2, 2], map.Select(p => p.KeyCount));
        for (int i = 0; i < 3; i++) Assert.Equal(200, (await t.Client.GetObjectAsync("hot", "d")).Status);
        map = await t.Server.GetPartitionMapAsync("hot");
        Assert.True(map[1].Reads >= 3 && map[0].Reads == 0, $"reads {map[0].Reads}/{map[1].Reads}");
        await Assert.ThrowsAsync<S3StorageException>(async () => await t.Server.GetPartitionMapAsync("nope"));
    }
}
