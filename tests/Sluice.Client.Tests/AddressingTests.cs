using System.Net;
using Sluice.Client.Model;
using Sluice.Server;

namespace Sluice.Client.Tests;

/// <summary>Virtual-hosted-style requests (bucket.localhost) against the embedded server.</summary>
public class AddressingTests
{
    [Fact]
    public async Task Virtual_hosted_style_reaches_the_same_objects()
    {
        await using var server = await ClientTestServer.StartAsync();
        var endpoint = new Uri($"http://localhost:{server.LocalEndPoint.Port}");
        await using var path = new S3Client(server.Options(endpoint) with { ForcePathStyle = true });
        await using var virt = new S3Client(server.Options(endpoint) with { ForcePathStyle = false });
        Assert.False(virt.UsesPathStyle("vhost"));
        await path.CreateBucketAsync("vhost");
        await virt.PutObjectAsync(new PutObjectRequest("vhost", "a/b c"), "hello"u8.ToArray());
        Assert.Equal("hello"u8.ToArray(), await path.GetObjectBytesAsync("vhost", "a/b c"));
        var listed = await virt.ListObjectsV2PageAsync(new ListObjectsRequest("vhost"));
        Assert.Equal("a/b c", Assert.Single(listed.Contents).Key);
    }
}
