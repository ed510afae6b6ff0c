using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.S3.Checksums;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// The checksum algorithms S3 added after the first five — MD5, SHA512, XXHASH64, XXHASH3, XXHASH128 — every front ×
/// both stores: a PutObject's x-amz-checksum-* is verified (BadDigest otherwise), stored and returned; a multipart
/// upload with one of them is COMPOSITE (they do not combine, so FULL_OBJECT is refused as for SHA256), each part's
/// checksum is verified and listed, and the object's checksum is the checksum of the parts' checksums, "-N".
/// The digests a test expects are computed here with .NET's own MD5/SHA512 and the xxHash vectors checked in
/// S3ChecksumTests.
/// </summary>
public class NewerChecksumAlgorithmTests
{
    private static readonly (ChecksumAlgorithm Algorithm, string Name, string Element)[] Algorithms =
    [
        (ChecksumAlgorithm.Md5, "MD5", "ChecksumMD5"),
        (ChecksumAlgorithm.Sha512, "SHA512", "ChecksumSHA512"),
        (ChecksumAlgorithm.XxHash64, "XXHASH64", "ChecksumXXHASH64"),
        (ChecksumAlgorithm.XxHash3, "XXHASH3", "ChecksumXXHASH3"),
        (ChecksumAlgorithm.XxHash128, "XXHASH128", "ChecksumXXHASH128"),
    ];

    private static byte[] Digest(ChecksumAlgorithm algorithm, byte[] data) => algorithm switch
    {
        // Independent of the server's S3Checksum for the cryptographic ones.
#pragma warning disable CA5351 // MD5 is S3's integrity checksum here
        ChecksumAlgorithm.Md5 => MD5.HashData(data),
#pragma warning restore CA5351
        ChecksumAlgorithm.Sha512 => SHA512.HashData(data),
        _ => Hash(algorithm, data),
    };

    private static byte[] Hash(ChecksumAlgorithm algorithm, byte[] data)
    {
        var hash = new byte[algorithm.GetHashLength()];
        Assert.Equal(hash.Length, S3Checksum.HashData(algorithm, data, hash));
        return hash;
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Put_verifies_stores_and_returns_each_newer_checksum(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/newck")).Status);
        byte[] body = Encoding.UTF8.GetBytes("the newer checksum algorithms, " + front);
        foreach (var (algorithm, name, _) in Algorithms)
        {
            string header = "x-amz-checksum-" + name.ToLowerInvariant();
            string value = Convert.ToBase64String(Digest(algorithm, body));
            var put = await c.SendAsync("PUT", "/newck/" + name, body: body, headers: [(header, value)]);
            Assert.True(put.Status == 200, name + ": " + put.Text);
            Assert.Equal(value, put.Header(header));

            var head = await c.SendAsync("HEAD", "/newck/" + name, headers: [("x-amz-checksum-mode", "ENABLED")]);
            Assert.Equal(200, head.Status);
            Assert.Equal(value, head.Header(header));
            Assert.Equal("FULL_OBJECT", head.Header("x-amz-checksum-type"));
            var get = await c.SendAsync("GET", "/newck/" + name, headers: [("x-amz-checksum-mode", "ENABLED")]);
            Assert.Equal(body, get.Body);
            Assert.Equal(value, get.Header(header));

            // A digest of other bytes is refused and nothing replaces the object.
            string wrong = Convert.ToBase64String(Digest(algorithm, [.. body, 0]));
            var bad = await c.SendAsync("PUT", "/newck/" + name, body: Encoding.UTF8.GetBytes("other bytes"), headers: [(header, wrong)]);
            Assert.Equal((400, "BadDigest"), (bad.Status, bad.ErrorCode));
            Assert.Equal(body, (await c.SendAsync("GET", "/newck/" + name)).Body);

            // Declared as the SDK does it: the algorithm names the header that must carry the value.
            var sdk = await c.SendAsync("PUT", "/newck/" + name + "-sdk", body: body,
                headers: [("x-amz-sdk-checksum-algorithm", name), (header, value)]);
            Assert.True(sdk.Status == 200, name + ": " + sdk.Text);
        }
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Multipart_uploads_with_a_newer_algorithm_are_composite(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/newmp")).Status);
        byte[][] parts = [RandomNumberGenerator.GetBytes(5 << 20), RandomNumberGenerator.GetBytes(123_457)];
        foreach (var (algorithm, name, element) in Algorithms)
        {
            string header = "x-amz-checksum-" + name.ToLowerInvariant();
            var full = await c.SendAsync("POST", "/newmp/k", "uploads",
                headers: [("x-amz-checksum-algorithm", name), ("x-amz-checksum-type", "FULL_OBJECT")]);
            Assert.Equal((400, "InvalidRequest"), (full.Status, full.ErrorCode));

            var create = await c.SendAsync("POST", "/newmp/" + name, "uploads", headers: [("x-amz-checksum-algorithm", name)]);
            Assert.True(create.Status == 200, create.Text);
            Assert.Equal("COMPOSITE", create.Header("x-amz-checksum-type"));
            Assert.Equal(name, create.Header("x-amz-checksum-algorithm"));
            string id = Regex.Match(create.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
            string query(int n) => $"partNumber={n}&uploadId={Uri.EscapeDataString(id)}";

            // A part whose checksum does not match is refused.
            var badPart = await c.SendAsync("PUT", "/newmp/" + name, query(1), parts[0],
                headers: [(header, Convert.ToBase64String(Digest(algorithm, parts[1])))]);
            Assert.Equal((400, "BadDigest"), (badPart.Status, badPart.ErrorCode));

            var xml = new StringBuilder("<CompleteMultipartUpload>");
            var binary = new List<byte>();
            for (int n = 1; n <= parts.Length; n++)
            {
                byte[] digest = Digest(algorithm, parts[n - 1]);
                binary.AddRange(digest);
                string value = Convert.ToBase64String(digest);
                var up = await c.SendAsync("PUT", "/newmp/" + name, query(n), parts[n - 1], headers: [(header, value)]);
                Assert.True(up.Status == 200, up.Text);
                Assert.Equal(value, up.Header(header));
                xml.Append($"<Part><PartNumber>{n}</PartNumber><ETag>{up.Header("ETag")}</ETag><{element}>{value}</{element}></Part>");
            }
            var list = await c.SendAsync("GET", "/newmp/" + name, "uploadId=" + Uri.EscapeDataString(id));
            Assert.Equal(2, Regex.Count(list.Text, $"<{element}>[^<]+</{element}>"));

            var complete = await c.SendAsync("POST", "/newmp/" + name, "uploadId=" + Uri.EscapeDataString(id),
                Encoding.UTF8.GetBytes(xml.Append("</CompleteMultipartUpload>").ToString()));
            Assert.True(complete.Status == 200, complete.Text);
            string expected = Convert.ToBase64String(Digest(algorithm, [.. binary])) + "-2";
            Assert.Contains($"<{element}>{expected}</{element}>", complete.Text);

            var head = await c.SendAsync("HEAD", "/newmp/" + name, headers: [("x-amz-checksum-mode", "ENABLED")]);
            Assert.Equal(expected, head.Header(header));
            Assert.Equal("COMPOSITE", head.Header("x-amz-checksum-type"));
            var part2 = await c.SendAsync("HEAD", "/newmp/" + name, "partNumber=2", headers: [("x-amz-checksum-mode", "ENABLED")]);
            Assert.Equal(206, part2.Status);
        }
    }
}
