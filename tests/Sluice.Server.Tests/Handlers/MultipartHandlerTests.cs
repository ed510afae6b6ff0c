using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>Multipart uploads through the server: create, upload, list, complete, abort, and their errors.</summary>
public class MultipartHandlerTests
{
    private static string Element(string xml, string name) => Regex.Match(xml, $"<{name}>([^<]*)</{name}>").Groups[1].Value;

    private static byte[] CompleteXml(params (int Number, string ETag)[] parts) => Encoding.UTF8.GetBytes(
        "<CompleteMultipartUpload>" + string.Concat(parts.Select(p =>
            $"<Part><PartNumber>{p.Number}</PartNumber><ETag>{System.Security.SecurityElement.Escape(p.ETag)}</ETag></Part>"))
        + "</CompleteMultipartUpload>");

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_two_part_upload_completes_into_the_concatenated_object(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/mpu")).Status);
        var create = await c.SendAsync("POST", "/mpu/big%20file", "uploads", headers: [("Content-Type", "application/x-big")]);
        Assert.Equal(200, create.Status);
        string uploadId = Element(create.Text, "UploadId");
        Assert.NotEmpty(uploadId);

        var part1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var part2 = RandomNumberGenerator.GetBytes(12345);
        string q(int n) => $"partNumber={n}&uploadId={Uri.EscapeDataString(uploadId)}";
        var up1 = await c.SendAsync("PUT", "/mpu/big%20file", q(1), part1);
        var up2 = await c.SendAsync("PUT", "/mpu/big%20file", q(2), part2);
        Assert.Equal(200, up1.Status);
        Assert.Equal(S3TestClient.Md5ETag(part1), up1.Header("ETag"));
        Assert.Equal(S3TestClient.Md5ETag(part2), up2.Header("ETag"));

        var parts = await c.SendAsync("GET", "/mpu/big%20file", "uploadId=" + Uri.EscapeDataString(uploadId));
        Assert.Equal(200, parts.Status);
        Assert.Equal(2, Regex.Count(parts.Text, "<Part>"));
        var uploads = await c.SendAsync("GET", "/mpu", "uploads");
        Assert.Contains(uploadId, uploads.Text);

        var outOfOrder = await c.SendAsync("POST", "/mpu/big%20file", "uploadId=" + Uri.EscapeDataString(uploadId),
            CompleteXml((2, up2.Header("ETag")!), (1, up1.Header("ETag")!)));
        Assert.Equal("InvalidPartOrder", outOfOrder.ErrorCode);
        // A part listed twice is not ascending either: S3 refuses it the same way (never assembles it twice).
        var twice = await c.SendAsync("POST", "/mpu/big%20file", "uploadId=" + Uri.EscapeDataString(uploadId),
            CompleteXml((1, up1.Header("ETag")!), (1, up1.Header("ETag")!), (2, up2.Header("ETag")!)));
        Assert.Equal("InvalidPartOrder", twice.ErrorCode);
        var wrongETag = await c.SendAsync("POST", "/mpu/big%20file", "uploadId=" + Uri.EscapeDataString(uploadId),
            CompleteXml((1, up1.Header("ETag")!), (2, "\"00000000000000000000000000000000\"")));
        Assert.Equal("InvalidPart", wrongETag.ErrorCode);

        var complete = await c.SendAsync("POST", "/mpu/big%20file", "uploadId=" + Uri.EscapeDataString(uploadId),
            CompleteXml((1, up1.Header("ETag")!), (2, up2.Header("ETag")!)));
        Assert.Equal(200, complete.Status);
        // S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-" and the part count.
        string expected = "\"" + Convert.ToHexStringLower(S3TestClient.Md5(
            S3TestClient.Md5(part1).Concat(S3TestClient.Md5(part2)).ToArray())) + "-2\"";
        Assert.Equal(expected, System.Net.WebUtility.HtmlDecode(Element(complete.Text, "ETag")));

        var get = await c.SendAsync("GET", "/mpu/big%20file");
        Assert.Equal(part1.Concat(part2).ToArray(), get.Body);
        Assert.Equal(expected, get.Header("ETag"));
        Assert.Equal("application/x-big", get.Header("Content-Type"));
        var list = await c.SendAsync("GET", "/mpu", "list-type=2");
        Assert.Contains("<Key>big file</Key>", list.Text);
        Assert.DoesNotContain(uploadId, (await c.SendAsync("GET", "/mpu", "uploads")).Text);
    }

