using Sluice.Client.Model;

namespace Sluice.Client.Tests;

/// <summary>
/// S3Client's object lock operations against the embedded server: a bucket created with object lock, its default
/// retention, a version's retention and legal hold set by PutObject's options and by the lock operations, what HEAD
/// reports, and the deletes the server refuses until the GOVERNANCE retention is bypassed.
/// </summary>
public class ObjectLockTests
{
    private static readonly DateTimeOffset Far = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Retention_and_legal_hold_round_trip_and_protect_a_version()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var client = server.CreateClient();
        await client.CreateBucketWithObjectLockAsync("locked");
        var configuration = await client.GetObjectLockConfigurationAsync("locked");
        Assert.Equal(("Enabled", null), (configuration.ObjectLockEnabled, configuration.Mode));
        Assert.Equal("Enabled", (await client.GetBucketVersioningAsync("locked")).Status);
        await client.PutObjectLockConfigurationAsync("locked", "GOVERNANCE", days: 2);
        configuration = await client.GetObjectLockConfigurationAsync("locked");
        Assert.Equal(("GOVERNANCE", 2, (int?)null), (configuration.Mode, configuration.Days, configuration.Years));

        // PutObject's lock options (the client adds the checksum S3 requires with them).
        var put = await client.PutObjectAsync(new PutObjectRequest("locked", "k")
        {
            ObjectLockMode = "COMPLIANCE",
            ObjectLockRetainUntilDate = Far,
            ObjectLockLegalHold = true,
        }, new byte[] { 1, 2, 3 });
        var head = await client.HeadObjectAsync("locked", "k");
        Assert.Equal(("COMPLIANCE", Far, true), (head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHold));
        var retention = await client.GetObjectRetentionAsync("locked", "k", put.VersionId);
        Assert.Equal(("COMPLIANCE", Far), (retention.Mode, retention.RetainUntilDate));
        Assert.True(await client.GetObjectLegalHoldAsync("locked", "k"));
        var denied = await Assert.ThrowsAsync<S3Exception>(() => client.DeleteObjectAsync("locked", "k", put.VersionId));
        Assert.Equal((403, "AccessDenied"), (denied.StatusCode, denied.Code));
        await client.PutObjectLegalHoldAsync("locked", "k", on: false, put.VersionId);
        Assert.False(await client.GetObjectLegalHoldAsync("locked", "k", put.VersionId));
        await Assert.ThrowsAsync<S3Exception>(() => client.DeleteObjectVersionBypassingGovernanceAsync("locked", "k", put.VersionId!));

        // The default retention (GOVERNANCE, two days) on a plain put; shortened only with the bypass.
        var plain = await client.PutObjectAsync(new PutObjectRequest("locked", "g"), new byte[] { 4 });
        Assert.False(await client.GetObjectLegalHoldAsync("locked", "g")); // never set
        head = await client.HeadObjectAsync("locked", "g");
        Assert.Equal("GOVERNANCE", head.ObjectLockMode);
        Assert.True(head.ObjectLockRetainUntilDate > DateTimeOffset.UtcNow.AddDays(1));
        var shorter = DateTimeOffset.UtcNow.AddHours(1);
        var refused = await Assert.ThrowsAsync<S3Exception>(() => client.PutObjectRetentionAsync("locked", "g", "GOVERNANCE", shorter));
        Assert.Equal("AccessDenied", refused.Code);
        await client.PutObjectRetentionAsync("locked", "g", "GOVERNANCE", shorter, plain.VersionId, bypassGovernance: true);
        Assert.Equal(shorter.ToUnixTimeMilliseconds(),
            (await client.GetObjectRetentionAsync("locked", "g")).RetainUntilDate!.Value.ToUnixTimeMilliseconds());
        await Assert.ThrowsAsync<S3Exception>(() => client.DeleteObjectAsync("locked", "g", plain.VersionId));
        await client.DeleteObjectVersionBypassingGovernanceAsync("locked", "g", plain.VersionId!);
        var gone = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync(new GetObjectRequest("locked", "g") { VersionId = plain.VersionId }));
        Assert.Equal(404, gone.StatusCode);

        // A bucket without object lock.
        await client.CreateBucketAsync("plain");
        var none = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectLockConfigurationAsync("plain"));
        Assert.Equal("ObjectLockConfigurationNotFoundError", none.Code);
        var noLock = await Assert.ThrowsAsync<S3Exception>(() => client.PutObjectAsync(
            new PutObjectRequest("plain", "k") { ObjectLockLegalHold = true }, new byte[] { 1 }));
        Assert.Equal((400, "InvalidRequest"), (noLock.StatusCode, noLock.Code));
    }
}
