using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Users, the authorization stage and ACLs over real HTTP, on every front and both stores: two users ("main", "alt"),
/// an administrator ("root") and the anonymous principal (unsigned requests). The expected codes are S3's (as the
/// Ceph s3-tests conformance suite checks them for bucket and object ACLs and access).
/// </summary>
public sealed class AccessControlTests
{
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";

    private static async Task<(TestServer T, S3TestClient Main, S3TestClient Alt)> StartAsync(string engine)
    {
        var t = await TestServer.StartAsync(engine, users: true);
        return (t, t.Client, t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret));
    }

    private static void Denied(S3Response r, string resource)
    {
        Assert.True(r.Status == 403 && r.ErrorCode == "AccessDenied", $"{r.Status} {r.Text}");
        if (r.Body.Length > 0) Assert.Contains($"<Resource>{resource}</Resource>", r.Text, StringComparison.Ordinal);
    }

    private static string Owner(S3Response r) => Regex.Match(r.Text, "<Owner><ID>([^<]*)</ID><DisplayName>([^<]*)</DisplayName>") is
        { Success: true } m ? m.Groups[1].Value + "/" + m.Groups[2].Value : "(none)";

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Users_are_distinct_owners_of_their_buckets(string engine)
    {
        var (t, main, alt) = await StartAsync(engine);
        await using var _ = t;
        using var __ = alt;
        Assert.Equal(200, (await main.SendAsync("PUT", "/mine")).Status);
        Assert.Equal(200, (await alt.SendAsync("PUT", "/theirs")).Status);

        var mainList = await main.SendAsync("GET", "/");
        Assert.Contains("<Name>mine</Name>", mainList.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<Name>theirs</Name>", mainList.Text, StringComparison.Ordinal);
        Assert.Equal(TestServer.MainId + "/main", Owner(mainList));
        var altList = await alt.SendAsync("GET", "/");
        Assert.Contains("<Name>theirs</Name>", altList.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<Name>mine</Name>", altList.Text, StringComparison.Ordinal);
        Assert.Equal(TestServer.AltId + "/alt", Owner(altList));

        // Another user's name is taken; the owner's own again is us-east-1's legacy 200.
        var taken = await alt.SendAsync("PUT", "/mine");
        Assert.Equal((409, "BucketAlreadyExists"), (taken.Status, taken.ErrorCode));
        Assert.Equal(200, (await main.SendAsync("PUT", "/mine")).Status);

        Assert.Equal(200, (await main.PutObjectAsync("mine", "k", "secret"u8.ToArray())).Status);
        Denied(await alt.GetObjectAsync("mine", "k"), "/mine/k");
        Denied(await alt.SendAsync("GET", "/mine", "list-type=2"), "/mine");
        Denied(await alt.PutObjectAsync("mine", "k", "overwrite"u8.ToArray()), "/mine/k");
        Denied(await alt.SendAsync("DELETE", "/mine/k"), "/mine/k");
        Denied(await alt.SendAsync("DELETE", "/mine"), "/mine");
        Denied(await alt.SendAsync("GET", "/mine", "versioning"), "/mine");
        // A missing key is not told to whoever may not list the bucket.
        Denied(await alt.GetObjectAsync("mine", "nothing-here"), "/mine/nothing-here");
        Assert.Equal(404, (await main.GetObjectAsync("mine", "nothing-here")).Status);
        // A missing bucket is 404 for anyone, the anonymous principal included.
        var missing = await main.SendAsync("GET", "/absent", "list-type=2", sign: false);
        Assert.Equal((404, "NoSuchBucket"), (missing.Status, missing.ErrorCode));
        Denied(await main.SendAsync("GET", "/", sign: false), "/");
        Denied(await main.SendAsync("PUT", "/anon-bucket", sign: false), "/anon-bucket");
        Denied(await main.GetObjectAsync("mine", "k", ("x-amz-expected-bucket-owner", TestServer.AltId)), "/mine/k");
        Assert.Equal(200, (await main.GetObjectAsync("mine", "k", ("x-amz-expected-bucket-owner", TestServer.MainId))).Status);

        // Owner in listings is the user's.
        var v1 = await main.SendAsync("GET", "/mine");
        Assert.Contains($"<Owner><ID>{TestServer.MainId}</ID><DisplayName>main</DisplayName></Owner>", v1.Text, StringComparison.Ordinal);
        var versions = await main.SendAsync("GET", "/mine", "versions");
        Assert.Contains($"<ID>{TestServer.MainId}</ID>", versions.Text, StringComparison.Ordinal);

        // The administrator sees and may do everything.
        using var root = t.ClientFor(TestServer.AdminAccessKey, TestServer.AdminSecret);
        var all = await root.SendAsync("GET", "/");
        Assert.Contains("<Name>mine</Name>", all.Text, StringComparison.Ordinal);
        Assert.Contains("<Name>theirs</Name>", all.Text, StringComparison.Ordinal);
        Assert.Equal("secret", (await root.GetObjectAsync("mine", "k")).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Canned_acls_grant_what_S3_grants(string engine)
    {
        var (t, main, alt) = await StartAsync(engine);
        await using var _ = t;
        using var __ = alt;
        // A public-read bucket, one public-read object and one default one.
        Assert.Equal(200, (await main.SendAsync("PUT", "/pub", headers: [("x-amz-acl", "public-read")])).Status);
        Assert.Equal(200, (await main.PutObjectAsync("pub", "open", "o"u8.ToArray(), ("x-amz-acl", "public-read"))).Status);
        Assert.Equal(200, (await main.PutObjectAsync("pub", "closed", "c"u8.ToArray())).Status);
        foreach (bool signed in new[] { true, false })
        {
            var who = signed ? alt : main;
            Assert.Equal("o", (await who.SendAsync("GET", "/pub/open", sign: signed)).Text);
            Denied(await who.SendAsync("GET", "/pub/closed", sign: signed), "/pub/closed");
            var list = await who.SendAsync("GET", "/pub", "list-type=2", sign: signed);
            Assert.Equal(200, list.Status);
            Assert.Contains("<Key>closed</Key>", list.Text, StringComparison.Ordinal);
            Assert.Equal(200, (await who.SendAsync("HEAD", "/pub", sign: signed)).Status);
            Denied(await who.SendAsync("PUT", "/pub/new", body: "x"u8.ToArray(), sign: signed), "/pub/new");
            Denied(await who.SendAsync("PUT", "/pub/open", body: "x"u8.ToArray(), sign: signed), "/pub/open");
            Denied(await who.SendAsync("GET", "/pub", "acl", sign: signed), "/pub");
        }

        // public-read-write: others may write (and then own what they wrote), not read the owner's private objects.
        Assert.Equal(200, (await main.SendAsync("PUT", "/pub", "acl", headers: [("x-amz-acl", "public-read-write")])).Status);
        Assert.Equal(200, (await alt.PutObjectAsync("pub", "closed", "by alt"u8.ToArray())).Status);
        Assert.Equal(200, (await alt.PutObjectAsync("pub", "alts", "a"u8.ToArray())).Status);
        Assert.Equal("by alt", (await alt.GetObjectAsync("pub", "closed")).Text);
        // The writer owns it: the bucket owner may neither read it nor its ACL, but may delete it (bucket WRITE).
        Denied(await main.GetObjectAsync("pub", "alts"), "/pub/alts");
        var altAcl = await alt.SendAsync("GET", "/pub/alts", "acl");
        Assert.Contains($"<Owner><ID>{TestServer.AltId}</ID><DisplayName>alt</DisplayName></Owner>", altAcl.Text, StringComparison.Ordinal);
        Assert.Equal(204, (await main.SendAsync("DELETE", "/pub/alts")).Status);
        // bucket-owner-full-control lets the bucket owner read what another user wrote.
        Assert.Equal(200, (await alt.PutObjectAsync("pub", "shared", "s"u8.ToArray(), ("x-amz-acl", "bucket-owner-full-control"))).Status);
        Assert.Equal("s", (await main.GetObjectAsync("pub", "shared")).Text);

        // authenticated-read: any user, never the anonymous principal.
        Assert.Equal(200, (await main.PutObjectAsync("pub", "users-only", "u"u8.ToArray(), ("x-amz-acl", "authenticated-read"))).Status);
        Assert.Equal("u", (await alt.GetObjectAsync("pub", "users-only")).Text);
        Denied(await main.SendAsync("GET", "/pub/users-only", sign: false), "/pub/users-only");

        // Canned and header grants together, an unknown canned name, a grant to an unknown user: 400s, nothing stored.
        var both = await main.PutObjectAsync("pub", "both", "b"u8.ToArray(), ("x-amz-acl", "private"), ("x-amz-grant-read", $"id=\"{TestServer.AltId}\""));
        Assert.Equal((400, "InvalidRequest"), (both.Status, both.ErrorCode));
        var unknownAcl = await main.PutObjectAsync("pub", "both", "b"u8.ToArray(), ("x-amz-acl", "everyone"));
        Assert.Equal((400, "InvalidArgument"), (unknownAcl.Status, unknownAcl.ErrorCode));
        var unknownUser = await main.PutObjectAsync("pub", "both", "b"u8.ToArray(), ("x-amz-grant-read", "id=\"nobody\""));
        Assert.Equal((400, "InvalidArgument"), (unknownUser.Status, unknownUser.ErrorCode));
        var email = await main.PutObjectAsync("pub", "both", "b"u8.ToArray(), ("x-amz-grant-read", "emailAddress=\"nobody@example.com\""));
        Assert.Equal((400, "UnresolvableGrantByEmailAddress"), (email.Status, email.ErrorCode));
        Assert.Equal(404, (await main.SendAsync("HEAD", "/pub/both")).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Bucket_acl_grants_read_write_and_acp_separately(string engine)
    {
        var (t, main, alt) = await StartAsync(engine);
        await using var _ = t;
        using var __ = alt;
        foreach (var (permission, read, readAcp, write, writeAcp) in new[]
                 {
                     ("READ", true, false, false, false), ("WRITE", false, false, true, false),
                     ("READ_ACP", false, true, false, false), ("WRITE_ACP", false, false, false, true),
                     ("FULL_CONTROL", true, true, true, true),
                 })
        {
            string bucket = "/g-" + permission.ToLowerInvariant().Replace('_', '-');
            Assert.Equal(200, (await main.SendAsync("PUT", bucket)).Status);
            var put = await main.SendAsync("PUT", bucket, "acl", body: Encoding.UTF8.GetBytes(Policy(TestServer.MainId,
                Grant(TestServer.AltId, permission), Grant(TestServer.MainId, "FULL_CONTROL"))));
            Assert.True(put.Status == 200, $"{permission}: {put.Text}");
            var acl = await main.SendAsync("GET", bucket, "acl");
            Assert.Contains($"<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>{TestServer.AltId}</ID><DisplayName>alt</DisplayName></Grantee><Permission>{permission}</Permission>",
                acl.Text, StringComparison.Ordinal);
            Assert.Equal(read, (await alt.SendAsync("HEAD", bucket)).Status == 200);
            Assert.Equal(readAcp, (await alt.SendAsync("GET", bucket, "acl")).Status == 200);
            Assert.Equal(write, (await alt.SendAsync("PUT", bucket + "/w", body: "w"u8.ToArray())).Status == 200);
            Assert.Equal(writeAcp, (await alt.SendAsync("PUT", bucket, "acl", headers: [("x-amz-acl", "public-read")])).Status == 200);
        }

        // No grants at all: the owner keeps its ACL rights (implicit), loses writes, and still reads its own objects.
        Assert.Equal(200, (await main.SendAsync("PUT", "/bare")).Status);
        Assert.Equal(200, (await main.PutObjectAsync("bare", "k", "v"u8.ToArray())).Status);
        Assert.Equal(200, (await main.SendAsync("PUT", "/bare", "acl", body: Encoding.UTF8.GetBytes(Policy(TestServer.MainId)))).Status);
        Assert.DoesNotContain("<Grant>", (await main.SendAsync("GET", "/bare", "acl")).Text, StringComparison.Ordinal);
        Assert.Equal("v", (await main.GetObjectAsync("bare", "k")).Text);
        Denied(await main.PutObjectAsync("bare", "k2", "v"u8.ToArray()), "/bare/k2");
        Assert.Equal(200, (await main.SendAsync("PUT", "/bare", "acl", headers: [("x-amz-acl", "private")])).Status);
        Assert.Equal(200, (await main.PutObjectAsync("bare", "k2", "v"u8.ToArray())).Status);

        // Malformed documents, unknown permissions and owners, a body with a canned ACL, neither.
        var malformed = await main.SendAsync("PUT", "/bare", "acl", body: "<AccessControlPolicy><Owner>"u8.ToArray());
        Assert.Equal((400, "MalformedACLError"), (malformed.Status, malformed.ErrorCode));
        var badPermission = await main.SendAsync("PUT", "/bare", "acl", body: Encoding.UTF8.GetBytes(Policy(TestServer.MainId, Grant(TestServer.AltId, "EVERYTHING"))));
        Assert.Equal((400, "MalformedACLError"), (badPermission.Status, badPermission.ErrorCode));
        var badUser = await main.SendAsync("PUT", "/bare", "acl", body: Encoding.UTF8.GetBytes(Policy(TestServer.MainId, Grant("_foo", "READ"))));
        Assert.Equal((400, "InvalidArgument"), (badUser.Status, badUser.ErrorCode));
        var none = await main.SendAsync("PUT", "/bare", "acl");
        Assert.Equal(400, none.Status);
        var group = await main.SendAsync("PUT", "/bare", "acl", body: Encoding.UTF8.GetBytes(Policy(TestServer.MainId,
            Grant(TestServer.MainId, "FULL_CONTROL"), $"<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>{AllUsers}</URI></Grantee><Permission>READ</Permission></Grant>")));
        Assert.Equal(200, group.Status);
        Assert.Equal(200, (await main.SendAsync("GET", "/bare", "list-type=2", sign: false)).Status);
        // By e-mail: stored as the user's id.
        var byEmail = await main.SendAsync("PUT", "/bare", "acl", body: Encoding.UTF8.GetBytes(Policy(TestServer.MainId,
            $"<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"AmazonCustomerByEmail\"><EmailAddress>alt@example.com</EmailAddress></Grantee><Permission>READ</Permission></Grant>")));
        Assert.Equal(200, byEmail.Status);
        Assert.Contains($"<ID>{TestServer.AltId}</ID>", (await main.SendAsync("GET", "/bare", "acl")).Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Object_acls_are_kept_per_version_and_judge_reads(string engine)
    {
        var (t, main, alt) = await StartAsync(engine);
        await using var _ = t;
        using var __ = alt;
        Assert.Equal(200, (await main.SendAsync("PUT", "/ver")).Status);
        Assert.Equal(200, (await main.SendAsync("PUT", "/ver", "versioning",
            body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"u8.ToArray())).Status);
        var first = await main.PutObjectAsync("ver", "k", "one"u8.ToArray());
        string v1 = first.Header("x-amz-version-id")!;
        Assert.Equal(200, (await main.PutObjectAsync("ver", "k", "two"u8.ToArray())).Status);
        // Grant the old version to alt by header grants, the current one stays private.
        var grant = await main.SendAsync("PUT", "/ver/k", $"acl&versionId={v1}", headers: [("x-amz-grant-read", $"id=\"{TestServer.AltId}\", id=\"{TestServer.MainId}\"")]);
        Assert.True(grant.Status == 200, grant.Text);
        Assert.Equal("one", (await alt.SendAsync("GET", "/ver/k", $"versionId={v1}")).Text);
        Denied(await alt.GetObjectAsync("ver", "k"), "/ver/k");
        var acl = await main.SendAsync("GET", "/ver/k", $"acl&versionId={v1}");
        Assert.Contains("<Permission>READ</Permission>", acl.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("FULL_CONTROL", acl.Text, StringComparison.Ordinal); // header grants replace the whole ACL
        Assert.Equal(v1, acl.Header("x-amz-version-id"));
        // Alt may not change the ACL (no WRITE_ACP), nor read it.
        Denied(await alt.SendAsync("PUT", "/ver/k", $"acl&versionId={v1}", headers: [("x-amz-acl", "public-read")]), "/ver/k");
        Denied(await alt.SendAsync("GET", "/ver/k", $"acl&versionId={v1}"), "/ver/k");
        // A copy does not take its source's ACL: the copy is private to the copier.
        Assert.Equal(200, (await main.SendAsync("PUT", "/ver/copy", headers: [("x-amz-copy-source", $"/ver/k?versionId={v1}")])).Status);
        Denied(await alt.GetObjectAsync("ver", "copy"), "/ver/copy");
        // Alt may copy what it may read into its own bucket, not what it may not.
        Assert.Equal(200, (await alt.SendAsync("PUT", "/alts")).Status);
        Assert.Equal(200, (await alt.SendAsync("PUT", "/alts/c1", headers: [("x-amz-copy-source", $"/ver/k?versionId={v1}")])).Status);
        Denied(await alt.SendAsync("PUT", "/alts/c2", headers: [("x-amz-copy-source", "/ver/k")]), "/ver/k");
        // A multipart upload takes its ACL at creation.
        var init = await main.SendAsync("POST", "/ver/mp", "uploads", headers: [("x-amz-acl", "public-read")]);
        string uploadId = Regex.Match(init.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        var part = await main.SendAsync("PUT", "/ver/mp", $"partNumber=1&uploadId={Uri.EscapeDataString(uploadId)}", body: "mp"u8.ToArray());
        string etag = part.Header("ETag")!;
        var done = await main.SendAsync("POST", "/ver/mp", $"uploadId={Uri.EscapeDataString(uploadId)}",
            body: Encoding.UTF8.GetBytes($"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"));
        Assert.True(done.Status == 200, done.Text);
        Assert.Equal("mp", (await main.SendAsync("GET", "/ver/mp", sign: false)).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task Owners_and_acls_survive_a_restart(string engine)
    {
        var (t, main, alt) = await StartAsync(engine);
        await using var _ = t;
        using (alt)
        {
            Assert.Equal(200, (await alt.SendAsync("PUT", "/alt-owned", headers: [("x-amz-acl", "public-read")])).Status);
            Assert.Equal(200, (await alt.PutObjectAsync("alt-owned", "k", "v"u8.ToArray(), ("x-amz-acl", "public-read"))).Status);
        }
        await t.RestartAsync();
        var list = await t.Client.SendAsync("GET", "/");
        Assert.DoesNotContain("alt-owned", list.Text, StringComparison.Ordinal);
        var taken = await t.Client.SendAsync("PUT", "/alt-owned");
        Assert.Equal("BucketAlreadyExists", taken.ErrorCode);
        Assert.Equal("v", (await t.Client.SendAsync("GET", "/alt-owned/k", sign: false)).Text);
        Denied(await t.Client.SendAsync("GET", "/alt-owned", "acl", sign: false), "/alt-owned");
        using var altAgain = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Contains(AllUsers, (await altAgain.SendAsync("GET", "/alt-owned", "acl")).Text, StringComparison.Ordinal);
        Denied(await t.Client.SendAsync("PUT", "/alt-owned/x", body: "x"u8.ToArray()), "/alt-owned/x");
    }

    private static string Grant(string id, string permission) =>
        $"<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>{id}</ID></Grantee><Permission>{permission}</Permission></Grant>";

    private static string Policy(string owner, params string[] grants) =>
        $"<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>{owner}</ID></Owner><AccessControlList>{string.Join("", grants)}</AccessControlList></AccessControlPolicy>";

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task A_bucket_from_before_owners_belongs_to_the_first_user(string engine)
    {
        var (t, main, alt) = await StartAsync(engine);
        await using var _ = t;
        using (alt) Assert.Equal(200, (await alt.SendAsync("PUT", "/old")).Status);
        // The record an earlier version wrote: the creation date alone.
        await t.RestartAsync(whileStopped: async () =>
        {
            string record = Path.Combine(t.Directory, "old", ".bucket");
            string date = (await File.ReadAllTextAsync(record)).Split('\n')[0];
            await File.WriteAllTextAsync(record, date);
        });
        var list = await t.Client.SendAsync("GET", "/");
        Assert.Contains("<Name>old</Name>", list.Text, StringComparison.Ordinal); // main: the first user
        Assert.Equal(200, (await t.Client.SendAsync("GET", "/old", "list-type=2", headers: [("x-amz-expected-bucket-owner", TestServer.MainId)])).Status);
        using var altAgain = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Denied(await altAgain.SendAsync("GET", "/old", "list-type=2"), "/old");
    }

    [Fact]
    public async Task Outside_us_east_1_creating_your_own_bucket_again_is_BucketAlreadyOwnedByYou()
    {
        await using var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            InMemory = true, Region = "eu-west-1", Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), Reactors = 2,
            Credentials = new Dictionary<string, string> { [TestServer.AccessKey] = TestServer.Secret, [TestServer.AltAccessKey] = TestServer.AltSecret },
            Users = TestServer.TwoUsers.Take(2).ToArray(),
        });
        Sluice.Client.S3Client ClientOf(string key, string secret) => new(new Sluice.Client.S3ClientOptions
        {
            Endpoint = server.Endpoint, AccessKeyId = key, SecretAccessKey = secret, Region = "eu-west-1", ForcePathStyle = true,
        });
        await using var main = ClientOf(TestServer.AccessKey, TestServer.Secret);
        await using var alt = ClientOf(TestServer.AltAccessKey, TestServer.AltSecret);
        await main.CreateBucketAsync("eu-bucket", "eu-west-1");
        var again = await Assert.ThrowsAsync<Sluice.Client.S3Exception>(() => main.CreateBucketAsync("eu-bucket", "eu-west-1"));
        Assert.Equal(("BucketAlreadyOwnedByYou", 409), (again.Code, again.StatusCode));
        var taken = await Assert.ThrowsAsync<Sluice.Client.S3Exception>(() => alt.CreateBucketAsync("eu-bucket", "eu-west-1"));
        Assert.Equal(("BucketAlreadyExists", 409), (taken.Code, taken.StatusCode));
    }
}