    [Fact]
    public async Task Small_parts_abort_and_unknown_uploads_are_refused()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/mpu")).Status);
        string uploadId = Element((await c.SendAsync("POST", "/mpu/k", "uploads")).Text, "UploadId");
        string id = Uri.EscapeDataString(uploadId);
        var a = await c.SendAsync("PUT", "/mpu/k", $"partNumber=1&uploadId={id}", new byte[100]);
        var b = await c.SendAsync("PUT", "/mpu/k", $"partNumber=2&uploadId={id}", new byte[100]);
        var tooSmall = await c.SendAsync("POST", "/mpu/k", "uploadId=" + id, CompleteXml((1, a.Header("ETag")!), (2, b.Header("ETag")!)));
        Assert.Equal(400, tooSmall.Status);
        Assert.Equal("EntityTooSmall", tooSmall.ErrorCode);

        Assert.Equal(204, (await c.SendAsync("DELETE", "/mpu/k", "uploadId=" + id)).Status);
        var after = await c.SendAsync("GET", "/mpu/k", "uploadId=" + id);
        Assert.Equal(404, after.Status);
        Assert.Equal("NoSuchUpload", after.ErrorCode);
        Assert.Equal("NoSuchUpload", (await c.SendAsync("PUT", "/mpu/k", $"partNumber=1&uploadId={id}", [1])).ErrorCode);
        Assert.Equal(404, (await c.SendAsync("GET", "/mpu/k")).Status);
    }

    [Fact]
    public async Task Upload_part_copy_takes_a_range_of_a_source_object()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/mpu")).Status);
        var source = RandomNumberGenerator.GetBytes(6 * 1024 * 1024);
        var tail = RandomNumberGenerator.GetBytes(1000);
        await c.PutObjectAsync("mpu", "source", source);
        await c.PutObjectAsync("mpu", "tail", tail);
        string id = Uri.EscapeDataString(Element((await c.SendAsync("POST", "/mpu/joined", "uploads")).Text, "UploadId"));

        var p1 = await c.SendAsync("PUT", "/mpu/joined", $"partNumber=1&uploadId={id}", headers:
            [("x-amz-copy-source", "/mpu/source"), ("x-amz-copy-source-range", "bytes=100-5243027")]);
        Assert.Equal(200, p1.Status);
        Assert.Contains("<CopyPartResult", p1.Text);
        var p2 = await c.SendAsync("PUT", "/mpu/joined", $"partNumber=2&uploadId={id}", headers: [("x-amz-copy-source", "/mpu/tail")]);
        Assert.Equal(200, p2.Status);
        var badRange = await c.SendAsync("PUT", "/mpu/joined", $"partNumber=3&uploadId={id}", headers:
            [("x-amz-copy-source", "/mpu/tail"), ("x-amz-copy-source-range", "bytes=0-5000")]);
        Assert.Equal((416, "InvalidRange"), (badRange.Status, badRange.ErrorCode));
        var malformed = await c.SendAsync("PUT", "/mpu/joined", $"partNumber=3&uploadId={id}", headers:
            [("x-amz-copy-source", "/mpu/tail"), ("x-amz-copy-source-range", "bytes=0-hello")]);
        Assert.Equal((400, "InvalidArgument"), (malformed.Status, malformed.ErrorCode));
        var failed = await c.SendAsync("PUT", "/mpu/joined", $"partNumber=3&uploadId={id}", headers:
            [("x-amz-copy-source", "/mpu/tail"), ("x-amz-copy-source-if-none-match", S3TestClient.Md5ETag(tail))]);
        Assert.Equal(412, failed.Status);

        var complete = await c.SendAsync("POST", "/mpu/joined", "uploadId=" + id,
            CompleteXml((1, System.Net.WebUtility.HtmlDecode(Element(p1.Text, "ETag"))), (2, System.Net.WebUtility.HtmlDecode(Element(p2.Text, "ETag")))));
        Assert.Equal(200, complete.Status);
        var joined = await c.GetObjectAsync("mpu", "joined");
        Assert.Equal(source[100..5243028].Concat(tail).ToArray(), joined.Body);
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task A_manifest_object_serves_ranges_copies_deletes_overwrites_and_survives_a_restart(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/mpu")).Status);
        string id = Uri.EscapeDataString(Element((await c.SendAsync("POST", "/mpu/m", "uploads")).Text, "UploadId"));
        byte[][] parts = [RandomNumberGenerator.GetBytes(5 << 20), RandomNumberGenerator.GetBytes((5 << 20) + 777),
            RandomNumberGenerator.GetBytes(4321)];
        var etags = new List<(int, string)>();
        for (int n = 1; n <= parts.Length; n++)
            etags.Add((n, (await c.SendAsync("PUT", "/mpu/m", $"partNumber={n}&uploadId={id}", parts[n - 1])).Header("ETag")!));
        byte[] whole = [.. parts[0], .. parts[1], .. parts[2]];
        var complete = await c.SendAsync("POST", "/mpu/m", "uploadId=" + id, CompleteXml([.. etags]));
        Assert.Equal(200, complete.Status);
        string etag = System.Net.WebUtility.HtmlDecode(Element(complete.Text, "ETag"));
        // A retried Complete (the first answer lost) succeeds again with the same ETag.
        var again = await c.SendAsync("POST", "/mpu/m", "uploadId=" + id, CompleteXml([.. etags]));
        Assert.Equal(200, again.Status);
        Assert.Equal(etag, System.Net.WebUtility.HtmlDecode(Element(again.Text, "ETag")));

        async Task CheckRangesAsync(string key)
        {
            Assert.Equal(whole, (await c.GetObjectAsync("mpu", key)).Body);
            long b1 = parts[0].Length, b2 = b1 + parts[1].Length;
            foreach (var (first, last) in new (long, long)[] { (b1 - 3, b1 + 2), (b1 - 1, b2), (10, whole.Length - 10), (b2, b2), (b1, b2 - 1) })
            {
                var ranged = await c.GetObjectAsync("mpu", key, ("Range", $"bytes={first}-{last}"));
                Assert.Equal(206, ranged.Status);
                Assert.Equal(whole[(int)first..(int)(last + 1)], ranged.Body);
            }
            var suffix = await c.GetObjectAsync("mpu", key, ("Range", "bytes=-5000"));
            Assert.Equal(whole[^5000..], suffix.Body);
        }
        await CheckRangesAsync("m");
        Assert.Equal(whole.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (await c.SendAsync("HEAD", "/mpu/m")).Header("Content-Length"));

        // CopyObject and UploadPartCopy (a range across the part 1/2 boundary) from the manifest.
        Assert.Equal(200, (await c.SendAsync("PUT", "/mpu/copy", headers: [("x-amz-copy-source", "/mpu/m")])).Status);
        string id2 = Uri.EscapeDataString(Element((await c.SendAsync("POST", "/mpu/pc", "uploads")).Text, "UploadId"));
        var pc = await c.SendAsync("PUT", "/mpu/pc", $"partNumber=1&uploadId={id2}", headers:
            [("x-amz-copy-source", "/mpu/m"), ("x-amz-copy-source-range", $"bytes={(5 << 20) - 100}-{(5 << 20) + 99}")]);
        Assert.Equal(200, pc.Status);
        Assert.Equal(200, (await c.SendAsync("POST", "/mpu/pc", "uploadId=" + id2,
            CompleteXml((1, System.Net.WebUtility.HtmlDecode(Element(pc.Text, "ETag")))))).Status);
        Assert.Equal(whole[((5 << 20) - 100)..((5 << 20) + 100)], (await c.GetObjectAsync("mpu", "pc")).Body);

        // Deleting and overwriting the source leave the copy intact and no parts behind.
        Assert.Equal(204, (await c.SendAsync("DELETE", "/mpu/m")).Status);
        Assert.Equal(404, (await c.SendAsync("GET", "/mpu/m")).Status);
        await CheckRangesAsync("copy");
        Assert.Equal(200, (await c.PutObjectAsync("mpu", "copy", "small"u8.ToArray())).Status);
        Assert.Equal("small"u8.ToArray(), (await c.GetObjectAsync("mpu", "copy")).Body);
        string partsRoot = Path.Combine(t.Directory, "mpu", ".parts");
        Assert.Single(Directory.EnumerateDirectories(partsRoot)); // only "pc"'s

        // Once the key holds something else, the old upload id is unknown again.
        Assert.Equal("NoSuchUpload", (await c.SendAsync("POST", "/mpu/m", "uploadId=" + id, CompleteXml([.. etags]))).ErrorCode);
        await t.RestartAsync(engine);
        c = t.Client;
        Assert.Equal(whole[((5 << 20) - 100)..((5 << 20) + 100)], (await t.Client.GetObjectAsync("mpu", "pc")).Body);
        Assert.Single(Directory.EnumerateDirectories(partsRoot));
        Assert.Equal(204, (await c.SendAsync("DELETE", "/mpu/pc")).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/mpu/copy")).Status);
        Assert.Empty(Directory.EnumerateDirectories(partsRoot));
        Assert.Equal(204, (await c.SendAsync("DELETE", "/mpu")).Status);
    }
}
