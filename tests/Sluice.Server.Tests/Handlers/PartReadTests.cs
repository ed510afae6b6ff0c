using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Reads by part, every front × both stores: GET/HEAD with partNumber answer the part's bytes as 206 with
/// Content-Range and x-amz-mp-parts-count (part 1 of a single-part object is the whole object), refuse a part that is
/// not there (416 InvalidPartNumber) and a Range beside partNumber; GetObjectAttributes answers what is asked for —
/// ETag without quotes, checksum and type, the parts page with per-part sizes and checksums, storage class, size.
/// </summary>
public class PartReadTests
{
    private static string? Element(string xml, string name) =>
        Regex.Match(xml, $"<{name}>([^<]*)</{name}>") is { Success: true } m ? m.Groups[1].Value : null;

    private static async Task<(byte[][] Parts, string ETag)> UploadAsync(S3TestClient c, string key, string? checksum = null)
    {
        var create = await c.SendAsync("POST", "/parts/" + key, "uploads",
            headers: checksum == null ? null : [("x-amz-checksum-algorithm", checksum)]);
        Assert.True(create.Status == 200, create.Text);
        string id = Uri.EscapeDataString(Element(create.Text, "UploadId")!);
        byte[][] parts = [RandomNumberGenerator.GetBytes(5 << 20), RandomNumberGenerator.GetBytes((5 << 20) + 3), RandomNumberGenerator.GetBytes(1234)];
        var xml = new StringBuilder("<CompleteMultipartUpload>");
        for (int n = 1; n <= parts.Length; n++)
        {
            var headers = new List<(string, string)>();
            string? value = null;
            if (checksum == "SHA256")
            {
                value = Convert.ToBase64String(SHA256.HashData(parts[n - 1]));
                headers.Add(("x-amz-checksum-sha256", value));
            }
            var up = await c.SendAsync("PUT", "/parts/" + key, $"partNumber={n}&uploadId={id}", parts[n - 1], headers: headers);
            Assert.True(up.Status == 200, up.Text);
            xml.Append($"<Part><PartNumber>{n}</PartNumber><ETag>{up.Header("ETag")}</ETag>")
               .Append(value == null ? "" : $"<ChecksumSHA256>{value}</ChecksumSHA256>").Append("</Part>");
        }
        var complete = await c.SendAsync("POST", "/parts/" + key, "uploadId=" + id, Encoding.UTF8.GetBytes(xml.Append("</CompleteMultipartUpload>").ToString()));
        Assert.True(complete.Status == 200, complete.Text);
        return (parts, (await c.SendAsync("HEAD", "/parts/" + key)).Header("ETag")!);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Get_and_head_with_partNumber_answer_one_part(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/parts")).Status);
        var (parts, etag) = await UploadAsync(c, "mp");
        long total = parts.Sum(p => (long)p.Length);
        long offset = 0;
        for (int n = 1; n <= parts.Length; n++)
        {
            var get = await c.SendAsync("GET", "/parts/mp", $"partNumber={n}");
            Assert.Equal(206, get.Status);
            Assert.Equal(parts[n - 1], get.Body);
            Assert.Equal($"bytes {offset}-{offset + parts[n - 1].Length - 1}/{total}", get.Header("Content-Range"));
            Assert.Equal("3", get.Header("x-amz-mp-parts-count"));
            Assert.Equal(etag, get.Header("ETag"));
            var head = await c.SendAsync("HEAD", "/parts/mp", $"partNumber={n}");
            Assert.Equal(206, head.Status);
            Assert.Equal(parts[n - 1].Length.ToString(System.Globalization.CultureInfo.InvariantCulture), head.Header("Content-Length"));
            Assert.Equal("3", head.Header("x-amz-mp-parts-count"));
            offset += parts[n - 1].Length;
        }
        var beyond = await c.SendAsync("GET", "/parts/mp", "partNumber=4");
        Assert.Equal((416, "InvalidPartNumber"), (beyond.Status, beyond.ErrorCode));
        Assert.Equal(416, (await c.SendAsync("HEAD", "/parts/mp", "partNumber=4")).Status);
        var both = await c.SendAsync("GET", "/parts/mp", "partNumber=1", headers: [("Range", "bytes=0-9")]);
        Assert.Equal((400, "InvalidRequest"), (both.Status, both.ErrorCode));
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/parts/mp", "partNumber=0")).ErrorCode);
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/parts/mp", "partNumber=10001")).ErrorCode);
        // Conditions still apply to the object.
        Assert.Equal(412, (await c.SendAsync("GET", "/parts/mp", "partNumber=1", headers: [("If-Match", "\"0000\"")])).Status);

        // An object written in one piece is its own part 1.
        var single = RandomNumberGenerator.GetBytes(3000);
        Assert.Equal(200, (await c.PutObjectAsync("parts", "single", single)).Status);
        var one = await c.SendAsync("GET", "/parts/single", "partNumber=1");
        Assert.Equal(206, one.Status);
        Assert.Equal(single, one.Body);
        Assert.Equal("bytes 0-2999/3000", one.Header("Content-Range"));
        Assert.Null(one.Header("x-amz-mp-parts-count"));
        Assert.Equal("InvalidPartNumber", (await c.SendAsync("GET", "/parts/single", "partNumber=2")).ErrorCode);
        Assert.Equal("NoSuchKey", (await c.SendAsync("GET", "/parts/absent", "partNumber=1")).ErrorCode);

        // A copy of a multipart object keeps its parts.
        Assert.Equal(200, (await c.SendAsync("PUT", "/parts/copy", headers: [("x-amz-copy-source", "/parts/mp")])).Status);
        Assert.Equal(parts[1], (await c.SendAsync("GET", "/parts/copy", "partNumber=2")).Body);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_read_by_part_in_checksum_mode_carries_the_parts_checksum(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/parts")).Status);
        (string, string)[] mode = [("x-amz-checksum-mode", "ENABLED")];

        // COMPOSITE: each part's own checksum (what the composite is made of), so the part's bytes can be checked.
        var (parts, _) = await UploadAsync(c, "sha", "SHA256");
        for (int n = 1; n <= parts.Length; n++)
        {
            string expected = Convert.ToBase64String(SHA256.HashData(parts[n - 1]));
            var get = await c.SendAsync("GET", "/parts/sha", $"partNumber={n}", headers: mode);
            Assert.Equal(parts[n - 1], get.Body);
            Assert.Equal((expected, "COMPOSITE"), (get.Header("x-amz-checksum-sha256"), get.Header("x-amz-checksum-type")));
            Assert.Equal(expected, (await c.SendAsync("HEAD", "/parts/sha", $"partNumber={n}", headers: mode)).Header("x-amz-checksum-sha256"));
            Assert.Null((await c.SendAsync("GET", "/parts/sha", $"partNumber={n}")).Header("x-amz-checksum-sha256")); // only when asked
        }

        // FULL_OBJECT: the value covers the whole object only, so a part gets none (the whole object still has it).
        var full = await c.SendAsync("POST", "/parts/full", "uploads", headers: [("x-amz-checksum-algorithm", "CRC32C"), ("x-amz-checksum-type", "FULL_OBJECT")]);
        string id = Uri.EscapeDataString(Element(full.Text, "UploadId")!);
        byte[] only = RandomNumberGenerator.GetBytes(1000);
        var up = await c.SendAsync("PUT", "/parts/full", $"partNumber=1&uploadId={id}", only);
        Assert.Equal(200, (await c.SendAsync("POST", "/parts/full", "uploadId=" + id,
            Encoding.UTF8.GetBytes($"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{up.Header("ETag")}</ETag></Part></CompleteMultipartUpload>"))).Status);
        var fullPart = await c.SendAsync("GET", "/parts/full", "partNumber=1", headers: mode);
        Assert.Equal(only, fullPart.Body);
        Assert.Null(fullPart.Header("x-amz-checksum-crc32c"));
        Assert.NotNull((await c.SendAsync("HEAD", "/parts/full", headers: mode)).Header("x-amz-checksum-crc32c"));

        // One piece: its part 1 is the whole object, with the object's checksum.
        byte[] single = RandomNumberGenerator.GetBytes(2000);
        string sha = Convert.ToBase64String(SHA256.HashData(single));
        Assert.Equal(200, (await c.PutObjectAsync("parts", "one", single, ("x-amz-checksum-sha256", sha))).Status);
        var one = await c.SendAsync("GET", "/parts/one", "partNumber=1", headers: mode);
        Assert.Equal((206, sha), (one.Status, one.Header("x-amz-checksum-sha256")));
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task GetObjectAttributes_answers_what_is_asked_for(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/parts")).Status);
        var (parts, etag) = await UploadAsync(c, "mp", "SHA256");
        var all = await c.SendAsync("GET", "/parts/mp", "attributes",
            headers: [("x-amz-object-attributes", "ETag,Checksum,ObjectParts,StorageClass,ObjectSize")]);
        Assert.True(all.Status == 200, all.Text);
        Assert.Contains("<GetObjectAttributesResponse", all.Text, StringComparison.Ordinal);
        Assert.Equal(etag.Trim('"'), Element(all.Text, "ETag"));
        Assert.Equal("STANDARD", Element(all.Text, "StorageClass"));
        Assert.Equal(parts.Sum(p => (long)p.Length).ToString(System.Globalization.CultureInfo.InvariantCulture), Element(all.Text, "ObjectSize"));
        Assert.Equal("COMPOSITE", Element(all.Text, "ChecksumType"));
        Assert.Equal("3", Element(all.Text, "PartsCount"));
        var listed = Regex.Matches(all.Text, "<Part><ChecksumSHA256>([^<]*)</ChecksumSHA256><PartNumber>(\\d+)</PartNumber><Size>(\\d+)</Size></Part>");
        Assert.Equal(3, listed.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Convert.ToBase64String(SHA256.HashData(parts[i])), listed[i].Groups[1].Value);
            Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), listed[i].Groups[2].Value);
            Assert.Equal(parts[i].Length.ToString(System.Globalization.CultureInfo.InvariantCulture), listed[i].Groups[3].Value);
        }
        Assert.NotNull(all.Header("Last-Modified"));

        // Only what is asked for; the parts page by max-parts and part-number-marker.
        var some = await c.SendAsync("GET", "/parts/mp", "attributes", headers: [("x-amz-object-attributes", "ObjectSize")]);
        Assert.Null(Element(some.Text, "ETag"));
        Assert.DoesNotContain("<ObjectParts>", some.Text, StringComparison.Ordinal);
        var page = await c.SendAsync("GET", "/parts/mp", "attributes",
            headers: [("x-amz-object-attributes", "ObjectParts"), ("x-amz-max-parts", "1"), ("x-amz-part-number-marker", "1")]);
        Assert.Equal("true", Element(page.Text, "IsTruncated"));
        Assert.Equal("2", Element(page.Text, "NextPartNumberMarker"));
        Assert.Equal("2", Element(page.Text, "PartNumber"));
        Assert.Equal(1, Regex.Count(page.Text, "<Part>"));

        // A single-part object has no parts page.
        Assert.Equal(200, (await c.PutObjectAsync("parts", "single", [1, 2, 3])).Status);
        var single = await c.SendAsync("GET", "/parts/single", "attributes", headers: [("x-amz-object-attributes", "ETag,ObjectParts")]);
        Assert.Equal(S3TestClient.Md5ETag([1, 2, 3]).Trim('"'), Element(single.Text, "ETag"));
        Assert.DoesNotContain("<ObjectParts>", single.Text, StringComparison.Ordinal);

        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/parts/mp", "attributes")).ErrorCode);
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/parts/mp", "attributes", headers: [("x-amz-object-attributes", "Colour")])).ErrorCode);
        Assert.Equal("NoSuchKey", (await c.SendAsync("GET", "/parts/absent", "attributes", headers: [("x-amz-object-attributes", "ETag")])).ErrorCode);
    }
}
