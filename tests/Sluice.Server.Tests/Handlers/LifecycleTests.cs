using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Bucket lifecycle, every front × both stores: configurations validated whole and read back in canonical form;
/// transitions refused (501); and rules applied by a lifecycle pass run by the test at a clock it moves — objects
/// expire by age (S3's midnight rounding) or date, filtered by prefix, tags and size; incomplete multipart uploads
/// are aborted; disabled rules do nothing.
/// </summary>
public class LifecycleTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static byte[] Xml(string rules) => Encoding.UTF8.GetBytes($"<LifecycleConfiguration>{rules}</LifecycleConfiguration>");

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Put_get_and_head_carry_x_amz_expiration_for_objects_a_rule_expires(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/exp")).Status);
        Assert.Null((await c.PutObjectAsync("exp", "logs/before", [1])).Header("x-amz-expiration")); // no rules yet
        var rules = Xml("<Rule><ID>logs-30</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>"
            + "<Rule><ID>tmp-date</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>tmp</Key><Value>1</Value></Tag></And></Filter><Status>Enabled</Status>"
            + "<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>"
            + "<Rule><ID>off</ID><Filter><Prefix>other/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>");
        Assert.Equal(200, (await c.SendAsync("PUT", "/exp", "lifecycle", rules, headers: [("Content-MD5", S3TestClient.Md5Base64(rules))])).Status);

        // 30 days after Last-Modified, rounded up to the next midnight UTC, as S3 computes it.
        static string DueIn30Days(string lastModified)
        {
            var due = DateTimeOffset.Parse(lastModified, System.Globalization.CultureInfo.InvariantCulture).AddDays(30);
            var midnight = new DateTimeOffset(due.UtcDateTime.Date, TimeSpan.Zero);
            return (midnight == due ? due : midnight.AddDays(1)).UtcDateTime.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }
        var put = await c.PutObjectAsync("exp", "logs/a", [1, 2, 3]);
        var head = await c.SendAsync("HEAD", "/exp/logs/a");
        string expected = $"expiry-date=\"{DueIn30Days(head.Header("Last-Modified")!)}\", rule-id=\"logs-30\"";
        Assert.Equal(expected, put.Header("x-amz-expiration"));
        Assert.Equal(expected, head.Header("x-amz-expiration"));
        Assert.Equal(expected, (await c.GetObjectAsync("exp", "logs/a")).Header("x-amz-expiration"));
        // The earliest matching rule wins: a tagged object also matches the dated rule (2030 is later than 30 days).
        var tagged = await c.PutObjectAsync("exp", "logs/t", [1], ("x-amz-tagging", "tmp=1"));
        Assert.Contains("rule-id=\"logs-30\"", tagged.Header("x-amz-expiration"));
        // Outside every enabled rule's filter: none; a disabled rule counts for nothing.
        Assert.Null((await c.PutObjectAsync("exp", "data/b", [1])).Header("x-amz-expiration"));
        Assert.Null((await c.PutObjectAsync("exp", "other/c", [1])).Header("x-amz-expiration"));

        // A date rule alone: its date.
        var dated = Xml("<Rule><ID>d</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>");
        Assert.Equal(200, (await c.SendAsync("PUT", "/exp", "lifecycle", dated, headers: [("Content-MD5", S3TestClient.Md5Base64(dated))])).Status);
        Assert.Equal("expiry-date=\"Tue, 01 Jan 2030 00:00:00 GMT\", rule-id=\"d\"", (await c.SendAsync("HEAD", "/exp/data/b")).Header("x-amz-expiration"));
        // A copy and a completed multipart upload are told their expiry as a PUT is.
        const string Dated = "expiry-date=\"Tue, 01 Jan 2030 00:00:00 GMT\", rule-id=\"d\"";
        var copied = await c.SendAsync("PUT", "/exp/copies/b", headers: [("x-amz-copy-source", "/exp/data/b")]);
        Assert.True(copied.Status == 200, copied.Text);
        Assert.Equal(Dated, copied.Header("x-amz-expiration"));
        var init = await c.SendAsync("POST", "/exp/mp", "uploads");
        string uploadId = System.Text.RegularExpressions.Regex.Match(init.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        var part = await c.SendAsync("PUT", "/exp/mp", $"partNumber=1&uploadId={Uri.EscapeDataString(uploadId)}", body: [1, 2]);
        var completed = await c.SendAsync("POST", "/exp/mp", $"uploadId={Uri.EscapeDataString(uploadId)}",
            body: System.Text.Encoding.UTF8.GetBytes($"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Header("ETag")}</ETag></Part></CompleteMultipartUpload>"));
        Assert.True(completed.Status == 200, completed.Text);
        Assert.Equal(Dated, completed.Header("x-amz-expiration"));

        // Deleting the configuration removes the header at once.
        Assert.Equal(204, (await c.SendAsync("DELETE", "/exp", "lifecycle")).Status);
        Assert.Null((await c.SendAsync("HEAD", "/exp/data/b")).Header("x-amz-expiration"));
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task Expiration_rules_stored_before_a_restart_still_give_the_header(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/expr")).Status);
        var rules = Xml("<Rule><ID>all</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Date>2031-06-01T00:00:00Z</Date></Expiration></Rule>");
        Assert.Equal(200, (await c.SendAsync("PUT", "/expr", "lifecycle", rules, headers: [("Content-MD5", S3TestClient.Md5Base64(rules))])).Status);
        Assert.Equal(200, (await c.PutObjectAsync("expr", "k", [1])).Status);
        await t.RestartAsync();
        Assert.Equal("expiry-date=\"Sun, 01 Jun 2031 00:00:00 GMT\", rule-id=\"all\"", (await t.Client.SendAsync("HEAD", "/expr/k")).Header("x-amz-expiration"));
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Configurations_are_validated_stored_and_deleted(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal("NoSuchBucket", (await c.SendAsync("GET", "/life", "lifecycle")).ErrorCode);
        Assert.Equal(200, (await c.SendAsync("PUT", "/life")).Status);
        var none = await c.SendAsync("GET", "/life", "lifecycle");
        Assert.Equal((404, "NoSuchLifecycleConfiguration"), (none.Status, none.ErrorCode));

        var put = await c.SendAsync("PUT", "/life", "lifecycle", Xml(
            "<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>" +
            "<Rule><Filter><And><Prefix>tmp/</Prefix><Tag><Key>t</Key><Value>1</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter>" +
            "<Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>" +
            "<Rule><ID>mpu</ID><Prefix></Prefix><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>" +
            "<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration></Rule>"));
        Assert.True(put.Status == 200, put.Text);
        var got = await c.SendAsync("GET", "/life", "lifecycle");
        Assert.Equal(200, got.Status);
        Assert.Contains("<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>", got.Text, StringComparison.Ordinal);
        Assert.Contains("<And><Prefix>tmp/</Prefix><Tag><Key>t</Key><Value>1</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And>", got.Text, StringComparison.Ordinal);
        Assert.Contains("<Date>2030-01-01T00:00:00.000Z</Date>", got.Text, StringComparison.Ordinal);
        Assert.Matches("<Rule><ID>[0-9a-f]{32}</ID>", got.Text); // an ID is given to a rule without one
        Assert.Contains("<Prefix></Prefix><Status>Enabled</Status>", got.Text, StringComparison.Ordinal);
        Assert.Contains("<NoncurrentDays>5</NoncurrentDays>", got.Text, StringComparison.Ordinal);

        async Task Refused(string rules, string code, int status = 400)
        {
            var r = await c.SendAsync("PUT", "/life", "lifecycle", Xml(rules));
            Assert.True(r.ErrorCode == code && r.Status == status, $"{rules}: {r.Status} {r.Text}");
            Assert.Contains("<ID>logs</ID>", (await c.SendAsync("GET", "/life", "lifecycle")).Text, StringComparison.Ordinal);
        }
        const string Exp = "<Expiration><Days>1</Days></Expiration>";
        await Refused("", "MalformedXML");
        await Refused($"<Rule><Filter/>{Exp}</Rule>", "MalformedXML"); // no Status
        await Refused($"<Rule><Status>On</Status><Filter/>{Exp}</Rule>", "MalformedXML");
        await Refused($"<Rule><Status>Enabled</Status>{Exp}</Rule>", "MalformedXML"); // neither Filter nor Prefix
        await Refused($"<Rule><Prefix/><Filter/><Status>Enabled</Status>{Exp}</Rule>", "MalformedXML");
        await Refused("<Rule><Filter/><Status>Enabled</Status></Rule>", "InvalidRequest"); // no action
        await Refused("<Rule><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>", "InvalidArgument");
        await Refused("<Rule><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration></Rule>", "InvalidArgument");
        await Refused($"<Rule><ID>a</ID><Filter/><Status>Enabled</Status>{Exp}</Rule><Rule><ID>a</ID><Filter/><Status>Enabled</Status>{Exp}</Rule>", "InvalidArgument");
        await Refused("<Rule><Filter><Tag><Key>t</Key><Value>1</Value></Tag></Filter><Status>Enabled</Status>" +
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>", "InvalidRequest");
        await Refused("<Rule><Filter/><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>",
            "NotImplemented", 501);

        Assert.Equal(204, (await c.SendAsync("DELETE", "/life", "lifecycle")).Status);
        Assert.Equal("NoSuchLifecycleConfiguration", (await c.SendAsync("GET", "/life", "lifecycle")).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_pass_expires_objects_and_aborts_uploads_the_rules_name(string front)
    {
        // Writes happen at the real time; the pass judges them at a clock the test moves forward.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var t = await TestServer.StartAsync(front, lifecycleClock: clock);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/life")).Status);
        // The upload first and tmp/untagged last: the last write's time bounds every other.
        var mpu = await c.SendAsync("POST", "/life/logs/upload", "uploads");
        string uploadId = Regex.Match(mpu.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        foreach (string key in new[] { "logs/a", "logs/b", "keep/c", "tmp/small", "tmp/big", "tmp/untagged" })
        {
            var headers = key.StartsWith("tmp/", StringComparison.Ordinal) && key != "tmp/untagged" ? new[] { ("x-amz-tagging", "expire=yes") } : [];
            byte[] body = key == "tmp/big" ? new byte[100] : [1];
            Assert.Equal(200, (await c.PutObjectAsync("life", key, body, headers)).Status);
        }
        var put = await c.SendAsync("PUT", "/life", "lifecycle", Xml(
            "<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration>" +
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>" +
            "<Rule><ID>tmp</ID><Filter><And><Prefix>tmp/</Prefix><Tag><Key>expire</Key><Value>yes</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter>" +
            "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>" +
            "<Rule><ID>off</ID><Filter><Prefix>keep/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>"));
        Assert.True(put.Status == 200, put.Text);
        async Task<bool> Exists(string key) => (await c.SendAsync("HEAD", "/life/" + key)).Status == 200;

        // Not yet a day old: nothing happens.
        var report = await t.Server.Lifecycle.RunOnceAsync();
        Assert.Equal((0, 0), (report.Expired, report.Aborted));

        // Past the first midnight after a day: the tagged big tmp object and the upload go, logs stay (2 days). Times
        // come from the writes themselves (the last one's Last-Modified, rounded up), so a run across midnight judges
        // the same way.
        var written = DateTimeOffset.Parse((await c.SendAsync("HEAD", "/life/tmp/untagged")).Header("Last-Modified")!,
            System.Globalization.CultureInfo.InvariantCulture).AddSeconds(1);
        static DateTimeOffset MidnightAfter(DateTimeOffset t) => new DateTimeOffset(t.UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
        clock.Now = MidnightAfter(written.AddDays(1));
        report = await t.Server.Lifecycle.RunOnceAsync();
        Assert.Equal((1, 1), (report.Expired, report.Aborted));
        Assert.False(await Exists("tmp/big"));
        Assert.True(await Exists("tmp/small"));     // 1 byte: not > 10
        Assert.True(await Exists("tmp/untagged"));  // no tag
        Assert.True(await Exists("logs/a"));
        Assert.Equal("NoSuchUpload", (await c.SendAsync("GET", "/life/logs/upload", "uploadId=" + Uri.EscapeDataString(uploadId))).ErrorCode);

        clock.Now = MidnightAfter(written.AddDays(2)).AddHours(1);
        report = await t.Server.Lifecycle.RunOnceAsync();
        Assert.Equal(2, report.Expired);
        Assert.False(await Exists("logs/a"));
        Assert.False(await Exists("logs/b"));
        Assert.True(await Exists("keep/c")); // its rule is disabled

        // An expiration date expires everything the rule names from that midnight on.
        Assert.Equal(200, (await c.SendAsync("PUT", "/life", "lifecycle", Xml(
            $"<Rule><ID>all</ID><Filter/><Status>Enabled</Status><Expiration><Date>{clock.Now.Date.AddDays(1):yyyy-MM-dd}T00:00:00Z</Date></Expiration></Rule>"))).Status);
        Assert.Equal(0, (await t.Server.Lifecycle.RunOnceAsync()).Expired);
        clock.Now = clock.Now.Date.AddDays(1);
        Assert.Equal(3, (await t.Server.Lifecycle.RunOnceAsync()).Expired);
        Assert.DoesNotContain("<Contents>", (await c.SendAsync("GET", "/life")).Text, StringComparison.Ordinal);
    }
}
