using Sluice.Client.Model;

namespace Sluice.Client.Tests;

/// <summary>S3Client's public access block and ownership controls against the embedded server: absent (null), written,
/// read back, in force, deleted.</summary>
public class OwnershipAndPublicAccessTests
{
    [Fact]
    public async Task Public_access_block_round_trips_and_is_enforced()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("pab");
        Assert.Null(await client.GetPublicAccessBlockAsync("pab"));
        var block = new S3PublicAccessBlock(BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false);
        await client.PutPublicAccessBlockAsync("pab", block);
        Assert.Equal(block, await client.GetPublicAccessBlockAsync("pab"));
        var refused = await Assert.ThrowsAsync<S3Exception>(() => client.PutBucketAclAsync("pab", CannedAcl.PublicRead));
        Assert.Equal("AccessDenied", refused.Code);
        await client.DeletePublicAccessBlockAsync("pab");
        Assert.Null(await client.GetPublicAccessBlockAsync("pab"));
        await client.PutBucketAclAsync("pab", CannedAcl.PublicRead);
    }

    [Fact]
    public async Task Ownership_controls_round_trip_and_are_enforced()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("own");
        Assert.Null(await client.GetBucketOwnershipControlsAsync("own"));
        await client.PutBucketOwnershipControlsAsync("own", "BucketOwnerEnforced");
        Assert.Equal("BucketOwnerEnforced", await client.GetBucketOwnershipControlsAsync("own"));
        var refused = await Assert.ThrowsAsync<S3Exception>(() => client.PutBucketAclAsync("own", CannedAcl.PublicRead));
        Assert.Equal("AccessControlListNotSupported", refused.Code);
        await client.PutBucketOwnershipControlsAsync("own", "ObjectWriter");
        Assert.Equal("ObjectWriter", await client.GetBucketOwnershipControlsAsync("own"));
        await client.DeleteBucketOwnershipControlsAsync("own");
        Assert.Null(await client.GetBucketOwnershipControlsAsync("own"));
        await client.PutBucketAclAsync("own", CannedAcl.PublicRead);
    }
}
