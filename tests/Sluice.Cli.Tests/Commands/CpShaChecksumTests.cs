using System.Security.Cryptography;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Tests.Faults;
using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice cp --checksum-algorithm SHA256|SHA1` (and S3's newer SHA512, MD5, XXHASH64, XXHASH3, XXHASH128) through the real executable against the embedded server: a single PUT
/// stores the digest of the whole body, a multipart upload S3's COMPOSITE (the digest of the parts' digests, "-N"),
/// each value computed here independently of the engine; downloads verify them (also over download parts cut
/// unlike the uploader's) and fail on damaged bytes; resuming follows the upload's own algorithm, also for an upload
/// another tool created without any.
/// </summary>
public sealed class CpShaChecksumTests() : ServerCommandTests("AKIDCLISHA", "cli/sha+secret", "cli-sha")
{
    private S3Client Client() => new(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    private static byte[] Hash(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        var hash = new byte[algorithm.GetHashLength()];
        if (algorithm == ChecksumAlgorithm.Sha256) SHA256.HashData(data, hash);
        else if (algorithm == ChecksumAlgorithm.Sha512) SHA512.HashData(data, hash);
        else if (algorithm == ChecksumAlgorithm.Sha1) Sha1Digest.HashData(data, hash); // S3's SHA1 checksum: what the server stores, not a security use
        else if (algorithm == ChecksumAlgorithm.Md5) Md5Digest.HashData(data, hash); // likewise
        else S3Checksum.HashData(algorithm, data, hash); // the XXHASHes: checked against published vectors in Sluice.S3.Tests
        return hash;
    }

    /// <summary>The whole-object digest, base64, as S3 shows it.</summary>
    private static string Full(ChecksumAlgorithm algorithm, byte[] data) => Convert.ToBase64String(Hash(algorithm, data));

    /// <summary>S3's COMPOSITE value over parts of <paramref name="partSize"/>: base64(digest(digest(part 1) || ...)) + "-N".</summary>
    private static string Composite(ChecksumAlgorithm algorithm, byte[] data, int partSize)
    {
        var digests = new List<byte>();
        int parts = 0;
        for (int offset = 0; offset < data.Length; offset += partSize, parts++)
            digests.AddRange(Hash(algorithm, data.AsSpan(offset, Math.Min(partSize, data.Length - offset))));
        return Convert.ToBase64String(Hash(algorithm, digests.ToArray())) + "-" + parts;
    }

    private static string? Stored(ObjectMetadata head, ChecksumAlgorithm algorithm) => head.Checksums.Get(algorithm);

    [Theory]
    [InlineData("SHA256")]
    [InlineData("sha1")]
    // S3's newer algorithms take the same path (they do not combine either).
    [InlineData("SHA512")]
    [InlineData("md5")]
    [InlineData("XXHASH64")]
    [InlineData("XXHASH3")]
    [InlineData("xxhash128")]
    public async Task Uploads_store_the_digest_whole_for_one_put_and_composite_for_parts_and_downloads_verify_it(string name)
    {
        Assert.True(ChecksumAlgorithmExtensions.TryParse(name, out var algorithm));
        string bucket = "sha-" + name.ToLowerInvariant(), s3Name = algorithm.GetS3Name();
        Ok(Sluice("mb", $"s3://{bucket}"));
        string small = NewFile("small.bin", 100_000, 1), big = NewFile("big.bin", (17 << 20) + 12_345, 2);
        Ok(Sluice("cp", "--checksum-algorithm", name, small, $"s3://{bucket}/small"));
        Ok(Sluice("cp", "--checksum", name, "--part-size", "5MiB", big, $"s3://{bucket}/big"));

        await using var client = Client();
        byte[] smallBytes = File.ReadAllBytes(small), bigBytes = File.ReadAllBytes(big);
        var smallHead = await client.HeadObjectAsync(new GetObjectRequest(bucket, "small") { ChecksumMode = true });
        Assert.Equal(Full(algorithm, smallBytes), Stored(smallHead, algorithm));
        var bigHead = await client.HeadObjectAsync(new GetObjectRequest(bucket, "big") { ChecksumMode = true });
        string composite = Composite(algorithm, bigBytes, 5 << 20);
        Assert.EndsWith("-4", composite);
        Assert.Equal(composite, Stored(bigHead, algorithm));
        Assert.Equal("COMPOSITE", bigHead.Checksums.ChecksumType);
        Assert.Null(bigHead.Checksums.ChecksumCrc64Nvme);

        // A server-side copy asked for the digest gets it computed by the server.
        Ok(Sluice("cp", "--checksum", name, $"s3://{bucket}/small", $"s3://{bucket}/copy"));
        var copyHead = await client.HeadObjectAsync(new GetObjectRequest(bucket, "copy") { ChecksumMode = true });
        Assert.Equal(Full(algorithm, smallBytes), Stored(copyHead, algorithm));

        // sluice stat shows what the server stored.
        Assert.Contains($"{s3Name} {Full(algorithm, smallBytes)}", Ok(Sluice("stat", $"s3://{bucket}/small")).StdOut);
        Assert.Contains($"{s3Name} {composite} (COMPOSITE)", Ok(Sluice("stat", $"s3://{bucket}/big")).StdOut);

        // Downloads check the digests (no "could not be verified" warning), also with parts cut unlike the uploader's.
        foreach (var (key, bytes, extra) in new[] { ("small", smallBytes, Array.Empty<string>()), ("big", bigBytes, []), ("big", bigBytes, ["--part-size", "6MiB"]) })
        {
            string back = Local($"back-{key}-{extra.Length}.bin");
            var got = Ok(Sluice(["cp", .. extra, $"s3://{bucket}/{key}", back]));
            Assert.Equal("", got.StdErr);
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(back)), $"{key} came back different");
        }
    }

    [Fact]
    public async Task A_download_whose_bytes_do_not_match_the_stored_sha256_fails_and_one_damaged_part_is_fetched_again()
    {
        Ok(Sluice("mb", "s3://sha-damaged"));
        string small = NewFile("small.bin", 1 << 20, 3), big = NewFile("big.bin", 17 << 20, 4);
        Ok(Sluice("cp", "--checksum", "sha256", small, "s3://sha-damaged/small"));
        Ok(Sluice("cp", "--checksum", "sha256", "--part-size", "5MiB", big, "s3://sha-damaged/big"));

        // Every answer damaged the same way: fetching again cannot help, the command fails and keeps nothing.
        foreach (string key in new[] { "small", "big" })
        {
            await using var proxy = new FaultProxy(Server.LocalEndPoint, _ => Fault.None,
                corruptResponseTo: head => head.StartsWith($"GET /sha-damaged/{key} ", StringComparison.Ordinal));
            string back = Local($"damaged-{key}.bin");
            OneLineError(Sluice("cp", "--endpoint", proxy.Endpoint.ToString(), $"s3://sha-damaged/{key}", back), 1,
                $"^sluice: .*s3://sha-damaged/{key}: .*SHA256.*nothing was kept");
            Assert.True(proxy.Corrupted >= 2, $"{key}: {proxy.Corrupted} answers damaged");
            Assert.Empty(Directory.GetFiles(Root, $"damaged-{key}.bin*"));
        }

        // One damaged part of the multipart object: the composite check catches it, the part is fetched again.
        await using (var once = new FaultProxy(Server.LocalEndPoint, _ => Fault.None,
            corruptResponseTo: head => head.StartsWith("GET /sha-damaged/big ", StringComparison.Ordinal), corruptions: 1))
        {
            string back = Local("repaired.bin");
            var got = Ok(Sluice("cp", "--endpoint", once.Endpoint.ToString(), "--part-size", "5MiB", "s3://sha-damaged/big", back));
            Assert.Equal("", got.StdErr);
            Assert.Equal(1, once.Corrupted);
            Assert.True(File.ReadAllBytes(big).AsSpan().SequenceEqual(File.ReadAllBytes(back)), "the repaired download differs");
        }
    }

    [Fact]
    public async Task An_interrupted_sha256_upload_resumes_with_its_own_algorithm_and_a_conflicting_one_is_refused()
    {
        Ok(Sluice("mb", "s3://sha-resume"));
        string file = NewFile("resume.bin", (17 << 20) + 1, 5);
        byte[] bytes = File.ReadAllBytes(file);
        const int PartSize = 5 << 20;
        await using var client = Client();
        // What an interrupted `sluice cp --checksum sha256 --part-size 5MiB` leaves: a COMPOSITE SHA256 upload with parts 1 and 2.
        string id = await client.CreateMultipartUploadAsync(new PutObjectRequest("sha-resume", "k")
        {
            ChecksumAlgorithm = ChecksumAlgorithm.Sha256, ChecksumType = "COMPOSITE",
        });
        for (int part = 1; part <= 2; part++)
            await client.UploadPartAsync(new UploadPartRequest("sha-resume", "k", id, part) { ChecksumAlgorithm = ChecksumAlgorithm.Sha256 },
                bytes.AsMemory((part - 1) * PartSize, PartSize));

        // Asked for CRC32C outright: refused before any part is sent, the upload kept.
        OneLineError(Sluice("cp", "--checksum", "crc32c", "--part-size", "5MiB", file, "s3://sha-resume/k"), 1,
            $"^sluice: cannot resume upload {id} of s3://sha-resume/k with CRC32C checksums: it was created with SHA256");
        var listed = new List<Sluice.S3.Xml.ListedPart>();
        await foreach (var p in client.ListPartsAsync("sha-resume", "k", id)) listed.Add(p);
        Assert.Equal(2, listed.Count);

        // The default checksum follows the upload's: its two parts are kept (matched by their SHA256), two more sent.
        var done = Ok(Sluice("cp", "--part-size", "5MiB", file, "s3://sha-resume/k"));
        Assert.Contains("(resumed: 2 of 4 parts were already uploaded)", done.StdOut);
        var head = await client.HeadObjectAsync(new GetObjectRequest("sha-resume", "k") { ChecksumMode = true });
        Assert.Equal(Composite(ChecksumAlgorithm.Sha256, bytes, PartSize), head.Checksums.ChecksumSha256);
        Assert.Null(head.Checksums.ChecksumCrc64Nvme);
        string back = Local("resumed.bin");
        Assert.Equal("", Ok(Sluice("cp", "s3://sha-resume/k", back)).StdErr);
        Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(back)), "the resumed object differs from the file");
    }

    [Fact]
    public async Task An_upload_another_tool_started_without_a_checksum_resumes_to_the_right_object()
    {
        Ok(Sluice("mb", "s3://foreign"));
        string file = NewFile("foreign.bin", (16 << 20) + 4321, 6);
        byte[] bytes = File.ReadAllBytes(file);
        const int PartSize = 5 << 20;
        await using var client = Client();
        string id = await client.CreateMultipartUploadAsync(new PutObjectRequest("foreign", "k"));
        for (int part = 1; part <= 2; part++)
            await client.UploadPartAsync(new UploadPartRequest("foreign", "k", id, part), bytes.AsMemory((part - 1) * PartSize, PartSize));

        var done = Ok(Sluice("cp", "--part-size", "5MiB", file, "s3://foreign/k"));
        Assert.Contains("(resumed: 2 of 4 parts were already uploaded)", done.StdOut);
        await foreach (var u in client.ListMultipartUploadsAsync("foreign", "k")) Assert.Fail($"upload {u.UploadId} left behind");

        // The object is the upload's, without a checksum, with the multipart ETag of the file's 5 MiB parts.
        var head = await client.HeadObjectAsync(new GetObjectRequest("foreign", "k") { ChecksumMode = true });
        Assert.True(head.Checksums.IsEmpty, "the upload had no checksum algorithm");
        using (var etag = new MultipartETag())
        {
            for (int offset = 0; offset < bytes.Length; offset += PartSize)
            {
                var md5 = new byte[Md5Digest.HashSizeInBytes];
                Md5Digest.HashData(bytes.AsSpan(offset, Math.Min(PartSize, bytes.Length - offset)), md5); // the ETag's MD5
                etag.AddPart(md5);
            }
            Assert.Equal(etag.FormatUnquoted(), ETag.Unquote(head.ETag!.AsSpan()).ToString());
        }
        string back = Local("foreign-back.bin");
        Assert.Equal("", Ok(Sluice("cp", "s3://foreign/k", back)).StdErr);
        Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(back)), "the resumed object differs from the file");
    }
}
