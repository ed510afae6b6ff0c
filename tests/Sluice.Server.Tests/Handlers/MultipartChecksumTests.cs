using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.S3.Checksums;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Multipart checksums as S3 has them, every front × both stores: x-amz-checksum-type at CreateMultipartUpload
/// (FULL_OBJECT or COMPOSITE; CRC64NVME full-object only, SHA digests composite only; the algorithm's default
/// otherwise), a CRC32/CRC32C full-object upload whose parts' CRCs combine into the whole object's CRC, and
/// CompleteMultipartUpload's own assertions (x-amz-checksum-*, x-amz-checksum-type, x-amz-mp-object-size) checked
/// before anything is published.
/// </summary>
public class MultipartChecksumTests
{
    private static string B64(ChecksumAlgorithm algorithm, byte[] data)
    {
        Span<byte> hash = stackalloc byte[64];
        int n = S3Checksum.HashData(algorithm, data, hash);
        return Convert.ToBase64String(hash[..n]);
    }

    private static async Task<(string Id, string Xml)> UploadPartsAsync(S3TestClient c, string key, string algorithm,
        string? type, byte[][] parts)
    {
        var headers = new List<(string, string)> { ("x-amz-checksum-algorithm", algorithm) };
        if (type != null) headers.Add(("x-amz-checksum-type", type));
        var create = await c.SendAsync("POST", "/mpck/" + key, "uploads", headers: headers);
        Assert.True(create.Status == 200, create.Text);
        string id = Regex.Match(create.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        var alg = algorithm == "CRC32" ? ChecksumAlgorithm.Crc32 : ChecksumAlgorithm.Crc32C;
        string header = algorithm == "CRC32" ? "x-amz-checksum-crc32" : "x-amz-checksum-crc32c";
        string element = algorithm == "CRC32" ? "ChecksumCRC32" : "ChecksumCRC32C";
        var xml = new StringBuilder("<CompleteMultipartUpload>");
        for (int n = 1; n <= parts.Length; n++)
        {
            string value = B64(alg, parts[n - 1]);
            var up = await c.SendAsync("PUT", "/mpck/" + key, $"partNumber={n}&uploadId={Uri.EscapeDataString(id)}", parts[n - 1],
                headers: [(header, value)]);
            Assert.True(up.Status == 200, up.Text);
            xml.Append($"<Part><PartNumber>{n}</PartNumber><ETag>{up.Header("ETag")}</ETag><{element}>{value}</{element}></Part>");
        }
        return (id, xml.Append("</CompleteMultipartUpload>").ToString());
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Full_object_and_composite_checksums_and_completes_assertions(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/mpck")).Status);

        // The type a create may ask for, per algorithm.
        async Task<(int, string?, string?)> Create(params (string, string)[] headers)
        {
            var r = await c.SendAsync("POST", "/mpck/k", "uploads", headers: headers);
            return (r.Status, r.ErrorCode, r.Header("x-amz-checksum-type"));
        }
        Assert.Equal((200, null, "FULL_OBJECT"), await Create(("x-amz-checksum-algorithm", "CRC64NVME")));
        Assert.Equal((200, null, "COMPOSITE"), await Create(("x-amz-checksum-algorithm", "CRC32")));
        Assert.Equal((200, null, "FULL_OBJECT"), await Create(("x-amz-checksum-algorithm", "CRC32C"), ("x-amz-checksum-type", "FULL_OBJECT")));
        Assert.Equal((400, "InvalidRequest", null), await Create(("x-amz-checksum-algorithm", "CRC64NVME"), ("x-amz-checksum-type", "COMPOSITE")));
        Assert.Equal((400, "InvalidRequest", null), await Create(("x-amz-checksum-algorithm", "SHA256"), ("x-amz-checksum-type", "FULL_OBJECT")));
        Assert.Equal((400, "InvalidRequest", null), await Create(("x-amz-checksum-type", "FULL_OBJECT")));
        Assert.Equal((400, "InvalidRequest", null), await Create(("x-amz-checksum-algorithm", "CRC32"), ("x-amz-checksum-type", "PARTIAL")));

        byte[][] parts = [RandomNumberGenerator.GetBytes(5 << 20), RandomNumberGenerator.GetBytes(777_777)];
        byte[] whole = [.. parts[0], .. parts[1]];
        foreach (var algorithm in new[] { "CRC32", "CRC32C" })
        {
            var alg = algorithm == "CRC32" ? ChecksumAlgorithm.Crc32 : ChecksumAlgorithm.Crc32C;
            string header = "x-amz-checksum-" + algorithm.ToLowerInvariant();
            string key = "full-" + algorithm;
            var (id, xml) = await UploadPartsAsync(c, key, algorithm, "FULL_OBJECT", parts);
            string query = "uploadId=" + Uri.EscapeDataString(id);

            // Each assertion that does not hold refuses the Complete and leaves the upload as it was.
            async Task Refused(string code, params (string, string)[] headers)
            {
                var r = await c.SendAsync("POST", "/mpck/" + key, query, Encoding.UTF8.GetBytes(xml), headers: headers);
                Assert.True(r.ErrorCode == code, $"{string.Join(",", headers)}: {r.Status} {r.Text}");
                Assert.Equal(404, (await c.SendAsync("HEAD", "/mpck/" + key)).Status);
                Assert.Equal(200, (await c.SendAsync("GET", "/mpck/" + key, query)).Status); // ListParts: still there
            }
            await Refused("BadDigest", (header, B64(alg, parts[0])));
            await Refused("BadDigest", ("x-amz-checksum-type", "COMPOSITE"));
            await Refused("InvalidRequest", ("x-amz-checksum-sha256", Convert.ToBase64String(SHA256.HashData(whole))));
            await Refused("InvalidRequest", ("x-amz-mp-object-size", (whole.Length + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));

            var complete = await c.SendAsync("POST", "/mpck/" + key, query, Encoding.UTF8.GetBytes(xml), headers:
                [(header, B64(alg, whole)), ("x-amz-checksum-type", "FULL_OBJECT"),
                 ("x-amz-mp-object-size", whole.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            Assert.True(complete.Status == 200, complete.Text);
            var head = await c.SendAsync("HEAD", "/mpck/" + key, headers: [("x-amz-checksum-mode", "ENABLED")]);
            Assert.Equal(B64(alg, whole), head.Header(header)); // the parts' CRCs combined: the whole object's CRC
            Assert.Equal("FULL_OBJECT", head.Header("x-amz-checksum-type"));
            Assert.Equal(whole, (await c.GetObjectAsync("mpck", key)).Body);
        }

        // Composite (the default for CRC32): the checksum of the parts' checksums, "-N"; Complete may assert it
        // with or without the suffix.
        var (cid, cxml) = await UploadPartsAsync(c, "composite", "CRC32", null, parts);
        byte[] both = [.. Convert.FromBase64String(B64(ChecksumAlgorithm.Crc32, parts[0])), .. Convert.FromBase64String(B64(ChecksumAlgorithm.Crc32, parts[1]))];
        string composite = B64(ChecksumAlgorithm.Crc32, both);
        var done = await c.SendAsync("POST", "/mpck/composite", "uploadId=" + Uri.EscapeDataString(cid), Encoding.UTF8.GetBytes(cxml),
            headers: [("x-amz-checksum-crc32", composite)]);
        Assert.True(done.Status == 200, done.Text);
        var ch = await c.SendAsync("HEAD", "/mpck/composite", headers: [("x-amz-checksum-mode", "ENABLED")]);
        Assert.Equal(composite + "-2", ch.Header("x-amz-checksum-crc32"));
        Assert.Equal("COMPOSITE", ch.Header("x-amz-checksum-type"));
    }
}
