using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Conditional deletes, as S3 has them since 2025: DeleteObject with If-Match (an ETag or *), x-amz-if-match-size and
/// x-amz-if-match-last-modified-time; DeleteObjects with per-object ETag, Size and LastModifiedTime. A condition that
/// does not hold is 412 and deletes nothing; a condition on a missing key is NoSuchKey; a malformed one is refused,
/// never ignored. Every front × both stores.
/// </summary>
public class ConditionalDeleteTests
{
    private static string Http(DateTimeOffset t) => t.UtcDateTime.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task DeleteObject_deletes_only_the_version_its_conditions_name(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/cdel")).Status);
        byte[] body = "twelve bytes"u8.ToArray();
        Assert.Equal(200, (await c.PutObjectAsync("cdel", "k", body)).Status);
        var head = await c.SendAsync("HEAD", "/cdel/k");
        string etag = head.Header("ETag")!;
        var modified = DateTimeOffset.Parse(head.Header("Last-Modified")!, System.Globalization.CultureInfo.InvariantCulture);

        async Task Refused(string code, int status, params (string, string)[] headers)
        {
            var r = await c.SendAsync("DELETE", "/cdel/k", headers: headers);
            Assert.True(r.Status == status && r.ErrorCode == code, $"{string.Join(",", headers)}: {r.Status} {r.Text}");
            Assert.Equal(200, (await c.SendAsync("HEAD", "/cdel/k")).Status);
        }
        await Refused("PreconditionFailed", 412, ("If-Match", "\"0123456789abcdef0123456789abcdef\""));
        await Refused("PreconditionFailed", 412, ("x-amz-if-match-size", "13"));
        await Refused("PreconditionFailed", 412, ("x-amz-if-match-last-modified-time", Http(modified.AddSeconds(-5))));
        await Refused("PreconditionFailed", 412, ("If-Match", etag), ("x-amz-if-match-size", "11"));
        await Refused("InvalidArgument", 400, ("x-amz-if-match-size", "twelve"));
        await Refused("InvalidArgument", 400, ("x-amz-if-match-last-modified-time", "yesterday"));

        // All three holding (and If-Match without quotes, as awscli sends it): deleted.
        var ok = await c.SendAsync("DELETE", "/cdel/k", headers:
            [("If-Match", etag.Trim('"')), ("x-amz-if-match-size", "12"), ("x-amz-if-match-last-modified-time", Http(modified))]);
        Assert.True(ok.Status == 204, ok.Text);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/cdel/k")).Status);

        // A condition names a version that must exist: NoSuchKey; without one, deleting nothing is still 204.
        Assert.Equal((404, "NoSuchKey"), await Status(c.SendAsync("DELETE", "/cdel/k", headers: [("If-Match", "*")])));
        Assert.Equal((404, "NoSuchKey"), await Status(c.SendAsync("DELETE", "/cdel/k", headers: [("x-amz-if-match-size", "12")])));
        Assert.Equal(204, (await c.SendAsync("DELETE", "/cdel/k")).Status);

        // If-Match: * deletes whatever is there.
        Assert.Equal(200, (await c.PutObjectAsync("cdel", "k", body)).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/cdel/k", headers: [("If-Match", "*")])).Status);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/cdel/k")).Status);
    }

    private static async Task<(int, string?)> Status(Task<S3Response> call)
    {
        var r = await call;
        return (r.Status, r.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task DeleteObjects_checks_each_objects_conditions_and_answers_each_key(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/cdel")).Status);
        var etags = new Dictionary<string, string>();
        foreach (string key in new[] { "a", "b", "c", "d", "e" })
        {
            var put = await c.PutObjectAsync("cdel", key, Encoding.UTF8.GetBytes("body of " + key));
            Assert.True(put.Status == 200, key + ": " + put.Text);
            etags[key] = (await c.SendAsync("HEAD", "/cdel/" + key)).Header("ETag")!;
        }
        var modified = DateTimeOffset.Parse((await c.SendAsync("HEAD", "/cdel/e")).Header("Last-Modified")!, System.Globalization.CultureInfo.InvariantCulture);
        string stamp = modified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        string xml = "<Delete>" +
            $"<Object><Key>a</Key><ETag>{System.Security.SecurityElement.Escape(etags["a"])}</ETag></Object>" +
            "<Object><Key>b</Key><ETag>\"ffffffffffffffffffffffffffffffff\"</ETag></Object>" +
            "<Object><Key>c</Key><Size>9</Size></Object>" +
            "<Object><Key>d</Key><Size>99</Size></Object>" +
            $"<Object><Key>e</Key><LastModifiedTime>{stamp}</LastModifiedTime></Object>" +
            "<Object><Key>missing</Key><ETag>\"ffffffffffffffffffffffffffffffff\"</ETag></Object>" +
            "</Delete>";
        byte[] payload = Encoding.UTF8.GetBytes(xml);
        var r = await c.SendAsync("POST", "/cdel", "delete", payload, headers: [("Content-MD5", S3TestClient.Md5Base64(payload))]);
        Assert.True(r.Status == 200, r.Text);
        var deleted = Regex.Matches(r.Text, "<Deleted><Key>([^<]*)</Key>").Select(m => m.Groups[1].Value).ToList();
        var errors = Regex.Matches(r.Text, "<Error><Key>([^<]*)</Key>(?:<VersionId>[^<]*</VersionId>)?<Code>([^<]*)</Code>")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(["a", "c", "e"], deleted.Order().ToList());
        Assert.Equal("PreconditionFailed", errors["b"]);
        Assert.Equal("PreconditionFailed", errors["d"]);
        Assert.Equal("NoSuchKey", errors["missing"]);
        foreach (string gone in new[] { "a", "c", "e" }) Assert.Equal(404, (await c.SendAsync("HEAD", "/cdel/" + gone)).Status);
        foreach (string kept in new[] { "b", "d" }) Assert.Equal(200, (await c.SendAsync("HEAD", "/cdel/" + kept)).Status);
    }
}
