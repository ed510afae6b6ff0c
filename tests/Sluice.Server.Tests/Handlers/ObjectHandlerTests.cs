using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Server.Index;

namespace Sluice.Server.Tests.Handlers;

/// <summary>PutObject, GetObject, HeadObject, DeleteObject, CopyObject and DeleteObjects through the real server.</summary>
public class ObjectHandlerTests
{
    private static async Task<TestServer> WithBucket(string? engine = null)
    {
        var t = await TestServer.StartAsync(engine);
        var created = await t.Client.SendAsync("PUT", "/bkt");
        Assert.True(created.Status == 200, created.Text);
        return t;
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Put_then_get_is_byte_exact_with_metadata_and_md5_etag(string engine)
    {
        await using var t = await WithBucket(engine);
        var c = t.Client;
        var body = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        const string key = "dir/some key ü+%.bin";
        var put = await c.PutObjectAsync("bkt", key, body, ("Content-Type", "application/x-test"),
            ("x-amz-meta-Color", "blue"), ("Cache-Control", "no-cache"), ("Content-MD5", S3TestClient.Md5Base64(body)));
        Assert.Equal(200, put.Status);
        Assert.Equal(S3TestClient.Md5ETag(body), put.Header("ETag"));

        var get = await c.GetObjectAsync("bkt", key);
        Assert.Equal(200, get.Status);
        Assert.Equal(body, get.Body);
        Assert.Equal(S3TestClient.Md5ETag(body), get.Header("ETag"));
        Assert.Equal("application/x-test", get.Header("Content-Type"));
        Assert.Equal("blue", get.Header("x-amz-meta-color"));
        Assert.Equal("no-cache", get.Header("Cache-Control"));
        Assert.NotNull(get.Header("Last-Modified"));

        var head = await c.SendAsync("HEAD", "/bkt/" + S3TestClient.EncodeKey(key));
        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal(S3TestClient.Number(body.Length), head.Header("Content-Length"));

        var empty = await c.PutObjectAsync("bkt", "empty", []);
        Assert.Equal(200, empty.Status);
        var emptyGet = await c.GetObjectAsync("bkt", "empty");
        Assert.Equal(200, emptyGet.Status);
        Assert.Empty(emptyGet.Body);
        Assert.Equal("\"d41d8cd98f00b204e9800998ecf8427e\"", emptyGet.Header("ETag")); // MD5 of nothing (RFC 1321 test suite)
    }

    [Fact]
    public async Task Checksums_are_verified_stored_and_returned_when_asked()
    {
        await using var t = await WithBucket();
        var c = t.Client;
        var body = "123456789"u8.ToArray();
        // CRC-32 of "123456789" is 0xCBF43926 (the standard check value); base64 of its big-endian bytes.
        const string crc32 = "y/Q5Jg==";
        var put = await c.PutObjectAsync("bkt", "crc", body, ("x-amz-checksum-crc32", crc32));
        Assert.Equal(200, put.Status);
        Assert.Equal(crc32, put.Header("x-amz-checksum-crc32"));

        var plain = await c.GetObjectAsync("bkt", "crc");
        Assert.Null(plain.Header("x-amz-checksum-crc32"));
        var withMode = await c.GetObjectAsync("bkt", "crc", ("x-amz-checksum-mode", "ENABLED"));
        Assert.Equal(crc32, withMode.Header("x-amz-checksum-crc32"));

        var bad = await c.PutObjectAsync("bkt", "crc", "other"u8.ToArray(), ("x-amz-checksum-crc32", crc32));
        Assert.Equal(400, bad.Status);
        Assert.Equal("BadDigest", bad.ErrorCode);
        var badMd5 = await c.PutObjectAsync("bkt", "crc", "other"u8.ToArray(), ("Content-MD5", S3TestClient.Md5Base64(body)));
        Assert.Equal("BadDigest", badMd5.ErrorCode);
        Assert.Equal("InvalidDigest", (await c.PutObjectAsync("bkt", "crc", body, ("Content-MD5", "nope"))).ErrorCode);
        // A refused write changes nothing.
        Assert.Equal(body, (await c.GetObjectAsync("bkt", "crc")).Body);
    }

    [Fact]
    public async Task Range_requests_serve_206_and_unsatisfiable_ranges_416()
    {
        await using var t = await WithBucket();
        var c = t.Client;
        var body = RandomNumberGenerator.GetBytes(1000);
        await c.PutObjectAsync("bkt", "r", body);

        var mid = await c.GetObjectAsync("bkt", "r", ("Range", "bytes=10-19"));
        Assert.Equal(206, mid.Status);
        Assert.Equal(body[10..20], mid.Body);
        Assert.Equal("bytes 10-19/1000", mid.Header("Content-Range"));

        var suffix = await c.GetObjectAsync("bkt", "r", ("Range", "bytes=-5"));
        Assert.Equal(body[995..], suffix.Body);
        var open = await c.GetObjectAsync("bkt", "r", ("Range", "bytes=990-"));
        Assert.Equal(body[990..], open.Body);
        Assert.Equal("bytes 990-999/1000", open.Header("Content-Range"));

        var beyond = await c.GetObjectAsync("bkt", "r", ("Range", "bytes=1000-"));
        Assert.Equal(416, beyond.Status);
        Assert.Equal("InvalidRange", beyond.ErrorCode);
        Assert.Equal("bytes */1000", beyond.Header("Content-Range"));
    }

    [Fact]
    public async Task Conditional_reads_and_create_only_writes()
    {
        await using var t = await WithBucket();
        var c = t.Client;
        var body = "conditional"u8.ToArray();
        string etag = S3TestClient.Md5ETag(body);
        Assert.Equal(200, (await c.PutObjectAsync("bkt", "k", body, ("If-None-Match", "*"))).Status);
        var exists = await c.PutObjectAsync("bkt", "k", body, ("If-None-Match", "*"));
        Assert.Equal(412, exists.Status);
        Assert.Equal("PreconditionFailed", exists.ErrorCode);

        Assert.Equal(304, (await c.GetObjectAsync("bkt", "k", ("If-None-Match", etag))).Status);
        Assert.Equal(200, (await c.GetObjectAsync("bkt", "k", ("If-Match", etag))).Status);
        var mismatch = await c.GetObjectAsync("bkt", "k", ("If-Match", "\"0123\""));
        Assert.Equal(412, mismatch.Status);
        Assert.Equal("PreconditionFailed", mismatch.ErrorCode);
        string future = DateTimeOffset.UtcNow.AddDays(1).ToString("R");
        string past = DateTimeOffset.UtcNow.AddDays(-1).ToString("R");
        Assert.Equal(304, (await c.GetObjectAsync("bkt", "k", ("If-Modified-Since", future))).Status);
        Assert.Equal(200, (await c.GetObjectAsync("bkt", "k", ("If-Modified-Since", past))).Status);
        Assert.Equal(412, (await c.GetObjectAsync("bkt", "k", ("If-Unmodified-Since", past))).Status);

        // If-Match on a write replaces only that version.
        Assert.Equal(412, (await c.PutObjectAsync("bkt", "k", body, ("If-Match", "\"0123\""))).Status);
        Assert.Equal(200, (await c.PutObjectAsync("bkt", "k", "v2"u8.ToArray(), ("If-Match", etag))).Status);
        Assert.Equal(501, (await c.PutObjectAsync("bkt", "k", body, ("If-None-Match", etag))).Status);
    }

    [Fact]
    public async Task Missing_objects_and_buckets_and_idempotent_delete()
    {
        await using var t = await WithBucket();
        var c = t.Client;
        var nokey = await c.GetObjectAsync("bkt", "absent");
        Assert.Equal(404, nokey.Status);
        Assert.Equal("NoSuchKey", nokey.ErrorCode);
        Assert.Equal("NoSuchBucket", (await c.GetObjectAsync("nobucket", "k")).ErrorCode);
        Assert.Equal("NoSuchBucket", (await c.PutObjectAsync("nobucket", "k", [1])).ErrorCode);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/bkt/absent")).Status);
        var head = await c.SendAsync("HEAD", "/bkt/absent");
        Assert.Equal(404, head.Status);
        Assert.Empty(head.Body);
        var tooLong = await c.PutObjectAsync("bkt", new string('k', 1025), [1]);
        Assert.Equal("KeyTooLongError", tooLong.ErrorCode);
    }

    [Fact]
    public async Task Response_overrides_replace_the_stored_headers()
    {
        await using var t = await WithBucket();
        var c = t.Client;
        await c.PutObjectAsync("bkt", "o", [1, 2], ("Content-Type", "text/plain"));
        var r = await c.SendAsync("GET", "/bkt/o", "response-content-type=application%2Fjson&response-content-disposition=attachment");
        Assert.Equal(200, r.Status);
        Assert.Equal("application/json", r.Header("Content-Type"));
        Assert.Equal("attachment", r.Header("Content-Disposition"));
    }

    [Fact]
    public async Task Copy_object_copies_or_replaces_metadata_and_checks_source_conditions()
    {
        await using var t = await WithBucket();
        var c = t.Client;
        var body = RandomNumberGenerator.GetBytes(70_000);
        await c.PutObjectAsync("bkt", "src", body, ("x-amz-meta-a", "1"), ("Content-Type", "text/x-src"));

        var copy = await c.SendAsync("PUT", "/bkt/dst", headers: [("x-amz-copy-source", "/bkt/src")]);
        Assert.Equal(200, copy.Status);
        Assert.Contains("<CopyObjectResult", copy.Text);
        Assert.Contains(S3TestClient.Md5ETag(body).Replace("\"", "&quot;", StringComparison.Ordinal), copy.Text.Replace("\"", "&quot;", StringComparison.Ordinal));
        var dst = await c.GetObjectAsync("bkt", "dst");
        Assert.Equal(body, dst.Body);
        Assert.Equal("1", dst.Header("x-amz-meta-a"));
        Assert.Equal("text/x-src", dst.Header("Content-Type"));

        var replaced = await c.SendAsync("PUT", "/bkt/dst2", headers:
            [("x-amz-copy-source", "bkt/src"), ("x-amz-metadata-directive", "REPLACE"), ("x-amz-meta-b", "2")]);
        Assert.Equal(200, replaced.Status);
        var dst2 = await c.GetObjectAsync("bkt", "dst2");
        Assert.Null(dst2.Header("x-amz-meta-a"));
        Assert.Equal("2", dst2.Header("x-amz-meta-b"));

        var failed = await c.SendAsync("PUT", "/bkt/dst3", headers:
            [("x-amz-copy-source", "/bkt/src"), ("x-amz-copy-source-if-match", "\"0000\"")]);
        Assert.Equal(412, failed.Status);
        Assert.Equal(404, (await c.GetObjectAsync("bkt", "dst3")).Status);
        var self = await c.SendAsync("PUT", "/bkt/src", headers: [("x-amz-copy-source", "/bkt/src")]);
        Assert.Equal("InvalidRequest", self.ErrorCode);
        var noSource = await c.SendAsync("PUT", "/bkt/x", headers: [("x-amz-copy-source", "/bkt/missing")]);
        Assert.Equal("NoSuchKey", noSource.ErrorCode);

        var list = await c.SendAsync("GET", "/bkt", "list-type=2");
        Assert.Contains("<Key>dst</Key>", list.Text);
        Assert.Contains("<Key>dst2</Key>", list.Text);
    }

    [Fact]
    public async Task Delete_objects_quiet_and_verbose_and_requires_an_integrity_header()
    {
        await using var t = await WithBucket();
        var c = t.Client;
        for (int i = 0; i < 5; i++) await c.PutObjectAsync("bkt", $"d{i}", [(byte)i]);
        byte[] Xml(bool quiet, params string[] keys) => Encoding.UTF8.GetBytes(
            $"<Delete>{(quiet ? "<Quiet>true</Quiet>" : "")}{string.Concat(keys.Select(k => $"<Object><Key>{k}</Key></Object>"))}</Delete>");

        var verboseBody = Xml(false, "d0", "d1", "nothere");
        var verbose = await c.SendAsync("POST", "/bkt", "delete", verboseBody, [("Content-MD5", S3TestClient.Md5Base64(verboseBody))]);
        Assert.Equal(200, verbose.Status);
        Assert.Contains("<Deleted><Key>d0</Key></Deleted>", verbose.Text);
        Assert.Contains("<Deleted><Key>nothere</Key></Deleted>", verbose.Text);

        var quietBody = Xml(true, "d2", "d3");
        var quiet = await c.SendAsync("POST", "/bkt", "delete", quietBody, [("Content-MD5", S3TestClient.Md5Base64(quietBody))]);
        Assert.Equal(200, quiet.Status);
        Assert.DoesNotContain("<Deleted>", quiet.Text);

        var unchecked_ = await c.SendAsync("POST", "/bkt", "delete", Xml(false, "d4"));
        Assert.Equal("InvalidRequest", unchecked_.ErrorCode);
        var wrongMd5 = await c.SendAsync("POST", "/bkt", "delete", Xml(false, "d4"), [("Content-MD5", S3TestClient.Md5Base64(quietBody))]);
        Assert.Equal("BadDigest", wrongMd5.ErrorCode);
        var malformed = "<Delete><Object>"u8.ToArray();
        Assert.Equal("MalformedXML", (await c.SendAsync("POST", "/bkt", "delete", malformed, [("Content-MD5", S3TestClient.Md5Base64(malformed))])).ErrorCode);

        var list = await c.SendAsync("GET", "/bkt", "list-type=2");
        Assert.DoesNotContain("<Key>d0</Key>", list.Text);
        Assert.DoesNotContain("<Key>d3</Key>", list.Text);
        Assert.Contains("<Key>d4</Key>", list.Text);
    }

    [Fact]
    public async Task Delete_objects_the_index_cannot_journal_change_nothing_and_answer_errors_then_delete_for_good()
    {
        // More keys than the handler deletes at once, so the concurrent deletes share failed and healthy group commits.
        var faults = new IndexFaults();
        await using var t = await TestServer.StartAsync(indexFaults: faults);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/bkt")).Status);
        var keys = Enumerable.Range(0, 300).Select(i => $"many/{i:D3}").ToList();
        foreach (var key in keys) Assert.Equal(200, (await t.Client.PutObjectAsync("bkt", key, Encoding.UTF8.GetBytes(key))).Status);
        byte[] xml = Encoding.UTF8.GetBytes($"<Delete>{string.Concat(keys.Select(k => $"<Object><Key>{k}</Key></Object>"))}</Delete>");
        (string, string)[] md5 = [("Content-MD5", S3TestClient.Md5Base64(xml))];
        async Task<List<string>> ListAsync() => Regex.Matches((await t.Client.SendAsync("GET", "/bkt", "list-type=2")).Text,
            "<Contents><Key>([^<]*)</Key>").Select(m => m.Groups[1].Value).ToList();

        faults.FailWrites = true;
        var failed = await t.Client.SendAsync("POST", "/bkt", "delete", xml, md5);
        faults.FailWrites = false;
        Assert.True(failed.Status == 200, failed.Text);
        Assert.True(faults.Failures > 0);
        Assert.DoesNotContain("<Deleted>", failed.Text);
        var errors = Regex.Matches(failed.Text, "<Error><Key>([^<]*)</Key><Code>([^<]*)</Code>").ToList();
        Assert.Equal(keys, errors.Select(m => m.Groups[1].Value));
        Assert.All(errors, m => Assert.Equal("InternalError", m.Groups[2].Value));
        Assert.Equal(keys, await ListAsync());
        foreach (var key in keys) Assert.Equal(key, (await t.Client.GetObjectAsync("bkt", key)).Text);

        var deleted = await t.Client.SendAsync("POST", "/bkt", "delete", xml, md5);
        Assert.Equal(200, deleted.Status);
        Assert.DoesNotContain("<Error>", deleted.Text);
        Assert.Equal(keys, Regex.Matches(deleted.Text, "<Deleted><Key>([^<]*)</Key>").Select(m => m.Groups[1].Value));
        Assert.Empty(await ListAsync());

        await t.RestartAsync();
        Assert.False(t.Server.StartupRepair.Reconciled);
        Assert.Empty(await ListAsync());
        foreach (var key in keys) Assert.Equal(404, (await t.Client.SendAsync("HEAD", "/bkt/" + key)).Status);
    }
}
