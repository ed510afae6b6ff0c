using System.Text;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Lifecycle rules on versions (memory store, which keeps them): NoncurrentVersionExpiration removes versions that
/// have been noncurrent for NoncurrentDays beyond the NewerNoncurrentVersions kept, and ExpiredObjectDeleteMarker removes
/// a delete marker with nothing behind it; current versions and markers that still hide versions stay.
/// </summary>
public class VersionLifecycleTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("inprocess/memory")]
    [InlineData("uring/memory")]
    [InlineData("inprocess")]
    [InlineData("uring")]
    public async Task Noncurrent_versions_and_expired_delete_markers_are_removed_by_the_rules(string front)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var t = await TestServer.StartAsync(front, lifecycleClock: clock);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/vlife")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/vlife", "versioning", B("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"))).Status);
        var ids = new List<string>();
        for (int i = 0; i < 4; i++) ids.Add((await c.PutObjectAsync("vlife", "logs/k", B("v" + i))).Header("x-amz-version-id")!);
        Assert.Equal(200, (await c.PutObjectAsync("vlife", "logs/gone", B("x"))).Status);
        string goneVersion = (await c.SendAsync("HEAD", "/vlife/logs/gone")).Header("x-amz-version-id")!;
        Assert.Equal(204, (await c.SendAsync("DELETE", "/vlife/logs/gone")).Status); // a marker over one version
        Assert.Equal(200, (await c.PutObjectAsync("vlife", "other/k", B("a"))).Status);
        Assert.Equal(200, (await c.PutObjectAsync("vlife", "other/k", B("b"))).Status);

        var rules = B("<LifecycleConfiguration><Rule><ID>keep-one</ID><Filter><Prefix>logs/k</Prefix></Filter><Status>Enabled</Status>" +
            "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>" +
            "</Rule><Rule><ID>markers</ID><Filter><Prefix>logs/gone</Prefix></Filter><Status>Enabled</Status>" +
            "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>" +
            "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>");
        var put = await c.SendAsync("PUT", "/vlife", "lifecycle", rules, [("Content-MD5", S3TestClient.Md5Base64(rules))]);
        Assert.True(put.Status == 200, put.Text);

        // Not a day noncurrent yet: nothing goes.
        var report = await t.Server.Lifecycle.RunOnceAsync();
        Assert.Equal(0, report.NoncurrentExpired);
        Assert.Equal(0, report.DeleteMarkersRemoved);

        // Three days on: of logs/k's three noncurrent versions the newest is kept, the two older go; logs/gone's
        // version goes (its marker still hid it when the pass judged it), and other/ is no rule's.
        clock.Now = clock.Now.AddDays(3);
        report = await t.Server.Lifecycle.RunOnceAsync();
        Assert.Equal(3, report.NoncurrentExpired); // logs/k v0, v1 and logs/gone's only version
        var listed = ObjectVersioningTests.Listed((await c.SendAsync("GET", "/vlife", "versions")).Text);
        Assert.Equal([("Version", "logs/k", ids[3], true), ("Version", "logs/k", ids[2], false)], listed.Where(v => v.Key == "logs/k"));
        Assert.DoesNotContain(listed, v => v.Id == goneVersion);
        Assert.Equal(2, listed.Count(v => v.Key == "other/k"));

        // logs/gone's marker now has nothing behind it: the next pass removes it.
        report = await t.Server.Lifecycle.RunOnceAsync();
        Assert.Equal(1, report.DeleteMarkersRemoved);
        Assert.DoesNotContain(ObjectVersioningTests.Listed((await c.SendAsync("GET", "/vlife", "versions")).Text), v => v.Key == "logs/gone");
        Assert.Equal("v3", (await c.GetObjectAsync("vlife", "logs/k")).Text);
    }
}
