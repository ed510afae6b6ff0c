using Sluice.Client.Model;

namespace Sluice.Client.Tests;

/// <summary>S3Client's tagging operations against the embedded server: object and bucket tag sets written, read back
/// in order, replaced and deleted; an invalid set refused before any request; a missing object is NoSuchKey.</summary>
public class TaggingTests
{
    [Fact]
    public async Task Object_and_bucket_tags_round_trip()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("tagged");
        await client.PutObjectAsync(new PutObjectRequest("tagged", "k"), new byte[] { 1, 2, 3 });
        Assert.Empty(await client.GetObjectTaggingAsync("tagged", "k"));

        KeyValuePair<string, string>[] tags = [new("team", "storage"), new("cost center", "4 2"), new("empty", "")];
        await client.PutObjectTaggingAsync("tagged", "k", tags);
        Assert.Equal(tags, await client.GetObjectTaggingAsync("tagged", "k"));
        await client.PutObjectTaggingAsync("tagged", "k", [new("only", "one")]);
        Assert.Equal([new KeyValuePair<string, string>("only", "one")], await client.GetObjectTaggingAsync("tagged", "k"));
        await client.DeleteObjectTaggingAsync("tagged", "k");
        Assert.Empty(await client.GetObjectTaggingAsync("tagged", "k"));

        var tooMany = Enumerable.Range(0, 11).Select(i => new KeyValuePair<string, string>($"k{i}", "v"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PutObjectTaggingAsync("tagged", "k", tooMany));
        var missing = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectTaggingAsync("tagged", "absent"));
        Assert.Equal("NoSuchKey", missing.Code);

        Assert.Empty(await client.GetBucketTaggingAsync("tagged"));
        await client.PutBucketTaggingAsync("tagged", [new("owner", "ci"), new("env", "test")]);
        Assert.Equal([new KeyValuePair<string, string>("owner", "ci"), new("env", "test")], await client.GetBucketTaggingAsync("tagged"));
        await client.DeleteBucketTaggingAsync("tagged");
        Assert.Empty(await client.GetBucketTaggingAsync("tagged"));
    }
}
