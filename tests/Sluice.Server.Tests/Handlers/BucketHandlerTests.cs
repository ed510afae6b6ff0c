namespace Sluice.Server.Tests.Handlers;

/// <summary>Bucket operations, authentication refusals and unimplemented features through the real server.</summary>
public class BucketHandlerTests
{
    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Bucket_lifecycle_answers_as_S3_does(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/alpha")).Status);
        // The owner creating its bucket again: us-east-1's legacy 200 (other regions: BucketAlreadyOwnedByYou, AccessControlTests).
        var again = await c.SendAsync("PUT", "/alpha");
        Assert.Equal(200, again.Status);
        Assert.Equal(200, (await c.SendAsync("HEAD", "/alpha")).Status);
        var missing = await c.SendAsync("HEAD", "/nope");
        Assert.Equal(404, missing.Status);
        Assert.Empty(missing.Body);

        var list = await c.SendAsync("GET", "/");
        Assert.Equal(200, list.Status);
        Assert.Contains("<Name>alpha</Name>", list.Text);
        Assert.StartsWith("<?xml", list.Text);

        var location = await c.SendAsync("GET", "/alpha", "location");
        Assert.Equal(200, location.Status);
        Assert.Contains("LocationConstraint", location.Text);

        Assert.Equal(200, (await c.PutObjectAsync("alpha", "k", [1, 2, 3])).Status);
        var notEmpty = await c.SendAsync("DELETE", "/alpha");
        Assert.Equal(409, notEmpty.Status);
        Assert.Equal("BucketNotEmpty", notEmpty.ErrorCode);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/alpha/k")).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/alpha")).Status);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/alpha")).Status);
        var gone = await c.SendAsync("GET", "/alpha", "list-type=2");
        Assert.Equal("NoSuchBucket", gone.ErrorCode);
    }

    [Fact]
    public async Task Create_bucket_takes_a_configuration_body_and_refuses_bad_xml_and_names()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        var config = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>"u8.ToArray();
        Assert.Equal(200, (await c.SendAsync("PUT", "/configured", body: config)).Status);
        var other = "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"u8.ToArray();
        Assert.Equal("InvalidLocationConstraint", (await c.SendAsync("PUT", "/elsewhere", body: other)).ErrorCode);
        Assert.Equal("MalformedXML", (await c.SendAsync("PUT", "/broken", body: "<nope"u8.ToArray())).ErrorCode);
        Assert.Equal("InvalidBucketName", (await c.SendAsync("PUT", "/Bad_Name")).ErrorCode);
    }

    [Fact]
    public async Task Unsigned_forged_and_unknown_key_requests_are_refused()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        var anonymous = await c.SendAsync("GET", "/", sign: false);
        Assert.Equal(403, anonymous.Status);
        Assert.Equal("AccessDenied", anonymous.ErrorCode);
        var forged = await c.SendAsync("GET", "/", secret: "wrong");
        Assert.Equal(403, forged.Status);
        Assert.Equal("SignatureDoesNotMatch", forged.ErrorCode);
        var unknown = await c.SendAsync("GET", "/", accessKey: "AKIDUNKNOWN");
        Assert.Equal(403, unknown.Status);
        Assert.Equal("InvalidAccessKeyId", unknown.ErrorCode);
    }

    [Fact]
    public async Task Unsigned_requests_have_full_access_only_with_the_development_flag()
    {
        await using var t = await TestServer.StartAsync(anonymous: true); // AnonymousFullAccess
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/open", sign: false)).Status);
        Assert.Equal(200, (await t.Client.SendAsync("GET", "/", sign: false)).Status);
        // What the unsigned request created belongs to the first user, who sees it as its own.
        var list = await t.Client.SendAsync("GET", "/");
        Assert.Contains("<Name>open</Name>", list.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unimplemented_subresources_answer_501_NotImplemented()
    {
        await using var t = await TestServer.StartAsync();
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/bkt")).Status);
        var website = await t.Client.SendAsync("GET", "/bkt", "website");
        Assert.Equal(501, website.Status);
        Assert.Equal("NotImplemented", website.ErrorCode);
        var logging = await t.Client.SendAsync("GET", "/bkt", "logging");
        Assert.Equal(501, logging.Status);
    }
}
