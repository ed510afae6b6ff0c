using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Object lock over real HTTP, every front × both stores: buckets created with object lock (versioning enabled for
/// good), the default retention configuration and its validation, each version's retention and legal hold (set by
/// PutObjectRetention / PutObjectLegalHold or by a write's x-amz-object-lock-* headers, answered on GET and HEAD), and
/// the refusals: a locked version is not deleted (DeleteObject, DeleteObjects), a COMPLIANCE retention is never
/// shortened or weakened, a GOVERNANCE one only with x-amz-bypass-governance-retention.
/// </summary>
public class ObjectLockHandlerTests
{
    private const string Far = "2030-01-01T00:00:00Z";
    private const string Farther = "2030-01-03T00:00:00Z";

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string? Element(string xml, string name) =>
        Regex.Match(xml, $"<{name}>([^<]*)</{name}>") is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>A PUT of an XML body with its Content-MD5 (the object lock operations require one).</summary>
    private static Task<S3Response> PutXml(S3TestClient c, string path, string query, string xml, params (string, string)[] headers) =>
        c.SendAsync("PUT", path, query, B(xml), [("Content-MD5", S3TestClient.Md5Base64(B(xml))), .. headers]);

    private static string Retention(string mode, string until) =>
        $"<Retention><Mode>{mode}</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>";

    private static string LockConfiguration(string rule = "") =>
        $"<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>{rule}</ObjectLockConfiguration>";

    private static string Rule(string mode, string period) => $"<Rule><DefaultRetention><Mode>{mode}</Mode>{period}</DefaultRetention></Rule>";

    private static async Task CreateLockedBucketAsync(S3TestClient c, string bucket)
    {
        var created = await c.SendAsync("PUT", "/" + bucket, headers: [("x-amz-bucket-object-lock-enabled", "true")]);
        Assert.True(created.Status == 200, created.Text);
    }

    private static Task<S3Response> PutWithMd5(S3TestClient c, string bucket, string key, string body, params (string, string)[] headers) =>
        c.PutObjectAsync(bucket, key, B(body), [("Content-MD5", S3TestClient.Md5Base64(B(body))), .. headers]);

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_bucket_created_with_object_lock_has_versioning_enabled_and_a_validated_default_retention(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        await CreateLockedBucketAsync(c, "locked");
        var configuration = await c.SendAsync("GET", "/locked", "object-lock");
        Assert.Equal(200, configuration.Status);
        Assert.Equal("Enabled", Element(configuration.Text, "ObjectLockEnabled"));
        Assert.Null(Element(configuration.Text, "Mode"));
        Assert.Equal("Enabled", Element((await c.SendAsync("GET", "/locked", "versioning")).Text, "Status"));

        // Versioning cannot be suspended on it.
        var suspend = await PutXml(c, "/locked", "versioning", "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>");
        Assert.Equal((409, "InvalidBucketState"), (suspend.Status, suspend.ErrorCode));

        // A default retention, read back as set.
        var put = await PutXml(c, "/locked", "object-lock", LockConfiguration(Rule("GOVERNANCE", "<Days>1</Days>")));
        Assert.True(put.Status == 200, put.Text);
        configuration = await c.SendAsync("GET", "/locked", "object-lock");
        Assert.Equal("GOVERNANCE", Element(configuration.Text, "Mode"));
        Assert.Equal("1", Element(configuration.Text, "Days"));
        Assert.Null(Element(configuration.Text, "Years"));

        // What S3 refuses, and how.
        foreach (var (body, status, code) in new[]
        {
            (LockConfiguration(Rule("GOVERNANCE", "<Days>1</Days><Years>1</Years>")), 400, "MalformedXML"),
            (LockConfiguration(Rule("GOVERNANCE", "")), 400, "MalformedXML"),
            (LockConfiguration(Rule("GOVERNANCE", "<Days>0</Days>")), 400, "InvalidRetentionPeriod"),
            (LockConfiguration(Rule("GOVERNANCE", "<Years>-1</Years>")), 400, "InvalidRetentionPeriod"),
            (LockConfiguration(Rule("governance", "<Years>1</Years>")), 400, "MalformedXML"),
            (LockConfiguration(Rule("abc", "<Years>1</Years>")), 400, "MalformedXML"),
            (LockConfiguration(Rule("COMPLIANCE", "<Days>x</Days>")), 400, "MalformedXML"),
            ("<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>", 400, "MalformedXML"),
            ("<ObjectLockConfiguration", 400, "MalformedXML"),
        })
        {
            var refused = await PutXml(c, "/locked", "object-lock", body);
            Assert.True((status, code) == (refused.Status, refused.ErrorCode), body + " -> " + refused.Text);
        }
        // Without Content-MD5 (or a checksum): InvalidRequest, as S3 requires an integrity check here.
        var unchecked_ = await c.SendAsync("PUT", "/locked", "object-lock", B(LockConfiguration()));
        Assert.Equal((400, "InvalidRequest"), (unchecked_.Status, unchecked_.ErrorCode));
        // Nothing refused changed what is stored; years replace days.
        Assert.Equal("1", Element((await c.SendAsync("GET", "/locked", "object-lock")).Text, "Days"));
        Assert.Equal(200, (await PutXml(c, "/locked", "object-lock", LockConfiguration(Rule("COMPLIANCE", "<Years>2</Years>")))).Status);
        configuration = await c.SendAsync("GET", "/locked", "object-lock");
        Assert.Equal(("COMPLIANCE", "2", null), (Element(configuration.Text, "Mode"), Element(configuration.Text, "Years"), Element(configuration.Text, "Days")));

        // A bucket without object lock: no configuration (404), none accepted while it is not versioned (409);
        // once versioning is Enabled, PutObjectLockConfiguration turns object lock on (as AWS allows today).
        Assert.Equal(200, (await c.SendAsync("PUT", "/plain")).Status);
        var none = await c.SendAsync("GET", "/plain", "object-lock");
        Assert.Equal((404, "ObjectLockConfigurationNotFoundError"), (none.Status, none.ErrorCode));
        var early = await PutXml(c, "/plain", "object-lock", LockConfiguration(Rule("GOVERNANCE", "<Days>1</Days>")));
        Assert.Equal((409, "InvalidBucketState"), (early.Status, early.ErrorCode));
        Assert.Equal(200, (await PutXml(c, "/plain", "versioning", "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")).Status);
        Assert.Equal(200, (await PutXml(c, "/plain", "object-lock", LockConfiguration())).Status);
        Assert.Equal("Enabled", Element((await c.SendAsync("GET", "/plain", "object-lock")).Text, "ObjectLockEnabled"));
        Assert.Equal(409, (await PutXml(c, "/plain", "versioning", "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>")).Status);

        // The header takes true or false only.
        var bad = await c.SendAsync("PUT", "/other", headers: [("x-amz-bucket-object-lock-enabled", "maybe")]);
        Assert.Equal((400, "InvalidArgument"), (bad.Status, bad.ErrorCode));
        Assert.Equal(200, (await c.SendAsync("PUT", "/other", headers: [("x-amz-bucket-object-lock-enabled", "false")])).Status);
        Assert.Equal(404, (await c.SendAsync("GET", "/other", "object-lock")).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_governance_retention_protects_a_version_until_bypassed(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        await CreateLockedBucketAsync(c, "gov");
        string v1 = (await c.PutObjectAsync("gov", "k", B("abc"))).Header("x-amz-version-id")!;
        Assert.NotNull(v1);
        // Neither a retention nor a legal hold yet: S3's NoSuchObjectLockConfiguration for both.
        var noRetention = await c.SendAsync("GET", "/gov/k", "retention");
        Assert.Equal((404, "NoSuchObjectLockConfiguration"), (noRetention.Status, noRetention.ErrorCode));
        var noHold = await c.SendAsync("GET", "/gov/k", "legal-hold");
        Assert.Equal((404, "NoSuchObjectLockConfiguration"), (noHold.Status, noHold.ErrorCode));

        Assert.Equal(200, (await PutXml(c, "/gov/k", "retention", Retention("GOVERNANCE", Farther))).Status);
        var retention = await c.SendAsync("GET", "/gov/k", "retention");
        Assert.Equal(("GOVERNANCE", "2030-01-03T00:00:00.000Z"), (Element(retention.Text, "Mode"), Element(retention.Text, "RetainUntilDate")));
        var head = await c.SendAsync("HEAD", "/gov/k");
        Assert.Equal(("GOVERNANCE", "2030-01-03T00:00:00.000Z"), (head.Header("x-amz-object-lock-mode"), head.Header("x-amz-object-lock-retain-until-date")));
        Assert.Null(head.Header("x-amz-object-lock-legal-hold"));
        Assert.Equal("GOVERNANCE", (await c.GetObjectAsync("gov", "k")).Header("x-amz-object-lock-mode"));

        // The version cannot be removed, nor its retention shortened or made COMPLIANCE, without the bypass.
        var delete = await c.SendAsync("DELETE", "/gov/k", "versionId=" + v1);
        Assert.Equal((403, "AccessDenied"), (delete.Status, delete.ErrorCode));
        var shorten = await PutXml(c, "/gov/k", "retention", Retention("GOVERNANCE", Far));
        Assert.Equal((403, "AccessDenied"), (shorten.Status, shorten.ErrorCode));
        var stronger = await PutXml(c, "/gov/k", "retention", Retention("COMPLIANCE", Farther));
        Assert.Equal((403, "AccessDenied"), (stronger.Status, stronger.ErrorCode));
        var remove = await PutXml(c, "/gov/k", "retention", "<Retention/>");
        Assert.Equal((403, "AccessDenied"), (remove.Status, remove.ErrorCode));
        // Extending is always allowed (by version id too).
        Assert.Equal(200, (await PutXml(c, "/gov/k", "retention&versionId=" + v1, Retention("GOVERNANCE", "2031-01-01T00:00:00Z"))).Status);
        // With the bypass, shortening is allowed.
        Assert.Equal(200, (await PutXml(c, "/gov/k", "retention", Retention("GOVERNANCE", Far), ("x-amz-bypass-governance-retention", "true"))).Status);
        Assert.Equal("2030-01-01T00:00:00.000Z", Element((await c.SendAsync("GET", "/gov/k", "retention&versionId=" + v1)).Text, "RetainUntilDate"));

        // A delete without a version id only adds a delete marker (allowed); the version stays, still locked.
        var marker = await c.SendAsync("DELETE", "/gov/k");
        Assert.Equal((204, "true"), (marker.Status, marker.Header("x-amz-delete-marker")));
        Assert.Equal(403, (await c.SendAsync("DELETE", "/gov/k", "versionId=" + v1)).Status);
        Assert.Equal(200, (await c.SendAsync("GET", "/gov/k", "versionId=" + v1)).Status);
        // An overwrite is a new version: allowed, and the old one is kept.
        string v2 = (await c.PutObjectAsync("gov", "k", B("new"))).Header("x-amz-version-id")!;
        Assert.NotEqual(v1, v2);
        Assert.Null((await c.SendAsync("HEAD", "/gov/k")).Header("x-amz-object-lock-mode"));

        // DeleteObjects: the locked version is that key's error, the other key is deleted.
        string other = (await c.PutObjectAsync("gov", "free", B("x"))).Header("x-amz-version-id")!;
        string request = $"<Delete><Object><Key>k</Key><VersionId>{v1}</VersionId></Object><Object><Key>free</Key><VersionId>{other}</VersionId></Object></Delete>";
        var multi = await c.SendAsync("POST", "/gov", "delete", B(request), [("Content-MD5", S3TestClient.Md5Base64(B(request)))]);
        Assert.Equal(200, multi.Status);
        Assert.Matches($"<Error><Key>k</Key><VersionId>{v1}</VersionId><Code>AccessDenied</Code>", multi.Text);
        Assert.Matches($"<Deleted><Key>free</Key><VersionId>{other}</VersionId>", multi.Text);
        request = $"<Delete><Object><Key>k</Key><VersionId>{v1}</VersionId></Object></Delete>";
        multi = await c.SendAsync("POST", "/gov", "delete", B(request),
            [("Content-MD5", S3TestClient.Md5Base64(B(request))), ("x-amz-bypass-governance-retention", "true")]);
        Assert.Matches($"<Deleted><Key>k</Key><VersionId>{v1}</VersionId>", multi.Text);
        Assert.DoesNotContain("<Error>", multi.Text, StringComparison.Ordinal);
        Assert.Equal(404, (await c.SendAsync("GET", "/gov/k", "versionId=" + v1)).Status);

        // DeleteObject with the bypass removes a GOVERNANCE version.
        string v3 = (await PutWithMd5(c, "gov", "g", "x", ("x-amz-object-lock-mode", "GOVERNANCE"),
            ("x-amz-object-lock-retain-until-date", Far))).Header("x-amz-version-id")!;
        Assert.Equal(403, (await c.SendAsync("DELETE", "/gov/g", "versionId=" + v3)).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/gov/g", "versionId=" + v3, headers: [("x-amz-bypass-governance-retention", "true")])).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Compliance_retention_and_legal_hold_cannot_be_bypassed(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        await CreateLockedBucketAsync(c, "comp");
        var put = await PutWithMd5(c, "comp", "k", "abc", ("x-amz-object-lock-mode", "COMPLIANCE"),
            ("x-amz-object-lock-retain-until-date", Far), ("x-amz-object-lock-legal-hold", "ON"));
        Assert.True(put.Status == 200, put.Text);
        string v1 = put.Header("x-amz-version-id")!;
        var head = await c.SendAsync("HEAD", "/comp/k", "versionId=" + v1);
        Assert.Equal(("COMPLIANCE", "2030-01-01T00:00:00.000Z", "ON"),
            (head.Header("x-amz-object-lock-mode"), head.Header("x-amz-object-lock-retain-until-date"), head.Header("x-amz-object-lock-legal-hold")));
        Assert.Equal("ON", Element((await c.SendAsync("GET", "/comp/k", "legal-hold")).Text, "Status"));

        (string, string) bypass = ("x-amz-bypass-governance-retention", "true");
        Assert.Equal(403, (await c.SendAsync("DELETE", "/comp/k", "versionId=" + v1, headers: [bypass])).Status);
        // The legal hold off, the COMPLIANCE retention still holds, bypass or not; it cannot be shortened, removed
        // or turned into GOVERNANCE; it can be extended.
        Assert.Equal(200, (await PutXml(c, "/comp/k", "legal-hold", "<LegalHold><Status>OFF</Status></LegalHold>")).Status);
        Assert.Equal("OFF", (await c.SendAsync("HEAD", "/comp/k")).Header("x-amz-object-lock-legal-hold"));
        Assert.Equal("OFF", Element((await c.SendAsync("GET", "/comp/k", "legal-hold")).Text, "Status"));
        Assert.Equal(403, (await c.SendAsync("DELETE", "/comp/k", "versionId=" + v1, headers: [bypass])).Status);
        Assert.Equal(403, (await PutXml(c, "/comp/k", "retention", Retention("COMPLIANCE", "2029-06-01T00:00:00Z"), bypass)).Status);
        Assert.Equal(403, (await PutXml(c, "/comp/k", "retention", Retention("GOVERNANCE", Farther), bypass)).Status);
        Assert.Equal(403, (await PutXml(c, "/comp/k", "retention", "<Retention/>", bypass)).Status);
        Assert.Equal(200, (await PutXml(c, "/comp/k", "retention", Retention("COMPLIANCE", Farther))).Status);
        Assert.Equal("2030-01-03T00:00:00.000Z", (await c.SendAsync("HEAD", "/comp/k")).Header("x-amz-object-lock-retain-until-date"));

        // A legal hold alone protects a version until it is off.
        string v2 = (await c.PutObjectAsync("comp", "held", B("x"))).Header("x-amz-version-id")!;
        Assert.Equal(200, (await PutXml(c, "/comp/held", "legal-hold&versionId=" + v2, "<LegalHold><Status>ON</Status></LegalHold>")).Status);
        Assert.Equal(403, (await c.SendAsync("DELETE", "/comp/held", "versionId=" + v2, headers: [bypass])).Status);
        Assert.Equal(200, (await PutXml(c, "/comp/held", "legal-hold", "<LegalHold><Status>OFF</Status></LegalHold>")).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/comp/held", "versionId=" + v2)).Status);
        var status = await PutXml(c, "/comp/k", "legal-hold", "<LegalHold><Status>abc</Status></LegalHold>");
        Assert.Equal((400, "MalformedXML"), (status.Status, status.ErrorCode));
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Lock_requests_are_refused_as_S3_refuses_them(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        await CreateLockedBucketAsync(c, "lkb");
        Assert.Equal(200, (await c.SendAsync("PUT", "/nolock")).Status);
        Assert.Equal(200, (await c.PutObjectAsync("nolock", "k", B("x"))).Status);
        Assert.Equal(200, (await c.PutObjectAsync("lkb", "k", B("x"))).Status);

        // Retention and legal hold on a bucket without object lock: InvalidRequest; so are lock headers on a write.
        foreach (string query in new[] { "retention", "legal-hold" })
        {
            var get = await c.SendAsync("GET", "/nolock/k", query);
            Assert.Equal((400, "InvalidRequest"), (get.Status, get.ErrorCode));
        }
        Assert.Equal("InvalidRequest", (await PutXml(c, "/nolock/k", "retention", Retention("GOVERNANCE", Far))).ErrorCode);
        Assert.Equal("InvalidRequest", (await PutXml(c, "/nolock/k", "legal-hold", "<LegalHold><Status>ON</Status></LegalHold>")).ErrorCode);
        var headersNoLock = await PutWithMd5(c, "nolock", "k2", "x", ("x-amz-object-lock-legal-hold", "ON"));
        Assert.Equal((400, "InvalidRequest"), (headersNoLock.Status, headersNoLock.ErrorCode));
        Assert.Equal(404, (await c.SendAsync("GET", "/nolock/k2")).Status);

        // Header values.
        foreach (var (headers, code) in new (string, string)[][]
        {
            [("x-amz-object-lock-mode", "GOVERNANCE")],
            [("x-amz-object-lock-retain-until-date", Far)],
            [("x-amz-object-lock-mode", "governance"), ("x-amz-object-lock-retain-until-date", Far)],
            [("x-amz-object-lock-mode", "GOVERNANCE"), ("x-amz-object-lock-retain-until-date", "tomorrow")],
            [("x-amz-object-lock-mode", "GOVERNANCE"), ("x-amz-object-lock-retain-until-date", "2020-01-01T00:00:00Z")],
            [("x-amz-object-lock-legal-hold", "on")],
        }.Select(h => (h, "InvalidArgument")))
        {
            var refused = await PutWithMd5(c, "lkb", "bad", "x", headers);
            Assert.True((400, code) == (refused.Status, refused.ErrorCode), string.Join(",", headers) + " -> " + refused.Text);
        }
        // A PUT with lock headers must carry Content-MD5 or an x-amz-checksum-*.
        var noDigest = await c.PutObjectAsync("lkb", "bad", B("x"), ("x-amz-object-lock-legal-hold", "ON"));
        Assert.Equal((400, "InvalidRequest"), (noDigest.Status, noDigest.ErrorCode));
        Assert.Contains("Content-MD5 OR x-amz-checksum- HTTP header is required", noDigest.Text, StringComparison.Ordinal);
        var withChecksum = await c.PutObjectAsync("lkb", "crc", B("x"), ("x-amz-object-lock-legal-hold", "ON"),
            ("x-amz-checksum-sha256", Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(B("x")))));
        Assert.True(withChecksum.Status == 200, withChecksum.Text);
        Assert.Equal(404, (await c.SendAsync("GET", "/lkb/bad")).Status);

        // Retention bodies: the mode is an enumeration; a date needs a mode; a past date is InvalidArgument.
        Assert.Equal("MalformedXML", (await PutXml(c, "/lkb/k", "retention", Retention("governance", Far))).ErrorCode);
        Assert.Equal("MalformedXML", (await PutXml(c, "/lkb/k", "retention", Retention("abc", Far))).ErrorCode);
        Assert.Equal("MalformedXML", (await PutXml(c, "/lkb/k", "retention", $"<Retention><RetainUntilDate>{Far}</RetainUntilDate></Retention>")).ErrorCode);
        Assert.Equal("InvalidArgument", (await PutXml(c, "/lkb/k", "retention", Retention("GOVERNANCE", "2020-01-01T00:00:00Z"))).ErrorCode);
        Assert.Equal("InvalidRequest", (await c.SendAsync("PUT", "/lkb/k", "retention", B(Retention("GOVERNANCE", Far)))).ErrorCode);
        Assert.Equal("NoSuchKey", (await PutXml(c, "/lkb/none", "retention", Retention("GOVERNANCE", Far))).ErrorCode);
        Assert.Equal(404, (await c.SendAsync("GET", "/lkb/k", "retention")).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task The_default_retention_and_write_headers_reach_new_versions_by_put_multipart_and_copy(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        await CreateLockedBucketAsync(c, "dflt");
        Assert.Equal(200, (await PutXml(c, "/dflt", "object-lock", LockConfiguration(Rule("GOVERNANCE", "<Days>1</Days>")))).Status);
        var before = DateTimeOffset.UtcNow;
        var put = await c.PutObjectAsync("dflt", "k", B("abc"));
        Assert.Equal(200, put.Status);
        var head = await c.SendAsync("HEAD", "/dflt/k");
        Assert.Equal("GOVERNANCE", head.Header("x-amz-object-lock-mode"));
        var until = DateTimeOffset.Parse(head.Header("x-amz-object-lock-retain-until-date")!, CultureInfo.InvariantCulture);
        Assert.InRange(until, before.AddDays(1).AddSeconds(-1), DateTimeOffset.UtcNow.AddDays(1).AddSeconds(1));
        Assert.Equal(403, (await c.SendAsync("DELETE", "/dflt/k", "versionId=" + put.Header("x-amz-version-id"))).Status);

        // Headers name their own retention over the default.
        var own = await PutWithMd5(c, "dflt", "own", "x", ("x-amz-object-lock-mode", "COMPLIANCE"), ("x-amz-object-lock-retain-until-date", Far));
        Assert.Equal("COMPLIANCE", (await c.SendAsync("HEAD", "/dflt/own")).Header("x-amz-object-lock-mode"));
        Assert.Equal(200, own.Status);

        // A multipart upload: the lock named at CreateMultipartUpload is the completed version's.
        var create = await c.SendAsync("POST", "/dflt/mp", "uploads",
            headers: [("x-amz-object-lock-mode", "COMPLIANCE"), ("x-amz-object-lock-retain-until-date", Farther), ("x-amz-object-lock-legal-hold", "ON")]);
        Assert.True(create.Status == 200, create.Text);
        string uploadId = Element(create.Text, "UploadId")!;
        var part = await c.SendAsync("PUT", "/dflt/mp", "partNumber=1&uploadId=" + Uri.EscapeDataString(uploadId), B("part"));
        string complete = $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Header("etag")}</ETag></Part></CompleteMultipartUpload>";
        var done = await c.SendAsync("POST", "/dflt/mp", "uploadId=" + Uri.EscapeDataString(uploadId), B(complete));
        Assert.True(done.Status == 200, done.Text);
        head = await c.SendAsync("HEAD", "/dflt/mp");
        Assert.Equal(("COMPLIANCE", "2030-01-03T00:00:00.000Z", "ON"),
            (head.Header("x-amz-object-lock-mode"), head.Header("x-amz-object-lock-retain-until-date"), head.Header("x-amz-object-lock-legal-hold")));

        // A copy never takes the source version's lock: it gets its own headers, or the destination's default.
        Assert.Equal(200, (await c.SendAsync("PUT", "/plain")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/plain/copy", headers: [("x-amz-copy-source", "/dflt/mp")])).Status);
        head = await c.SendAsync("HEAD", "/plain/copy");
        Assert.Null(head.Header("x-amz-object-lock-mode"));
        Assert.Null(head.Header("x-amz-object-lock-legal-hold"));
        Assert.Equal(200, (await c.SendAsync("PUT", "/dflt/copy", headers: [("x-amz-copy-source", "/dflt/mp")])).Status);
        head = await c.SendAsync("HEAD", "/dflt/copy");
        Assert.Equal(("GOVERNANCE", null), (head.Header("x-amz-object-lock-mode"), head.Header("x-amz-object-lock-legal-hold")));
        Assert.Equal(200, (await c.SendAsync("PUT", "/dflt/copy2", headers: [("x-amz-copy-source", "/plain/copy"),
            ("x-amz-object-lock-legal-hold", "ON"), ("x-amz-object-lock-mode", "COMPLIANCE"), ("x-amz-object-lock-retain-until-date", Far)])).Status);
        head = await c.SendAsync("HEAD", "/dflt/copy2");
        Assert.Equal(("COMPLIANCE", "ON"), (head.Header("x-amz-object-lock-mode"), head.Header("x-amz-object-lock-legal-hold")));
        var refused = await c.SendAsync("PUT", "/plain/copy3", headers: [("x-amz-copy-source", "/dflt/mp"), ("x-amz-object-lock-legal-hold", "ON")]);
        Assert.Equal((400, "InvalidRequest"), (refused.Status, refused.ErrorCode));
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task Retention_legal_hold_and_the_bucket_configuration_survive_a_restart(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        await CreateLockedBucketAsync(c, "durable");
        Assert.Equal(200, (await PutXml(c, "/durable", "object-lock", LockConfiguration(Rule("COMPLIANCE", "<Years>1</Years>")))).Status);
        string v1 = (await c.PutObjectAsync("durable", "k", B("one"))).Header("x-amz-version-id")!;
        string v2 = (await c.PutObjectAsync("durable", "k", B("two"))).Header("x-amz-version-id")!;
        Assert.Equal(200, (await PutXml(c, "/durable/k", "legal-hold&versionId=" + v1, "<LegalHold><Status>ON</Status></LegalHold>")).Status);
        Assert.Equal(200, (await PutXml(c, "/durable/k", "retention&versionId=" + v1, Retention("COMPLIANCE", "2099-01-01T00:00:00Z"))).Status);

        await t.RestartAsync();
        c = t.Client;
        var head = await c.SendAsync("HEAD", "/durable/k", "versionId=" + v1);
        Assert.Equal(("COMPLIANCE", "2099-01-01T00:00:00.000Z", "ON"),
            (head.Header("x-amz-object-lock-mode"), head.Header("x-amz-object-lock-retain-until-date"), head.Header("x-amz-object-lock-legal-hold")));
        Assert.Equal("COMPLIANCE", (await c.SendAsync("HEAD", "/durable/k", "versionId=" + v2)).Header("x-amz-object-lock-mode"));
        Assert.Equal(403, (await c.SendAsync("DELETE", "/durable/k", "versionId=" + v1)).Status);
        Assert.Equal(403, (await c.SendAsync("DELETE", "/durable/k", "versionId=" + v2)).Status);
        Assert.Equal("1", Element((await c.SendAsync("GET", "/durable", "object-lock")).Text, "Years"));
        Assert.Equal(409, (await PutXml(c, "/durable", "versioning", "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>")).Status);
        // New writes still get the default after the restart.
        Assert.Equal(200, (await c.PutObjectAsync("durable", "new", B("x"))).Status);
        Assert.Equal("COMPLIANCE", (await c.SendAsync("HEAD", "/durable/new")).Header("x-amz-object-lock-mode"));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Theory]
    [InlineData("inprocess/memory")]
    [InlineData("inprocess")]
    public async Task Lifecycle_expiration_keeps_locked_noncurrent_versions(string front)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var t = await TestServer.StartAsync(front, lifecycleClock: clock);
        var c = t.Client;
        await CreateLockedBucketAsync(c, "life");
        string held = (await c.PutObjectAsync("life", "k", B("held"))).Header("x-amz-version-id")!;
        Assert.Equal(200, (await PutXml(c, "/life/k", "legal-hold&versionId=" + held, "<LegalHold><Status>ON</Status></LegalHold>")).Status);
        string retained = (await PutWithMd5(c, "life", "k", "retained", ("x-amz-object-lock-mode", "GOVERNANCE"),
            ("x-amz-object-lock-retain-until-date", "2099-01-01T00:00:00Z"))).Header("x-amz-version-id")!;
        string free = (await c.PutObjectAsync("life", "k", B("free"))).Header("x-amz-version-id")!;
        Assert.Equal(200, (await c.PutObjectAsync("life", "k", B("current"))).Status);
        string rules = "<LifecycleConfiguration><Rule><ID>old</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>" +
            "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>";
        Assert.Equal(200, (await PutXml(c, "/life", "lifecycle", rules)).Status);

        clock.Now = clock.Now.AddDays(3);
        var report = await t.Server.Lifecycle.RunOnceAsync();
        Assert.Equal(1, report.NoncurrentExpired); // only the unlocked one
        Assert.Equal(404, (await c.SendAsync("GET", "/life/k", "versionId=" + free)).Status);
        Assert.Equal("held", Encoding.UTF8.GetString((await c.SendAsync("GET", "/life/k", "versionId=" + held)).Body));
        Assert.Equal("retained", Encoding.UTF8.GetString((await c.SendAsync("GET", "/life/k", "versionId=" + retained)).Body));
    }
}
