using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Object and bucket tagging over HTTP, every front × both stores: tags set by x-amz-tagging on PUT, multipart and
/// copy (both directives), read back by GetObjectTagging and counted in x-amz-tagging-count, replaced and removed
/// without touching the bytes, ETag or LastModified; S3's limits refused whole (nothing half-applied); bucket tag sets;
/// and, on disk, tags that survive a restart.
/// </summary>
public class TaggingHandlerTests
{
    private static List<(string Key, string Value)> Tags(string xml) =>
        Regex.Matches(xml, "<Tag><Key>([^<]*)</Key><Value>([^<]*)</Value></Tag>")
            .Select(m => (System.Net.WebUtility.HtmlDecode(m.Groups[1].Value), System.Net.WebUtility.HtmlDecode(m.Groups[2].Value)))
            .ToList();

    private static byte[] TaggingXml(params (string Key, string Value)[] tags)
    {
        var sb = new StringBuilder("<Tagging><TagSet>");
        foreach (var (k, v) in tags)
            sb.Append("<Tag><Key>").Append(System.Security.SecurityElement.Escape(k)).Append("</Key><Value>")
              .Append(System.Security.SecurityElement.Escape(v)).Append("</Value></Tag>");
        return Encoding.UTF8.GetBytes(sb.Append("</TagSet></Tagging>").ToString());
    }

