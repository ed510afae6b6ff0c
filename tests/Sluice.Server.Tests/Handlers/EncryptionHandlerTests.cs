using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Server.Service.Encryption;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Encryption at rest over HTTP, every front × both stores: SSE-C (the key again on every read, wrong and missing keys
/// refused as S3 refuses them), SSE-S3, SSE-KMS against a key file, bucket default encryption; whole and ranged reads
/// of single and multipart encrypted objects compared with the plaintext; copies between SSE-C keys; and, on disk, that
/// no plaintext reaches the data directory and objects stay readable after a restart.
/// </summary>
public class EncryptionHandlerTests
{
    private static readonly byte[] KeyA = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();
    private static readonly KmsKey Kms1 = new("arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555", RandomNumberGenerator.GetBytes(32));
    private static readonly KmsKey Kms2 = new("second-key", RandomNumberGenerator.GetBytes(32));

    private static (string, string)[] Customer(byte[] key, string prefix = "x-amz-server-side-encryption-customer-") =>
    [
        (prefix + "algorithm", "AES256"),
        (prefix + "key", Convert.ToBase64String(key)),
        (prefix + "key-MD5", S3TestClient.Md5Base64(key)),
    ];

    private static string Crc32(byte[] data)
    {
        using var crc = new Sluice.S3.Checksums.S3Checksum(Sluice.S3.Checksums.ChecksumAlgorithm.Crc32);
        crc.Append(data);
        Span<char> text = stackalloc char[16];
        crc.TryFormatBase64(text, out int n);
        return new string(text[..n]);
    }

    private static (string, string)[] With(params (string, string)[][] sets) => sets.SelectMany(s => s).ToArray();

    private static Task<TestServer> StartAsync(string front) => TestServer.StartAsync(front, kmsKeys: [Kms1, Kms2]);

    /// <summary>Plaintext with a marker repeated through it, so a grep of the data directory would find any plaintext.</summary>
    private static byte[] Plaintext(int size, string marker = "PLAINTEXT-MARKER-7f3a")
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var m = Encoding.ASCII.GetBytes(marker);
        for (int at = 0; at + m.Length <= size; at += 4096) m.CopyTo(data, at);
        return data;
    }

    /// <summary>Ranges that start and end inside chunks, on chunk boundaries, across boundaries, and at the ends.</summary>
    private static IEnumerable<(long First, long Last)> Ranges(long size)
    {
        const int Chunk = 64 * 1024;
        var rng = new Random(7);
        yield return (0, 0);
        yield return (size - 1, size - 1);
        yield return (0, size - 1);
        foreach (long b in new long[] { Chunk, 2 * Chunk, 5L << 20 })
        {
            if (b + 10 >= size) continue;
            yield return (b - 10, b + 10);
            yield return (b, b);
            yield return (b - 1, b - 1);
        }
        for (int i = 0; i < 6; i++)
        {
            long first = rng.NextInt64(size);
            yield return (first, Math.Min(size - 1, first + rng.NextInt64(3 * Chunk)));
        }
    }

    private static async Task CheckRangesAsync(S3TestClient c, string bucket, string key, byte[] plain, params (string, string)[] headers)
    {
        foreach (var (first, last) in Ranges(plain.Length))
        {
            var r = await c.GetObjectAsync(bucket, key, [.. headers, ("Range", $"bytes={first}-{last}")]);
            Assert.True(r.Status == 206, $"{first}-{last}: {r.Status} {r.Text}");
            Assert.Equal(plain.AsSpan((int)first, (int)(last - first + 1)).ToArray(), r.Body);
            Assert.Equal($"bytes {first}-{last}/{plain.Length}", r.Header("Content-Range"));
        }
        var suffix = await c.GetObjectAsync(bucket, key, [.. headers, ("Range", "bytes=-70000")]);
        Assert.Equal(plain.AsSpan(Math.Max(0, plain.Length - 70000)).ToArray(), suffix.Body);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Sse_c_needs_the_same_key_on_every_read(string front)
    {
        await using var t = await StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/ssec")).Status);
        foreach (int size in new[] { 0, 1, 65536, 200_001 })
        {
            var plain = Plaintext(size);
            string key = "obj-" + size;
            var put = await c.PutObjectAsync("ssec", key, plain, Customer(KeyA));
            Assert.True(put.Status == 200, put.Text);
            Assert.Equal("AES256", put.Header("x-amz-server-side-encryption-customer-algorithm"));
            Assert.Equal(S3TestClient.Md5Base64(KeyA), put.Header("x-amz-server-side-encryption-customer-key-MD5"));
            Assert.Null(put.Header("x-amz-server-side-encryption"));
            Assert.NotEqual(S3TestClient.Md5ETag(plain), put.Header("ETag")); // S3: not the plaintext's MD5 for SSE-C

            var get = await c.GetObjectAsync("ssec", key, Customer(KeyA));
            Assert.True(get.Status == 200, get.Text);
            Assert.Equal(plain, get.Body);
            Assert.Equal(put.Header("ETag"), get.Header("ETag"));
            Assert.Equal("AES256", get.Header("x-amz-server-side-encryption-customer-algorithm"));
            var head = await c.SendAsync("HEAD", "/ssec/" + key, headers: Customer(KeyA));
            Assert.Equal(200, head.Status);
            Assert.Equal(S3TestClient.Number(size), head.Header("Content-Length"));
            if (size > 0) await CheckRangesAsync(c, "ssec", key, plain, Customer(KeyA));
        }

        // Without the key: 400 InvalidRequest (GET and HEAD); another key: 403 AccessDenied; a bad MD5: 400 InvalidArgument.
        var none = await c.GetObjectAsync("ssec", "obj-200001");
        Assert.Equal((400, "InvalidRequest"), (none.Status, none.ErrorCode));
        Assert.Equal(400, (await c.SendAsync("HEAD", "/ssec/obj-200001")).Status);
        var other = await c.GetObjectAsync("ssec", "obj-200001", Customer(KeyB));
        Assert.Equal((403, "AccessDenied"), (other.Status, other.ErrorCode));
        Assert.Equal(403, (await c.SendAsync("HEAD", "/ssec/obj-200001", headers: Customer(KeyB))).Status);
        var badMd5 = Customer(KeyA);
        badMd5[2] = (badMd5[2].Item1, S3TestClient.Md5Base64(KeyB));
        var mismatch = await c.GetObjectAsync("ssec", "obj-200001", badMd5);
        Assert.Equal((400, "InvalidArgument"), (mismatch.Status, mismatch.ErrorCode));
        var putMismatch = await c.PutObjectAsync("ssec", "refused", [1, 2, 3], badMd5);
        Assert.Equal((400, "InvalidArgument"), (putMismatch.Status, putMismatch.ErrorCode));
        Assert.Contains("MD5", putMismatch.Text, StringComparison.Ordinal);
        var noMd5 = await c.PutObjectAsync("ssec", "refused", [1], Customer(KeyA)[..2]);
        Assert.Equal((400, "InvalidArgument"), (noMd5.Status, noMd5.ErrorCode));
        var noAlgorithm = await c.PutObjectAsync("ssec", "refused", [1], Customer(KeyA)[1..]);
        Assert.Equal((400, "InvalidArgument"), (noAlgorithm.Status, noAlgorithm.ErrorCode));
        var wrongAlgorithm = Customer(KeyA);
        wrongAlgorithm[0] = (wrongAlgorithm[0].Item1, "AES128");
        Assert.Equal("InvalidEncryptionAlgorithmError", (await c.PutObjectAsync("ssec", "refused", [1], wrongAlgorithm)).ErrorCode);
        var shortKey = Customer(KeyA[..16]);
        Assert.Equal("InvalidArgument", (await c.PutObjectAsync("ssec", "refused", [1], shortKey)).ErrorCode);
        var both = await c.PutObjectAsync("ssec", "refused", [1], With(Customer(KeyA), [("x-amz-server-side-encryption", "AES256")]));
        Assert.Equal((400, "InvalidArgument"), (both.Status, both.ErrorCode));
        Assert.Equal(404, (await c.GetObjectAsync("ssec", "refused", Customer(KeyA))).Status); // nothing half-written

        // Listings report the plaintext size.
        var list = await c.SendAsync("GET", "/ssec", "list-type=2");
        Assert.Contains("<Key>obj-200001</Key>", list.Text, StringComparison.Ordinal);
        Assert.Contains("<Size>200001</Size>", list.Text, StringComparison.Ordinal);
        Assert.Contains("<Size>65536</Size>", list.Text, StringComparison.Ordinal);

        // GetObjectAttributes: the key again, the plaintext size.
        var attributes = await c.SendAsync("GET", "/ssec/obj-200001", "attributes", headers: With(Customer(KeyA), [("x-amz-object-attributes", "ObjectSize,ETag")]));
        Assert.True(attributes.Status == 200, attributes.Text);
        Assert.Contains("<ObjectSize>200001</ObjectSize>", attributes.Text, StringComparison.Ordinal);
        Assert.Equal(400, (await c.SendAsync("GET", "/ssec/obj-200001", "attributes", headers: [("x-amz-object-attributes", "ObjectSize")])).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Sse_s3_and_sse_kms_store_ciphertext_and_serve_plaintext(string front)
    {
        await using var t = await StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/sse")).Status);
        var plain = Plaintext(300_000);
        string crc = Crc32(plain);

        var s3 = await c.PutObjectAsync("sse", "s3", plain, ("x-amz-server-side-encryption", "AES256"), ("x-amz-checksum-crc32", crc),
            ("Content-MD5", S3TestClient.Md5Base64(plain)));
        Assert.True(s3.Status == 200, s3.Text);
        Assert.Equal("AES256", s3.Header("x-amz-server-side-encryption"));
        Assert.Equal(S3TestClient.Md5ETag(plain), s3.Header("ETag")); // SSE-S3 keeps the plaintext's MD5
        Assert.Equal(crc, s3.Header("x-amz-checksum-crc32"));
        var get = await c.GetObjectAsync("sse", "s3", ("x-amz-checksum-mode", "ENABLED"));
        Assert.Equal(plain, get.Body);
        Assert.Equal("AES256", get.Header("x-amz-server-side-encryption"));
        Assert.Equal(crc, get.Header("x-amz-checksum-crc32"));
        await CheckRangesAsync(c, "sse", "s3", plain);
        // Retagging keeps the bytes, the ETag and the encryption (the disk store rewrites the version's header).
        var tagging = Encoding.UTF8.GetBytes("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>");
        Assert.Equal(200, (await c.SendAsync("PUT", "/sse/s3", "tagging", tagging)).Status);
        var tagged = await c.GetObjectAsync("sse", "s3");
        Assert.Equal(plain, tagged.Body);
        Assert.Equal(("1", "AES256", s3.Header("ETag")), (tagged.Header("x-amz-tagging-count"), tagged.Header("x-amz-server-side-encryption"), tagged.Header("ETag")));
        var refusedKey = await c.GetObjectAsync("sse", "s3", Customer(KeyA));
        Assert.Equal((400, "InvalidRequest"), (refusedKey.Status, refusedKey.ErrorCode));
        // A read that declares SSE-S3 or SSE-KMS is refused (the server applies them; only SSE-C's key is presented),
        // on a whole read, a part read and a HEAD alike.
        foreach (var declared in new[] { "AES256", "aws:kms" })
        {
            var declaring = await c.GetObjectAsync("sse", "s3", ("x-amz-server-side-encryption", declared));
            Assert.Equal((400, "InvalidArgument"), (declaring.Status, declaring.ErrorCode));
            Assert.Equal(400, (await c.SendAsync("GET", "/sse/s3", "partNumber=1", headers: [("x-amz-server-side-encryption", declared)])).Status);
            Assert.Equal(400, (await c.SendAsync("HEAD", "/sse/s3", headers: [("x-amz-server-side-encryption", declared)])).Status);
        }

        // The digests are checked over the plaintext: a wrong one stores nothing.
        var bad = await c.PutObjectAsync("sse", "bad", plain, ("x-amz-server-side-encryption", "AES256"), ("Content-MD5", S3TestClient.Md5Base64([1])));
        Assert.Equal("BadDigest", bad.ErrorCode);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/sse/bad")).Status);

        var kms = await c.PutObjectAsync("sse", "kms", plain, ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", "11111111-2222-3333-4444-555555555555"),
            ("x-amz-server-side-encryption-context", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"team\":\"blue\"}"))));
        Assert.True(kms.Status == 200, kms.Text);
        Assert.Equal("aws:kms", kms.Header("x-amz-server-side-encryption"));
        Assert.Equal(Kms1.Id, kms.Header("x-amz-server-side-encryption-aws-kms-key-id"));
        Assert.NotEqual(S3TestClient.Md5ETag(plain), kms.Header("ETag"));
        var kmsGet = await c.GetObjectAsync("sse", "kms");
        Assert.Equal(plain, kmsGet.Body);
        Assert.Equal(Kms1.Id, kmsGet.Header("x-amz-server-side-encryption-aws-kms-key-id"));
        await CheckRangesAsync(c, "sse", "kms", plain);

        var second = await c.PutObjectAsync("sse", "kms2", plain, ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", "second-key"), ("x-amz-server-side-encryption-bucket-key-enabled", "true"));
        Assert.Equal("second-key", second.Header("x-amz-server-side-encryption-aws-kms-key-id"));
        Assert.Equal("true", second.Header("x-amz-server-side-encryption-bucket-key-enabled"));
        var byDefault = await c.PutObjectAsync("sse", "kms-default", plain, ("x-amz-server-side-encryption", "aws:kms"));
        Assert.Equal(Kms1.Id, byDefault.Header("x-amz-server-side-encryption-aws-kms-key-id"));
        Assert.Equal(plain, (await c.GetObjectAsync("sse", "kms2")).Body);

        var unknown = await c.PutObjectAsync("sse", "refused", plain, ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", "no-such-key"));
        Assert.Equal((400, "KMS.NotFoundException"), (unknown.Status, unknown.ErrorCode));
        var keyWithoutKms = await c.PutObjectAsync("sse", "refused", plain, ("x-amz-server-side-encryption-aws-kms-key-id", "second-key"));
        Assert.Equal((400, "InvalidArgument"), (keyWithoutKms.Status, keyWithoutKms.ErrorCode));
        var badContext = await c.PutObjectAsync("sse", "refused", plain, ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-context", "not json"));
        Assert.Equal((400, "InvalidArgument"), (badContext.Status, badContext.ErrorCode));
        var badMethod = await c.PutObjectAsync("sse", "refused", plain, ("x-amz-server-side-encryption", "AES512"));
        Assert.Equal((400, "InvalidArgument"), (badMethod.Status, badMethod.ErrorCode));
        Assert.Equal(501, (await c.PutObjectAsync("sse", "refused", plain, ("x-amz-server-side-encryption", "aws:kms:dsse"))).Status);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/sse/refused")).Status);

        // An unencrypted object says nothing about encryption (only what is really done is reported).
        var clear = await c.PutObjectAsync("sse", "clear", plain);
        Assert.Null(clear.Header("x-amz-server-side-encryption"));
        Assert.Null((await c.GetObjectAsync("sse", "clear")).Header("x-amz-server-side-encryption"));

        var list = await c.SendAsync("GET", "/sse", "list-type=2");
        Assert.Equal(5, Regex.Count(list.Text, "<Size>300000</Size>"));
    }

    [Fact]
    public async Task Sse_kms_without_a_key_file_is_refused_clearly()
    {
        await using var t = await TestServer.StartAsync("inprocess");
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/nokms")).Status);
        var r = await t.Client.PutObjectAsync("nokms", "k", [1, 2], ("x-amz-server-side-encryption", "aws:kms"));
        Assert.Equal((501, "NotImplemented"), (r.Status, r.ErrorCode));
        Assert.Contains("--kms-keys", r.Text, StringComparison.Ordinal);
        // SSE-S3 works without configuration (the master key is made on first use).
        Assert.Equal(200, (await t.Client.PutObjectAsync("nokms", "k", [1, 2], ("x-amz-server-side-encryption", "AES256"))).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Multipart_uploads_are_encrypted_part_by_part_and_read_across_parts(string front)
    {
        await using var t = await StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/mpu")).Status);
        var plain = Plaintext((5 << 20) + (3 << 20) + 12345);
        var partSizes = new[] { 5 << 20, (3 << 20) + 12345 };
        foreach (var (name, sse) in new[]
        {
            ("ssec", Customer(KeyA)),
            ("sses3", new[] { ("x-amz-server-side-encryption", "AES256") }),
            ("kms", new[] { ("x-amz-server-side-encryption", "aws:kms"), ("x-amz-server-side-encryption-aws-kms-key-id", "second-key") }),
        })
        {
            bool customer = name == "ssec";
            var readHeaders = customer ? Customer(KeyA) : [];
            var create = await c.SendAsync("POST", "/mpu/" + name, "uploads", headers: [.. sse, ("x-amz-checksum-algorithm", "CRC32")]);
            Assert.True(create.Status == 200, create.Text);
            string uploadId = Regex.Match(create.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
            if (customer)
            {
                // Every part needs the upload's key: none is InvalidRequest, another is refused too.
                Assert.Equal(400, (await c.SendAsync("PUT", "/mpu/" + name, $"partNumber=1&uploadId={uploadId}", plain[..100])).Status);
                Assert.Equal(400, (await c.SendAsync("PUT", "/mpu/" + name, $"partNumber=1&uploadId={uploadId}", plain[..100], headers: Customer(KeyB))).Status);
            }
            var etags = new List<string>();
            int at = 0;
            for (int i = 0; i < partSizes.Length; i++)
            {
                var part = plain.AsSpan(at, partSizes[i]).ToArray();
                at += part.Length;
                string crc = Crc32(part);
                var up = await c.SendAsync("PUT", "/mpu/" + name, $"partNumber={i + 1}&uploadId={uploadId}", part,
                    headers: [.. readHeaders, ("x-amz-checksum-crc32", crc)]);
                Assert.True(up.Status == 200, up.Text);
                Assert.Equal(crc, up.Header("x-amz-checksum-crc32"));
                if (name == "sses3") Assert.Equal(S3TestClient.Md5ETag(part), up.Header("ETag"));
                etags.Add(up.Header("ETag")!);
            }
            var parts = await c.SendAsync("GET", "/mpu/" + name, $"uploadId={uploadId}");
            Assert.Contains($"<Size>{partSizes[0]}</Size>", parts.Text, StringComparison.Ordinal);
            Assert.Contains($"<Size>{partSizes[1]}</Size>", parts.Text, StringComparison.Ordinal);
            var xml = "<CompleteMultipartUpload>" + string.Concat(etags.Select((e, i) =>
                $"<Part><PartNumber>{i + 1}</PartNumber><ETag>{e}</ETag></Part>")) + "</CompleteMultipartUpload>";
            var complete = await c.SendAsync("POST", "/mpu/" + name, $"uploadId={uploadId}", Encoding.UTF8.GetBytes(xml));
            Assert.True(complete.Status == 200, complete.Text);

            var head = await c.SendAsync("HEAD", "/mpu/" + name, headers: readHeaders);
            Assert.True(head.Status == 200, name + " " + head.Status);
            Assert.Equal(S3TestClient.Number(plain.Length), head.Header("Content-Length"));
            Assert.Equal(plain, (await c.GetObjectAsync("mpu", name, readHeaders)).Body);
            await CheckRangesAsync(c, "mpu", name, plain, readHeaders);
            var across = await c.GetObjectAsync("mpu", name, [.. readHeaders, ("Range", $"bytes={(5 << 20) - 100}-{(5 << 20) + 100}")]);
            Assert.Equal(plain.AsSpan((5 << 20) - 100, 201).ToArray(), across.Body);
            var second = await c.SendAsync("GET", "/mpu/" + name, "partNumber=2", headers: readHeaders);
            Assert.Equal(206, second.Status);
            Assert.Equal(plain.AsSpan(5 << 20).ToArray(), second.Body);
            Assert.Equal("2", second.Header("x-amz-mp-parts-count"));
            if (customer) Assert.Equal(400, (await c.GetObjectAsync("mpu", name)).Status);
        }
        var list = await c.SendAsync("GET", "/mpu", "list-type=2");
        Assert.Equal(3, Regex.Count(list.Text, $"<Size>{plain.Length}</Size>"));
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Copies_between_sse_c_keys_and_between_modes_reencrypt(string front)
    {
        await using var t = await StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/copy")).Status);
        var plain = Plaintext(150_000);
        Assert.Equal(200, (await c.PutObjectAsync("copy", "a", plain, Customer(KeyA))).Status);

        // Without the source's key: 400; with another: 403.
        var noSource = await c.SendAsync("PUT", "/copy/b", headers: With([("x-amz-copy-source", "/copy/a")], Customer(KeyB)));
        Assert.Equal((400, "InvalidRequest"), (noSource.Status, noSource.ErrorCode));
        var wrongSource = await c.SendAsync("PUT", "/copy/b",
            headers: With([("x-amz-copy-source", "/copy/a")], Customer(KeyB, "x-amz-copy-source-server-side-encryption-customer-"), Customer(KeyB)));
        Assert.Equal(403, wrongSource.Status);

        var copy = await c.SendAsync("PUT", "/copy/b",
            headers: With([("x-amz-copy-source", "/copy/a")], Customer(KeyA, "x-amz-copy-source-server-side-encryption-customer-"), Customer(KeyB)));
        Assert.True(copy.Status == 200, copy.Text);
        Assert.Equal(S3TestClient.Md5Base64(KeyB), copy.Header("x-amz-server-side-encryption-customer-key-MD5"));
        Assert.Equal(plain, (await c.GetObjectAsync("copy", "b", Customer(KeyB))).Body);
        Assert.Equal(403, (await c.GetObjectAsync("copy", "b", Customer(KeyA))).Status);

        // SSE-C to SSE-S3, SSE-S3 to plaintext, plaintext to SSE-KMS; and an SSE-C object re-keyed in place.
        var toS3 = await c.SendAsync("PUT", "/copy/s3", headers: With([("x-amz-copy-source", "/copy/a"),
            ("x-amz-server-side-encryption", "AES256")], Customer(KeyA, "x-amz-copy-source-server-side-encryption-customer-")));
        Assert.Equal("AES256", toS3.Header("x-amz-server-side-encryption"));
        Assert.Contains($"<ETag>{S3TestClient.Md5ETag(plain).Replace("\"", "&quot;", StringComparison.Ordinal)}</ETag>", toS3.Text, StringComparison.Ordinal);
        var toPlain = await c.SendAsync("PUT", "/copy/plain", headers: [("x-amz-copy-source", "/copy/s3")]);
        Assert.True(toPlain.Status == 200, toPlain.Text);
        var plainGet = await c.GetObjectAsync("copy", "plain");
        Assert.Equal(plain, plainGet.Body);
        Assert.Null(plainGet.Header("x-amz-server-side-encryption"));
        var toKms = await c.SendAsync("PUT", "/copy/kms", headers: [("x-amz-copy-source", "/copy/plain"), ("x-amz-server-side-encryption", "aws:kms")]);
        Assert.Equal("aws:kms", toKms.Header("x-amz-server-side-encryption"));
        Assert.Equal(plain, (await c.GetObjectAsync("copy", "kms")).Body);
        var rekey = await c.SendAsync("PUT", "/copy/a",
            headers: With([("x-amz-copy-source", "/copy/a")], Customer(KeyA, "x-amz-copy-source-server-side-encryption-customer-"), Customer(KeyB)));
        Assert.True(rekey.Status == 200, rekey.Text);
        Assert.Equal(plain, (await c.GetObjectAsync("copy", "a", Customer(KeyB))).Body);

        // UploadPartCopy from an SSE-C source into an SSE-S3 upload.
        var create = await c.SendAsync("POST", "/copy/parts", "uploads", headers: [("x-amz-server-side-encryption", "AES256")]);
        string uploadId = Regex.Match(create.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        var partCopy = await c.SendAsync("PUT", "/copy/parts", $"partNumber=1&uploadId={uploadId}",
            headers: With([("x-amz-copy-source", "/copy/b"), ("x-amz-copy-source-range", "bytes=100-99999")],
                Customer(KeyB, "x-amz-copy-source-server-side-encryption-customer-")));
        Assert.True(partCopy.Status == 200, partCopy.Text);
        string etag = Regex.Match(partCopy.Text, "<ETag>([^<]+)</ETag>").Groups[1].Value.Replace("&quot;", "\"", StringComparison.Ordinal);
        Assert.Equal(S3TestClient.Md5ETag(plain[100..100000]), etag);
        var done = await c.SendAsync("POST", "/copy/parts", $"uploadId={uploadId}",
            Encoding.UTF8.GetBytes($"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"));
        Assert.True(done.Status == 200, done.Text);
        Assert.Equal(plain[100..100000], (await c.GetObjectAsync("copy", "parts")).Body);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Bucket_default_encryption_applies_to_writes_without_headers(string front)
    {
        await using var t = await StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/dflt")).Status);
        var none = await c.SendAsync("GET", "/dflt", "encryption");
        Assert.Equal((404, "ServerSideEncryptionConfigurationNotFoundError"), (none.Status, none.ErrorCode));
        static byte[] Config(string algorithm, string? keyId = null, string? bucketKey = null) => Encoding.UTF8.GetBytes(
            "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault>" +
            $"<SSEAlgorithm>{algorithm}</SSEAlgorithm>" + (keyId == null ? "" : $"<KMSMasterKeyID>{keyId}</KMSMasterKeyID>") +
            "</ApplyServerSideEncryptionByDefault>" + (bucketKey == null ? "" : $"<BucketKeyEnabled>{bucketKey}</BucketKeyEnabled>") +
            "</Rule></ServerSideEncryptionConfiguration>");

        Assert.Equal("MalformedXML", (await c.SendAsync("PUT", "/dflt", "encryption", Encoding.UTF8.GetBytes("<ServerSideEncryptionConfiguration>"))).ErrorCode);
        Assert.Equal("MalformedXML", (await c.SendAsync("PUT", "/dflt", "encryption", Config("AES512"))).ErrorCode);
        Assert.Equal("InvalidArgument", (await c.SendAsync("PUT", "/dflt", "encryption", Config("AES256", "second-key"))).ErrorCode);
        Assert.Equal("KMS.NotFoundException", (await c.SendAsync("PUT", "/dflt", "encryption", Config("aws:kms", "nope"))).ErrorCode);
        Assert.Equal(404, (await c.SendAsync("GET", "/dflt", "encryption")).Status); // nothing half-applied

        Assert.Equal(200, (await c.SendAsync("PUT", "/dflt", "encryption", Config("AES256"))).Status);
        var got = await c.SendAsync("GET", "/dflt", "encryption");
        Assert.Contains("<SSEAlgorithm>AES256</SSEAlgorithm>", got.Text, StringComparison.Ordinal);
        var plain = Plaintext(90_000);
        var put = await c.PutObjectAsync("dflt", "k", plain);
        Assert.Equal("AES256", put.Header("x-amz-server-side-encryption"));
        Assert.Equal("AES256", (await c.SendAsync("HEAD", "/dflt/k")).Header("x-amz-server-side-encryption"));
        // Headers win over the default.
        var own = await c.PutObjectAsync("dflt", "own", plain, Customer(KeyA));
        Assert.Equal("AES256", own.Header("x-amz-server-side-encryption-customer-algorithm"));
        Assert.Null(own.Header("x-amz-server-side-encryption"));

        Assert.Equal(200, (await c.SendAsync("PUT", "/dflt", "encryption", Config("aws:kms", "second-key", "true"))).Status);
        var kms = await c.PutObjectAsync("dflt", "kms", plain);
        Assert.Equal(("aws:kms", "second-key", "true"), (kms.Header("x-amz-server-side-encryption"),
            kms.Header("x-amz-server-side-encryption-aws-kms-key-id"), kms.Header("x-amz-server-side-encryption-bucket-key-enabled")));

        Assert.Equal(204, (await c.SendAsync("DELETE", "/dflt", "encryption")).Status);
        Assert.Equal(404, (await c.SendAsync("GET", "/dflt", "encryption")).Status);
        Assert.Null((await c.PutObjectAsync("dflt", "after", plain)).Header("x-amz-server-side-encryption"));
        foreach (string key in new[] { "k", "kms", "after" }) Assert.Equal(plain, (await c.GetObjectAsync("dflt", key)).Body);

        // A bucket deleted and created again starts without a default.
        Assert.Equal(200, (await c.SendAsync("PUT", "/gone")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/gone", "encryption", Config("AES256"))).Status);
        Assert.Equal("AES256", (await c.PutObjectAsync("gone", "x", [1])).Header("x-amz-server-side-encryption"));
        Assert.Equal(204, (await c.SendAsync("DELETE", "/gone/x")).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/gone")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/gone")).Status);
        Assert.Null((await c.PutObjectAsync("gone", "x", [1])).Header("x-amz-server-side-encryption"));
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task No_plaintext_reaches_the_data_directory_and_keys_survive_a_restart(string front)
    {
        await using var t = await StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/disk")).Status);
        const string Marker = "SECRET-MARKER-d41d8cd98f";
        var plain = Plaintext(200_000, Marker);
        Assert.Equal(200, (await c.PutObjectAsync("disk", "ssec", plain, Customer(KeyA))).Status);
        Assert.Equal(200, (await c.PutObjectAsync("disk", "sses3", plain, ("x-amz-server-side-encryption", "AES256"))).Status);
        Assert.Equal(200, (await c.PutObjectAsync("disk", "kms", plain, ("x-amz-server-side-encryption", "aws:kms"))).Status);
        var create = await c.SendAsync("POST", "/disk/mpu", "uploads", headers: [("x-amz-server-side-encryption", "AES256")]);
        string uploadId = Regex.Match(create.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        var part = await c.SendAsync("PUT", "/disk/mpu", $"partNumber=1&uploadId={uploadId}", plain);
        Assert.Equal(200, (await c.SendAsync("POST", "/disk/mpu", $"uploadId={uploadId}", Encoding.UTF8.GetBytes(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Header("ETag")}</ETag></Part></CompleteMultipartUpload>"))).Status);
        var pending = await c.SendAsync("POST", "/disk/pending", "uploads", headers: Customer(KeyB));
        string pendingId = Regex.Match(pending.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        Assert.Equal(200, (await c.SendAsync("PUT", "/disk/pending", $"partNumber=1&uploadId={pendingId}", plain, headers: Customer(KeyB))).Status);

        var marker = Encoding.ASCII.GetBytes(Marker);
        // Every file but the store's lock (held open exclusively, and empty).
        IEnumerable<string> Files() => Directory.EnumerateFiles(t.Directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ".lock");
        bool Found() => Files().Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(marker) >= 0);
        Assert.False(Found());
        // The grep can find plaintext: an unencrypted object holds the marker.
        Assert.Equal(200, (await c.PutObjectAsync("disk", "clear", plain)).Status);
        Assert.True(Found());
        Assert.Equal(204, (await c.SendAsync("DELETE", "/disk/clear")).Status);

        // The key file never holds a customer key, and the master key is private to the server's user.
        string master = Path.Combine(t.Directory, SseKeyring.MasterKeyFileName);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(master));
        Assert.Equal(32, new FileInfo(master).Length);
        foreach (var file in Files())
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(KeyA) < 0, file);

        await t.RestartAsync();
        c = t.Client;
        Assert.Equal(plain, (await c.GetObjectAsync("disk", "ssec", Customer(KeyA))).Body);
        Assert.Equal(plain, (await c.GetObjectAsync("disk", "sses3")).Body);
        Assert.Equal(plain, (await c.GetObjectAsync("disk", "kms")).Body);
        Assert.Equal(plain, (await c.GetObjectAsync("disk", "mpu")).Body);
        Assert.Equal("200000", (await c.SendAsync("HEAD", "/disk/sses3")).Header("Content-Length"));
        var list = await c.SendAsync("GET", "/disk", "list-type=2");
        Assert.Equal(4, Regex.Count(list.Text, "<Size>200000</Size>"));
    }
    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task A_changed_stored_byte_fails_the_read_of_its_chunk_and_only_that(string front)
    {
        await using var t = await StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/tamper")).Status);
        var plain = Plaintext(300_000);
        Assert.Equal(200, (await c.PutObjectAsync("tamper", "k", plain, ("x-amz-server-side-encryption", "AES256"))).Status);
        // The object's file: the bucket's one file big enough to hold the body. Flip a byte 1000 bytes before its end,
        // inside the last chunk (plaintext 262144..299999).
        string file = Directory.EnumerateFiles(Path.Combine(t.Directory, "tamper"), "*", SearchOption.AllDirectories)
            .Single(f => new FileInfo(f).Length > 300_000);
        using (var handle = File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite))
        {
            long at = RandomAccess.GetLength(handle) - 1000;
            var one = new byte[1];
            RandomAccess.Read(handle, one, at);
            one[0] ^= 0x40;
            RandomAccess.Write(handle, one, at);
        }
        // A range in an untouched chunk still reads; one in the changed chunk never returns bytes as if they were right.
        var early = await c.GetObjectAsync("tamper", "k", ("Range", "bytes=1000-70000"));
        Assert.Equal(plain[1000..70001], early.Body);
        try
        {
            var late = await c.GetObjectAsync("tamper", "k", ("Range", "bytes=290000-299999"));
            Assert.Equal(500, late.Status);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // The response was cut after its head (or, in process, the read's own error reached the caller): a failed read too.
        }
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Versions_keep_their_own_encryption_and_are_read_and_copied_by_id(string front)
    {
        await using var t = await StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/ssev")).Status);
        var enable = Encoding.UTF8.GetBytes("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>");
        Assert.Equal(200, (await c.SendAsync("PUT", "/ssev", "versioning", enable)).Status);
        byte[] first = Plaintext(150_000, "FIRST-VERSION"), second = Plaintext(90_000, "SECOND-VERSION");

        var v1 = await c.PutObjectAsync("ssev", "k", first, ("x-amz-server-side-encryption", "AES256"));
        Assert.True(v1.Status == 200, v1.Text);
        string id1 = v1.Header("x-amz-version-id")!;
        Assert.NotNull(id1);
        var v2 = await c.PutObjectAsync("ssev", "k", second, Customer(KeyA));
        Assert.True(v2.Status == 200, v2.Text);
        string id2 = v2.Header("x-amz-version-id")!;
        Assert.NotEqual(id1, id2);

        // The current version needs its customer key; the older one is SSE-S3 and reads without one, by id.
        Assert.Equal(400, (await c.GetObjectAsync("ssev", "k")).Status);
        Assert.Equal(second, (await c.GetObjectAsync("ssev", "k", Customer(KeyA))).Body);
        var old = await c.SendAsync("GET", "/ssev/k", "versionId=" + id1);
        Assert.Equal(first, old.Body);
        Assert.Equal((id1, "AES256"), (old.Header("x-amz-version-id"), old.Header("x-amz-server-side-encryption")));
        var oldPart = await c.SendAsync("GET", "/ssev/k", "partNumber=1&versionId=" + id1);
        Assert.Equal(first, oldPart.Body);
        await CheckRangesAsync(c, "ssev", "k", second, Customer(KeyA));

        // A copy of the older version by id decrypts that version, whatever is current.
        var copy = await c.SendAsync("PUT", "/ssev/copy", headers: [("x-amz-copy-source", "/ssev/k?versionId=" + id1)]);
        Assert.True(copy.Status == 200, copy.Text);
        Assert.Equal(id1, copy.Header("x-amz-copy-source-version-id"));
        Assert.NotNull(copy.Header("x-amz-version-id"));
        Assert.Equal(first, (await c.GetObjectAsync("ssev", "copy")).Body);
        // Into SSE-C under another key, from the SSE-C current version.
        var recrypt = await c.SendAsync("PUT", "/ssev/recrypt", headers: With([("x-amz-copy-source", "/ssev/k?versionId=" + id2)],
            Customer(KeyA, "x-amz-copy-source-server-side-encryption-customer-"), Customer(KeyB)));
        Assert.True(recrypt.Status == 200, recrypt.Text);
        Assert.Equal(second, (await c.GetObjectAsync("ssev", "recrypt", Customer(KeyB))).Body);
    }
}
