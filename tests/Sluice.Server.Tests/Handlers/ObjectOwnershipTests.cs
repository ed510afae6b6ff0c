using System.Text;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Object ownership over real HTTP on every front and both stores: Get/Put/DeleteBucketOwnershipControls, CreateBucket's
/// x-amz-object-ownership, BucketOwnerEnforced (ACLs disabled: the bucket owner owns every object, ACLs neither set
/// nor judged) and BucketOwnerPreferred (bucket-owner-full-control hands the object to the bucket owner).
/// </summary>
public sealed class ObjectOwnershipTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static void Denied(S3Response r) => Assert.True(r.Status == 403 && r.ErrorCode == "AccessDenied", $"{r.Status} {r.Text}");

    private static void NoAcls(S3Response r) =>
        Assert.True(r.Status == 400 && r.ErrorCode == "AccessControlListNotSupported", $"{r.Status} {r.Text}");

    private static Task<S3Response> PutOwnershipAsync(S3TestClient c, string bucket, string ownership) =>
        PutOwnershipXmlAsync(c, bucket, $"<OwnershipControls xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ObjectOwnership>{ownership}</ObjectOwnership></Rule></OwnershipControls>");

    private static Task<S3Response> PutOwnershipXmlAsync(S3TestClient c, string bucket, string xml)
    {
        byte[] body = B(xml);
        return c.SendAsync("PUT", "/" + bucket, "ownershipControls", body, headers: [("Content-MD5", S3TestClient.Md5Base64(body))]);
    }

    private static string AltId => TestServer.TwoUsers[1].CanonicalId;

    private static string MainId => TestServer.TwoUsers[0].CanonicalId;

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Ownership_controls_are_stored_answered_and_deleted(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        using var alt = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Equal(200, (await main.SendAsync("PUT", "/own")).Status);
        var none = await main.SendAsync("GET", "/own", "ownershipControls");
        Assert.True(none.Status == 404 && none.ErrorCode == "OwnershipControlsNotFoundError", none.Text);

        foreach (string value in new[] { "BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced" })
        {
            Assert.Equal(200, (await PutOwnershipAsync(main, "own", value)).Status);
            var got = await main.SendAsync("GET", "/own", "ownershipControls");
            Assert.Equal(200, got.Status);
            Assert.Contains($"<ObjectOwnership>{value}</ObjectOwnership>", got.Text, StringComparison.Ordinal);
        }
        foreach (string bad in new[]
        {
            "<OwnershipControls><Rule><ObjectOwnership>Nobody</ObjectOwnership></Rule></OwnershipControls>",
            "<OwnershipControls></OwnershipControls>",
            "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>",
            "nonsense",
        })
        {
            var r = await PutOwnershipXmlAsync(main, "own", bad);
            Assert.True(r.Status == 400 && r.ErrorCode == "MalformedXML", $"{bad}: {r.Status} {r.Text}");
        }
        Assert.Contains("BucketOwnerEnforced", (await main.SendAsync("GET", "/own", "ownershipControls")).Text, StringComparison.Ordinal);
        Denied(await alt.SendAsync("GET", "/own", "ownershipControls"));
        Denied(await PutOwnershipAsync(alt, "own", "ObjectWriter"));
        Denied(await alt.SendAsync("DELETE", "/own", "ownershipControls"));

        Assert.Equal(204, (await main.SendAsync("DELETE", "/own", "ownershipControls")).Status);
        Assert.Equal("OwnershipControlsNotFoundError", (await main.SendAsync("GET", "/own", "ownershipControls")).ErrorCode);

        // CreateBucket's header sets them.
        Assert.Equal(200, (await main.SendAsync("PUT", "/own2", headers: [("x-amz-object-ownership", "BucketOwnerPreferred")])).Status);
        Assert.Contains("<ObjectOwnership>BucketOwnerPreferred</ObjectOwnership>",
            (await main.SendAsync("GET", "/own2", "ownershipControls")).Text, StringComparison.Ordinal);
        // ACLs cannot be disabled while the bucket's ACL grants others.
        Assert.Equal(200, (await main.SendAsync("PUT", "/own2", "acl", headers: [("x-amz-acl", "public-read")])).Status);
        var refused = await PutOwnershipAsync(main, "own2", "BucketOwnerEnforced");
        Assert.True(refused.Status == 400 && refused.ErrorCode == "InvalidBucketAclWithObjectOwnership", refused.Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task BucketOwnerEnforced_disables_acls_and_gives_the_bucket_owner_every_object(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        using var alt = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Equal(200, (await main.SendAsync("PUT", "/enf", headers: [("x-amz-acl", "public-read-write")])).Status);
        Assert.Equal(200, (await main.PutObjectAsync("enf", "pub", B("p"), ("x-amz-acl", "public-read"))).Status);
        Assert.Equal(200, (await alt.PutObjectAsync("enf", "alts", B("a"))).Status); // alt's own object (ObjectWriter)
        Denied(await main.GetObjectAsync("enf", "alts"));
        Assert.Equal(200, (await main.SendAsync("PUT", "/enf", "acl", headers: [("x-amz-acl", "private")])).Status);

        Assert.Equal(200, (await PutOwnershipAsync(main, "enf", "BucketOwnerEnforced")).Status);
        // Existing ACLs count for nothing: the public object is private, alt's object is the bucket owner's.
        Denied(await main.SendAsync("GET", "/enf/pub", sign: false));
        Assert.Equal("a", (await main.GetObjectAsync("enf", "alts")).Text);
        Denied(await alt.GetObjectAsync("enf", "alts"));
        var objectAcl = await main.SendAsync("GET", "/enf/pub", "acl");
        Assert.Equal(200, objectAcl.Status);
        Assert.DoesNotContain("AllUsers", objectAcl.Text, StringComparison.Ordinal);
        Assert.Contains($"<ID>{MainId}</ID>", objectAcl.Text, StringComparison.Ordinal);
        Assert.Contains("FULL_CONTROL", objectAcl.Text, StringComparison.Ordinal);
        Assert.Contains($"<ID>{MainId}</ID>", (await main.SendAsync("GET", "/enf/alts", "acl")).Text, StringComparison.Ordinal);

        // Setting ACLs is refused, but for the bucket owner's FULL_CONTROL alone.
        NoAcls(await main.SendAsync("PUT", "/enf", "acl", headers: [("x-amz-acl", "public-read")]));
        NoAcls(await main.SendAsync("PUT", "/enf/pub", "acl", headers: [("x-amz-acl", "public-read")]));
        NoAcls(await main.SendAsync("PUT", "/enf", "acl", headers: [("x-amz-grant-full-control", "id=\"nobody-known\"")]));
        NoAcls(await main.SendAsync("PUT", "/enf/pub", "acl", headers: [("x-amz-grant-read", "uri=\"http://example.com/nogroup\"")]));
        NoAcls(await main.PutObjectAsync("enf", "new", B("n"), ("x-amz-acl", "public-read")));
        NoAcls(await main.PutObjectAsync("enf", "new", B("n"), ("x-amz-grant-read", $"id=\"{AltId}\"")));
        NoAcls(await main.SendAsync("POST", "/enf/mp", "uploads", headers: [("x-amz-acl", "authenticated-read")]));
        NoAcls(await main.PutObjectAsync("enf", "new", B("n"), ("x-amz-grant-read", "id=\"nobody-known\"")));
        Assert.Equal(404, (await main.GetObjectAsync("enf", "new")).Status);
        Assert.Equal(200, (await main.SendAsync("PUT", "/enf", "acl", headers: [("x-amz-acl", "bucket-owner-full-control")])).Status);
        Assert.Equal(200, (await main.SendAsync("PUT", "/enf/pub", "acl", headers: [("x-amz-acl", "private")])).Status);
        Assert.Equal(200, (await main.PutObjectAsync("enf", "new", B("n"), ("x-amz-acl", "bucket-owner-full-control"))).Status);

        // A user the policy lets write: what it writes is the bucket owner's.
        var policy = B($$"""{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::{{TestServer.TwoUsers[1].AccountId}}:user/alt"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::enf/*"}]}""");
        Assert.Equal(204, (await main.SendAsync("PUT", "/enf", "policy", policy)).Status);
        Assert.Equal(200, (await alt.PutObjectAsync("enf", "byalt", B("b"), ("x-amz-acl", "bucket-owner-full-control"))).Status);
        Assert.Equal("b", (await main.GetObjectAsync("enf", "byalt")).Text);
        Assert.Contains($"<ID>{MainId}</ID>", (await main.SendAsync("GET", "/enf/byalt", "acl")).Text, StringComparison.Ordinal);
        Denied(await alt.GetObjectAsync("enf", "byalt"));

        // Back to ObjectWriter: the stored ACLs apply again.
        Assert.Equal(204, (await main.SendAsync("DELETE", "/enf", "ownershipControls")).Status);
        Assert.Equal("a", (await alt.GetObjectAsync("enf", "alts")).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task BucketOwnerPreferred_gives_the_bucket_owner_objects_written_with_bucket_owner_full_control(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        using var alt = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Equal(200, (await main.SendAsync("PUT", "/pref", headers: [("x-amz-object-ownership", "BucketOwnerPreferred")])).Status);
        Assert.Equal(200, (await main.SendAsync("PUT", "/pref", "acl",
            headers: [("x-amz-grant-write", $"id=\"{AltId}\""), ("x-amz-grant-full-control", $"id=\"{MainId}\"")])).Status);

        Assert.Equal(200, (await alt.PutObjectAsync("pref", "given", B("g"), ("x-amz-acl", "bucket-owner-full-control"))).Status);
        Assert.Equal(200, (await alt.PutObjectAsync("pref", "kept", B("k"))).Status);
        var given = await main.SendAsync("GET", "/pref/given", "acl");
        Assert.Contains($"<Owner><ID>{MainId}</ID>", given.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(AltId, given.Text, StringComparison.Ordinal);
        Denied(await alt.GetObjectAsync("pref", "given")); // no longer alt's
        Assert.Equal("g", (await main.GetObjectAsync("pref", "given")).Text);
        // Without the canned ACL the writer keeps what it writes.
        Assert.Equal("k", (await alt.GetObjectAsync("pref", "kept")).Text);
        Denied(await main.GetObjectAsync("pref", "kept"));
        Assert.Contains($"<Owner><ID>{AltId}</ID>", (await alt.SendAsync("GET", "/pref/kept", "acl")).Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task Ownership_survives_a_restart(string front)
    {
        var t = await TestServer.StartAsync(front, users: true);
        await using var _ = t;
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/kept", headers: [("x-amz-object-ownership", "BucketOwnerEnforced")])).Status);
        await t.RestartAsync();
        Assert.Contains("<ObjectOwnership>BucketOwnerEnforced</ObjectOwnership>",
            (await t.Client.SendAsync("GET", "/kept", "ownershipControls")).Text, StringComparison.Ordinal);
        NoAcls(await t.Client.PutObjectAsync("kept", "k", B("v"), ("x-amz-acl", "public-read")));
    }
}
