using System.Text;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// The bucket's public access block over real HTTP on every front and both stores: Get/Put/DeletePublicAccessBlock
/// and what each switch does to the owner, another user and the anonymous principal — BlockPublicAcls refuses public
/// ACLs on every write that carries one, IgnorePublicAcls makes existing public grants count for nothing,
/// BlockPublicPolicy refuses a public policy, RestrictPublicBuckets limits a public policy to the owner's account.
/// </summary>
public sealed class PublicAccessBlockTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static void Denied(S3Response r) => Assert.True(r.Status == 403 && r.ErrorCode == "AccessDenied", $"{r.Status} {r.Text}");

    private static string Block(bool acls, bool ignore, bool policy, bool restrict) =>
        "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        + $"<BlockPublicAcls>{Flag(acls)}</BlockPublicAcls><IgnorePublicAcls>{Flag(ignore)}</IgnorePublicAcls>"
        + $"<BlockPublicPolicy>{Flag(policy)}</BlockPublicPolicy><RestrictPublicBuckets>{Flag(restrict)}</RestrictPublicBuckets>"
        + "</PublicAccessBlockConfiguration>";

    private static string Flag(bool b) => b ? "true" : "false";

    private static Task<S3Response> PutBlockAsync(S3TestClient c, string bucket, string xml)
    {
        byte[] body = B(xml);
        return c.SendAsync("PUT", "/" + bucket, "publicAccessBlock", body, headers: [("Content-MD5", S3TestClient.Md5Base64(body))]);
    }

    private const string PublicReadPolicy =
        """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKET/*"}]}""";

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task The_configuration_is_stored_answered_and_deleted(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        using var alt = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Equal(200, (await main.SendAsync("PUT", "/pab")).Status);

        var none = await main.SendAsync("GET", "/pab", "publicAccessBlock");
        Assert.Equal(404, none.Status);
        Assert.Equal("NoSuchPublicAccessBlockConfiguration", none.ErrorCode);

        var put = await PutBlockAsync(main, "pab", Block(true, false, true, false));
        Assert.True(put.Status == 200, put.Text);
        var got = await main.SendAsync("GET", "/pab", "publicAccessBlock");
        Assert.Equal(200, got.Status);
        Assert.Contains("<BlockPublicAcls>true</BlockPublicAcls>", got.Text, StringComparison.Ordinal);
        Assert.Contains("<IgnorePublicAcls>false</IgnorePublicAcls>", got.Text, StringComparison.Ordinal);
        Assert.Contains("<BlockPublicPolicy>true</BlockPublicPolicy>", got.Text, StringComparison.Ordinal);
        Assert.Contains("<RestrictPublicBuckets>false</RestrictPublicBuckets>", got.Text, StringComparison.Ordinal);

        // An element left out is false, as S3 reads it.
        byte[] partial = B("<PublicAccessBlockConfiguration><IgnorePublicAcls>true</IgnorePublicAcls></PublicAccessBlockConfiguration>");
        Assert.Equal(200, (await main.SendAsync("PUT", "/pab", "publicAccessBlock", partial,
            headers: [("Content-MD5", S3TestClient.Md5Base64(partial))])).Status);
        got = await main.SendAsync("GET", "/pab", "publicAccessBlock");
        Assert.Contains("<BlockPublicAcls>false</BlockPublicAcls>", got.Text, StringComparison.Ordinal);
        Assert.Contains("<IgnorePublicAcls>true</IgnorePublicAcls>", got.Text, StringComparison.Ordinal);

        // Malformed documents are MalformedXML and change nothing — a misspelt switch too, since answering 200 would
        // leave the bucket less protected than its owner believes.
        foreach (string bad in new[] { "<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>", "<Nope/>", "not xml",
            "<PublicAccessBlockConfiguration><BlockPublicAcl>true</BlockPublicAcl></PublicAccessBlockConfiguration>" })
        {
            var r = await PutBlockAsync(main, "pab", bad);
            Assert.True(r.Status == 400 && r.ErrorCode == "MalformedXML", $"{bad}: {r.Status} {r.Text}");
        }
        Assert.Contains("<IgnorePublicAcls>true</IgnorePublicAcls>", (await main.SendAsync("GET", "/pab", "publicAccessBlock")).Text, StringComparison.Ordinal);

        // S3 requires an integrity header on the put.
        var noMd5 = await main.SendAsync("PUT", "/pab", "publicAccessBlock", B(Block(true, true, true, true)));
        Assert.Equal(400, noMd5.Status);

        // Only the owner reads or changes it.
        Denied(await alt.SendAsync("GET", "/pab", "publicAccessBlock"));
        Denied(await PutBlockAsync(alt, "pab", Block(false, false, false, false)));
        Denied(await alt.SendAsync("DELETE", "/pab", "publicAccessBlock"));
        Denied(await main.SendAsync("GET", "/pab", "publicAccessBlock", sign: false));

        Assert.Equal(204, (await main.SendAsync("DELETE", "/pab", "publicAccessBlock")).Status);
        Assert.Equal("NoSuchPublicAccessBlockConfiguration", (await main.SendAsync("GET", "/pab", "publicAccessBlock")).ErrorCode);
        Assert.Equal("NoSuchBucket", (await main.SendAsync("GET", "/absent", "publicAccessBlock")).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task BlockPublicAcls_refuses_every_write_that_sets_a_public_acl(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        Assert.Equal(200, (await main.SendAsync("PUT", "/bpa")).Status);
        Assert.Equal(200, (await main.PutObjectAsync("bpa", "k", B("v"))).Status);
        Assert.Equal(200, (await PutBlockAsync(main, "bpa", Block(true, false, false, false))).Status);

        foreach (string canned in new[] { "public-read", "public-read-write", "authenticated-read" })
        {
            Denied(await main.SendAsync("PUT", "/bpa", "acl", headers: [("x-amz-acl", canned)]));
            Denied(await main.SendAsync("PUT", "/bpa/k", "acl", headers: [("x-amz-acl", canned)]));
            Denied(await main.PutObjectAsync("bpa", "new", B("n"), ("x-amz-acl", canned)));
            Denied(await main.SendAsync("POST", "/bpa/mp", "uploads", headers: [("x-amz-acl", canned)]));
            Denied(await main.SendAsync("PUT", "/bpa/copy", headers: [("x-amz-copy-source", "/bpa/k"), ("x-amz-acl", canned)]));
        }
        Denied(await main.PutObjectAsync("bpa", "new", B("n"), ("x-amz-grant-read", "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"")));
        Denied(await main.SendAsync("PUT", "/bpa", "acl", headers: [("x-amz-grant-read", "uri=\"http://acs.amazonaws.com/groups/global/AuthenticatedUsers\"")]));
        Assert.Equal(404, (await main.GetObjectAsync("bpa", "new")).Status); // nothing was written
        Assert.Equal(404, (await main.GetObjectAsync("bpa", "copy")).Status);

        // Private ACLs and grants to users are still taken.
        Assert.Equal(200, (await main.PutObjectAsync("bpa", "new", B("n"), ("x-amz-acl", "private"))).Status);
        Assert.Equal(200, (await main.SendAsync("PUT", "/bpa/k", "acl", headers: [("x-amz-acl", "bucket-owner-full-control")])).Status);
        Assert.Equal(200, (await main.SendAsync("PUT", "/bpa", "acl",
            headers: [("x-amz-grant-read", $"id=\"{TestServer.TwoUsers[1].CanonicalId}\""),
                ("x-amz-grant-full-control", $"id=\"{TestServer.TwoUsers[0].CanonicalId}\"")])).Status);

        // Deleting the block lets public ACLs in again.
        Assert.Equal(204, (await main.SendAsync("DELETE", "/bpa", "publicAccessBlock")).Status);
        Assert.Equal(200, (await main.PutObjectAsync("bpa", "pub", B("p"), ("x-amz-acl", "public-read"))).Status);
        Assert.Equal("p", (await main.SendAsync("GET", "/bpa/pub", sign: false)).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task IgnorePublicAcls_makes_public_grants_count_for_nothing(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        using var alt = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Equal(200, (await main.SendAsync("PUT", "/ipa", headers: [("x-amz-acl", "public-read-write")])).Status);
        Assert.Equal(200, (await main.PutObjectAsync("ipa", "pub", B("p"), ("x-amz-acl", "public-read"))).Status);
        Assert.Equal(200, (await main.PutObjectAsync("ipa", "auth", B("a"), ("x-amz-acl", "authenticated-read"))).Status);
        Assert.Equal(200, (await main.SendAsync("GET", "/ipa/pub", sign: false)).Status);
        Assert.Equal(200, (await alt.GetObjectAsync("ipa", "auth")).Status);
        Assert.Equal(200, (await main.SendAsync("GET", "/ipa", sign: false)).Status);

        Assert.Equal(200, (await PutBlockAsync(main, "ipa", Block(false, true, false, false))).Status);
        Denied(await main.SendAsync("GET", "/ipa/pub", sign: false));
        Denied(await alt.GetObjectAsync("ipa", "auth"));
        Denied(await main.SendAsync("GET", "/ipa", sign: false)); // the bucket's public READ too
        Denied(await alt.PutObjectAsync("ipa", "w", B("w")));     // and its public WRITE
        Assert.Equal("p", (await main.GetObjectAsync("ipa", "pub")).Text); // the owner keeps its own
        // The ACLs themselves are unchanged: lifting the block restores the access.
        Assert.Contains("AllUsers", (await main.SendAsync("GET", "/ipa/pub", "acl")).Text, StringComparison.Ordinal);
        Assert.Equal(204, (await main.SendAsync("DELETE", "/ipa", "publicAccessBlock")).Status);
        Assert.Equal("p", (await main.SendAsync("GET", "/ipa/pub", sign: false)).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task BlockPublicPolicy_refuses_a_public_policy_and_RestrictPublicBuckets_limits_one_to_the_owner(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        using var alt = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Equal(200, (await main.SendAsync("PUT", "/bpp")).Status);
        Assert.Equal(200, (await main.PutObjectAsync("bpp", "k", B("v"))).Status);
        byte[] policy = B(PublicReadPolicy.Replace("BUCKET", "bpp", StringComparison.Ordinal));

        Assert.Equal(200, (await PutBlockAsync(main, "bpp", Block(false, false, true, false))).Status);
        Denied(await main.SendAsync("PUT", "/bpp", "policy", policy));
        Assert.Equal("NoSuchBucketPolicy", (await main.SendAsync("GET", "/bpp", "policy")).ErrorCode);
        // A policy that is not public is still taken.
        byte[] altOnly = B($$"""{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::{{TestServer.TwoUsers[1].AccountId}}:user/alt"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bpp/*"}]}""");
        Assert.Equal(204, (await main.SendAsync("PUT", "/bpp", "policy", altOnly)).Status);
        Assert.Equal(200, (await alt.GetObjectAsync("bpp", "k")).Status);

        // A public policy already in place stays in force until RestrictPublicBuckets.
        Assert.Equal(204, (await main.SendAsync("DELETE", "/bpp", "publicAccessBlock")).Status);
        Assert.Equal(204, (await main.SendAsync("PUT", "/bpp", "policy", policy)).Status);
        Assert.Equal(200, (await PutBlockAsync(main, "bpp", Block(false, false, true, false))).Status);
        Assert.Equal("v", (await main.SendAsync("GET", "/bpp/k", sign: false)).Text);

        Assert.Equal(200, (await PutBlockAsync(main, "bpp", Block(false, false, false, true))).Status);
        Denied(await main.SendAsync("GET", "/bpp/k", sign: false));
        Denied(await alt.GetObjectAsync("bpp", "k"));
        Assert.Equal("v", (await main.GetObjectAsync("bpp", "k")).Text);

        Assert.Equal(204, (await main.SendAsync("DELETE", "/bpp", "publicAccessBlock")).Status);
        Assert.Equal("v", (await main.SendAsync("GET", "/bpp/k", sign: false)).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task The_block_survives_a_restart(string front)
    {
        var t = await TestServer.StartAsync(front, users: true);
        await using var _ = t;
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/kept", headers: [("x-amz-acl", "public-read")])).Status);
        Assert.Equal(200, (await t.Client.PutObjectAsync("kept", "pub", B("p"), ("x-amz-acl", "public-read"))).Status);
        Assert.Equal(200, (await PutBlockAsync(t.Client, "kept", Block(true, true, false, false))).Status);
        await t.RestartAsync();
        Assert.Contains("<BlockPublicAcls>true</BlockPublicAcls>",
            (await t.Client.SendAsync("GET", "/kept", "publicAccessBlock")).Text, StringComparison.Ordinal);
        Denied(await t.Client.SendAsync("GET", "/kept/pub", sign: false));
        Denied(await t.Client.PutObjectAsync("kept", "more", B("m"), ("x-amz-acl", "public-read")));
    }
}