    private static async Task<List<(string, string)>> GetTagsAsync(S3TestClient c, string path)
    {
        var r = await c.SendAsync("GET", path, "tagging");
        Assert.True(r.Status == 200, r.Text);
        return Tags(r.Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Object_tags_are_set_read_counted_replaced_and_removed_without_changing_the_object(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags")).Status);
        var body = RandomNumberGenerator.GetBytes(70_000);
        var put = await c.PutObjectAsync("tags", "k", body, ("x-amz-tagging", "project=blue&a%20b=c+d&empty="));
        Assert.True(put.Status == 200, put.Text);
        Assert.Equal([("project", "blue"), ("a b", "c d"), ("empty", "")], await GetTagsAsync(c, "/tags/k"));

        var head = await c.SendAsync("HEAD", "/tags/k");
        Assert.Equal("3", head.Header("x-amz-tagging-count"));
        var get = await c.GetObjectAsync("tags", "k");
        Assert.Equal("3", get.Header("x-amz-tagging-count"));
        Assert.Equal(body, get.Body);

        // Replaced whole: the bytes, ETag and Last-Modified stay.
        var replace = await c.SendAsync("PUT", "/tags/k", "tagging", TaggingXml(("only", "one")));
        Assert.True(replace.Status == 200, replace.Text);
        Assert.Equal([("only", "one")], await GetTagsAsync(c, "/tags/k"));
        var after = await c.GetObjectAsync("tags", "k");
        Assert.Equal(body, after.Body);
        Assert.Equal(head.Header("ETag"), after.Header("ETag"));
        Assert.Equal(head.Header("Last-Modified"), after.Header("Last-Modified"));
        Assert.Equal("1", after.Header("x-amz-tagging-count"));

        var delete = await c.SendAsync("DELETE", "/tags/k", "tagging");
        Assert.Equal(204, delete.Status);
        Assert.Empty(await GetTagsAsync(c, "/tags/k"));
        Assert.Matches("<TagSet/></Tagging>$", (await c.SendAsync("GET", "/tags/k", "tagging")).Text);
        Assert.Null((await c.SendAsync("HEAD", "/tags/k")).Header("x-amz-tagging-count"));
        Assert.Equal(body, (await c.GetObjectAsync("tags", "k")).Body);

        // An overwrite without tags has none.
        Assert.Equal(200, (await c.PutObjectAsync("tags", "k", body, ("x-amz-tagging", "x=y"))).Status);
        Assert.Equal(200, (await c.PutObjectAsync("tags", "k", body)).Status);
        Assert.Empty(await GetTagsAsync(c, "/tags/k"));

        foreach (var (method, payload) in new[] { ("GET", (byte[]?)null), ("PUT", TaggingXml(("a", "b"))), ("DELETE", null) })
        {
            Assert.Equal("NoSuchKey", (await c.SendAsync(method, "/tags/absent", "tagging", payload)).ErrorCode);
            Assert.Equal("NoSuchBucket", (await c.SendAsync(method, "/nobucket/k", "tagging", payload)).ErrorCode);
        }
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Tag_sets_that_break_S3s_limits_are_refused_whole(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags")).Status);
        Assert.Equal(200, (await c.PutObjectAsync("tags", "k", [1, 2, 3], ("x-amz-tagging", "keep=me"))).Status);

        // At the limits: 10 tags, a 128-character key, a 256-character value, S3's allowed punctuation.
        var ten = Enumerable.Range(0, 10).Select(i => ($"k{i}", $"v{i}")).ToArray();
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags/k", "tagging", TaggingXml(ten))).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags/k", "tagging",
            TaggingXml((new string('k', 128), new string('v', 256)), ("ok +-=._:/@ é", "ünïcode 9")))).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags/k", "tagging", TaggingXml(("keep", "me")))).Status);

        async Task Refused(byte[] xml, string code)
        {
            var r = await c.SendAsync("PUT", "/tags/k", "tagging", xml);
            Assert.True(r.ErrorCode == code, $"{Encoding.UTF8.GetString(xml)}: {r.Status} {r.Text}");
            Assert.Equal(400, r.Status);
            Assert.Equal([("keep", "me")], await GetTagsAsync(c, "/tags/k"));
        }
        await Refused(TaggingXml(Enumerable.Range(0, 11).Select(i => ($"k{i}", "v")).ToArray()), "InvalidTag");
        await Refused(TaggingXml((new string('k', 129), "v")), "InvalidTag");
        await Refused(TaggingXml(("k", new string('v', 257))), "InvalidTag");
        await Refused(TaggingXml(("dup", "1"), ("dup", "2")), "InvalidTag");
        await Refused(TaggingXml(("aws:reserved", "1")), "InvalidTag");
        await Refused(TaggingXml(("bad<char", "1")), "InvalidTag");
        await Refused(TaggingXml(("", "1")), "InvalidTag");
        await Refused("<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>"u8.ToArray(), "MalformedXML");
        await Refused("<Tagging><TagSet>"u8.ToArray(), "MalformedXML");
        await Refused("<Other/>"u8.ToArray(), "MalformedXML");

        // A Content-MD5 that does not match the body is BadDigest, and changes nothing.
        var md5 = await c.SendAsync("PUT", "/tags/k", "tagging", TaggingXml(("a", "b")),
            headers: [("Content-MD5", S3TestClient.Md5Base64("other"u8.ToArray()))]);
        Assert.Equal("BadDigest", md5.ErrorCode);
        var withMd5 = TaggingXml(("a", "b"));
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags/k", "tagging", withMd5, headers: [("Content-MD5", S3TestClient.Md5Base64(withMd5))])).Status);

        // x-amz-tagging on a write: a bad set stores nothing.
        foreach (var (header, code) in new[] { ("a=1&a=2", "InvalidArgument"), (string.Join("&", Enumerable.Range(0, 11).Select(i => $"k{i}=v")), "InvalidTag"),
                     ("k=" + new string('v', 257), "InvalidTag"), ("aws%3Ax=1", "InvalidTag") })
        {
            var r = await c.PutObjectAsync("tags", "new", [1], ("x-amz-tagging", header));
            Assert.True(r.ErrorCode == code, $"{header}: {r.Status} {r.Text}");
            Assert.Equal(404, (await c.SendAsync("HEAD", "/tags/new")).Status);
            var mpu = await c.SendAsync("POST", "/tags/new", "uploads", headers: [("x-amz-tagging", header)]);
            Assert.Equal(code, mpu.ErrorCode);
        }
        Assert.DoesNotContain("<Upload>", (await c.SendAsync("GET", "/tags", "uploads")).Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Multipart_uploads_and_copies_carry_tags_as_S3_does(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags")).Status);
        var create = await c.SendAsync("POST", "/tags/mp", "uploads", headers: [("x-amz-tagging", "stage=raw&n=1")]);
        Assert.Equal(200, create.Status);
        string uploadId = Regex.Match(create.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        var part1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var part2 = RandomNumberGenerator.GetBytes(1000);
        string q(int n) => $"partNumber={n}&uploadId={Uri.EscapeDataString(uploadId)}";
        var up1 = await c.SendAsync("PUT", "/tags/mp", q(1), part1);
        var up2 = await c.SendAsync("PUT", "/tags/mp", q(2), part2);
        var complete = await c.SendAsync("POST", "/tags/mp", "uploadId=" + Uri.EscapeDataString(uploadId), Encoding.UTF8.GetBytes(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{up1.Header("ETag")}</ETag></Part>" +
            $"<Part><PartNumber>2</PartNumber><ETag>{up2.Header("ETag")}</ETag></Part></CompleteMultipartUpload>"));
        Assert.True(complete.Status == 200, complete.Text);
        Assert.Equal([("stage", "raw"), ("n", "1")], await GetTagsAsync(c, "/tags/mp"));

        // Retagging a multipart object keeps its parts, bytes and multipart ETag.
        var before = await c.SendAsync("HEAD", "/tags/mp");
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags/mp", "tagging", TaggingXml(("stage", "cooked")))).Status);
        var got = await c.GetObjectAsync("tags", "mp");
        Assert.Equal(part1.Concat(part2).ToArray(), got.Body);
        Assert.Equal(before.Header("ETag"), got.Header("ETag"));
        Assert.EndsWith("-2\"", got.Header("ETag"), StringComparison.Ordinal);
        Assert.Equal(before.Header("Last-Modified"), got.Header("Last-Modified"));

        // CopyObject: COPY (the default) keeps the source's tags and ignores x-amz-tagging; REPLACE takes the header
        // (none: no tags); the metadata directive does not touch tags.
        async Task<List<(string, string)>> Copy(string target, params (string, string)[] headers)
        {
            var r = await c.SendAsync("PUT", "/tags/" + target, headers: [("x-amz-copy-source", "/tags/mp"), .. headers]);
            Assert.True(r.Status == 200, r.Text);
            return await GetTagsAsync(c, "/tags/" + target);
        }
        Assert.Equal([("stage", "cooked")], await Copy("c1"));
        Assert.Equal([("stage", "cooked")], await Copy("c2", ("x-amz-tagging", "ignored=1")));
        Assert.Equal([("new", "set")], await Copy("c3", ("x-amz-tagging-directive", "REPLACE"), ("x-amz-tagging", "new=set")));
        Assert.Empty(await Copy("c4", ("x-amz-tagging-directive", "REPLACE")));
        Assert.Equal([("stage", "cooked")], await Copy("c5", ("x-amz-metadata-directive", "REPLACE"), ("Content-Type", "text/x-new")));
        Assert.Equal("1", (await c.SendAsync("HEAD", "/tags/c5")).Header("x-amz-tagging-count"));

        var bogus = await c.SendAsync("PUT", "/tags/c6", headers: [("x-amz-copy-source", "/tags/mp"), ("x-amz-tagging-directive", "MERGE")]);
        Assert.Equal("InvalidArgument", bogus.ErrorCode);
        var badSet = await c.SendAsync("PUT", "/tags/c6", headers:
            [("x-amz-copy-source", "/tags/mp"), ("x-amz-tagging-directive", "REPLACE"), ("x-amz-tagging", "aws:x=1")]);
        Assert.Equal("InvalidTag", badSet.ErrorCode);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/tags/c6")).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Bucket_tag_sets_are_stored_replaced_and_deleted(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal("NoSuchBucket", (await c.SendAsync("GET", "/btags", "tagging")).ErrorCode);
        Assert.Equal("NoSuchBucket", (await c.SendAsync("PUT", "/btags", "tagging", TaggingXml(("a", "b")))).ErrorCode);
        Assert.Equal(200, (await c.SendAsync("PUT", "/btags")).Status);
        var none = await c.SendAsync("GET", "/btags", "tagging");
        Assert.Equal((404, "NoSuchTagSet"), (none.Status, none.ErrorCode));

        var fifty = Enumerable.Range(0, 50).Select(i => ($"team{i}", $"v{i}")).ToArray();
        var put = await c.SendAsync("PUT", "/btags", "tagging", TaggingXml(fifty));
        Assert.Equal(204, put.Status);
        Assert.Equal(fifty.Select(p => (p.Item1, p.Item2)).ToList(), await GetTagsAsync(c, "/btags"));

        var tooMany = await c.SendAsync("PUT", "/btags", "tagging",
            TaggingXml(Enumerable.Range(0, 51).Select(i => ($"t{i}", "v")).ToArray()));
        Assert.Equal("InvalidTag", tooMany.ErrorCode);
        Assert.Equal(50, (await GetTagsAsync(c, "/btags")).Count);

        Assert.Equal(204, (await c.SendAsync("PUT", "/btags", "tagging", TaggingXml(("cost-center", "42")))).Status);
        Assert.Equal([("cost-center", "42")], await GetTagsAsync(c, "/btags"));
        // Bucket tags are not objects: the bucket still lists empty and can be deleted.
        Assert.DoesNotContain("<Contents>", (await c.SendAsync("GET", "/btags")).Text, StringComparison.Ordinal);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/btags", "tagging")).Status);
        Assert.Equal("NoSuchTagSet", (await c.SendAsync("GET", "/btags", "tagging")).ErrorCode);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/btags", "tagging")).Status);
        Assert.Equal(204, (await c.SendAsync("PUT", "/btags", "tagging", TaggingXml(("again", "1")))).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/btags")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/btags")).Status);
        Assert.Equal("NoSuchTagSet", (await c.SendAsync("GET", "/btags", "tagging")).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task Object_and_bucket_tags_survive_a_restart(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags")).Status);
        Assert.Equal(200, (await c.PutObjectAsync("tags", "k", [1, 2], ("x-amz-tagging", "a=1"))).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/tags/k", "tagging", TaggingXml(("b", "2"), ("c", "3")))).Status);
        Assert.Equal(204, (await c.SendAsync("PUT", "/tags", "tagging", TaggingXml(("owner", "me")))).Status);
        await t.RestartAsync();
        c = t.Client;
        Assert.Equal([("b", "2"), ("c", "3")], await GetTagsAsync(c, "/tags/k"));
        Assert.Equal([("owner", "me")], await GetTagsAsync(c, "/tags"));
        Assert.Equal([1, 2], (await c.GetObjectAsync("tags", "k")).Body);
    }
}
