using Sluice.Client.Model;
using Sluice.Client.Tests.Compat;
using Sluice.S3.Xml;

namespace Sluice.Client.Tests;

/// <summary>
/// S3Client's versioning operations: against the embedded server (every bucket answers as never-versioned: no status,
/// each object its "null" version, paged; enabling is refused, never acknowledged) and against the real RADOS
/// Gateway, which versions (enable, two versions and a delete marker listed newest first, suspend).
/// </summary>
public class VersioningTests
{
    [Fact]
    public async Task A_never_versioned_bucket_lists_null_versions_across_pages()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("vers");
        var keys = Enumerable.Range(0, 7).Select(i => $"dir/key {i}+ü").ToList();
        foreach (string k in keys) await client.PutObjectAsync(new PutObjectRequest("vers", k), new byte[] { 1 });
        Assert.Null((await client.GetBucketVersioningAsync("vers")).Status);

        var listed = new List<ListedVersion>();
        int pages = 0;
        await foreach (var page in client.ListObjectVersionsPagesAsync(new ListObjectsRequest("vers") { MaxKeys = 3 }))
        {
            pages++;
            listed.AddRange(page.Versions);
        }
        Assert.Equal(3, pages);
        Assert.Equal(keys.Order(StringComparer.Ordinal), listed.Select(v => v.Key));
        Assert.All(listed, v => Assert.True(v.VersionId == "null" && v.IsLatest && !v.IsDeleteMarker && v.Size == 1));

        // Enabled: a new write of a key stacks a version with an id on the null version.
        await client.PutBucketVersioningAsync("vers", enabled: true);
        Assert.Equal("Enabled", (await client.GetBucketVersioningAsync("vers")).Status);
        await client.PutObjectAsync(new PutObjectRequest("vers", keys[0]), new byte[] { 1, 2 });
        var history = new List<ListedVersion>();
        await foreach (var page in client.ListObjectVersionsPagesAsync(new ListObjectsRequest("vers") { Prefix = keys[0], MaxKeys = 1 }))
            history.AddRange(page.Versions);
        Assert.Equal(2, history.Count);
        Assert.True(history[0].IsLatest && history[0].VersionId.Length == 32 && history[0].Size == 2);
        Assert.True(!history[1].IsLatest && history[1].VersionId == "null");
    }

    [RgwFact]
    public async Task Versions_and_delete_markers_on_a_versioning_server()
    {
        await using var client = new S3Client(RgwEnvironment.Current!.Options());
        string bucket = $"sluice-vers-{Guid.NewGuid():N}"[..30];
        await client.CreateBucketAsync(bucket);
        try
        {
            await client.PutBucketVersioningAsync(bucket, enabled: true);
            Assert.Equal("Enabled", (await client.GetBucketVersioningAsync(bucket)).Status);
            await client.PutObjectAsync(new PutObjectRequest(bucket, "k"), new byte[] { 1 });
            await client.PutObjectAsync(new PutObjectRequest(bucket, "k"), new byte[] { 2, 2 });
            await client.DeleteObjectAsync(bucket, "k");
            var versions = new List<ListedVersion>();
            await foreach (var v in client.ListObjectVersionsAsync(new ListObjectsRequest(bucket))) versions.Add(v);
            Assert.Equal(3, versions.Count);
            Assert.True(versions[0].IsDeleteMarker && versions[0].IsLatest);
            Assert.Equal([2L, 1L], versions.Skip(1).Select(v => v.Size));
            Assert.All(versions, v => Assert.NotEqual("null", v.VersionId));
            await client.PutBucketVersioningAsync(bucket, enabled: false);
            Assert.Equal("Suspended", (await client.GetBucketVersioningAsync(bucket)).Status);
            foreach (var v in versions) await client.DeleteObjectAsync(bucket, v.Key, v.VersionId);
        }
        finally
        {
            await client.DeleteBucketAsync(bucket);
        }
    }
}
