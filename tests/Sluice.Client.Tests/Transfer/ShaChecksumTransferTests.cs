using System.Security.Cryptography;
using Sluice.Client.Model;
using Sluice.Client.Transfer;
using Sluice.S3.Checksums;
using Sluice.S3.Xml;

namespace Sluice.Client.Tests.Transfer;

/// <summary>
/// The transfer engine with SHA-1/SHA-256 checksums against the embedded server: uploads send each part's digest and
/// get S3's COMPOSITE value (single PUTs the whole body's), computed here independently; downloads check a stored
/// digest over the uploader's parts (also uneven ones) into a file, memory or a stream, and bytes damaged on the
/// server's disk are a <see cref="ChecksumMismatchException"/>, never a success; resuming follows the upload's own
/// algorithm (none included), and refuses one known to differ when the caller requires its own.
/// </summary>
public class ShaChecksumTransferTests(TransferServerFixture fx) : IClassFixture<TransferServerFixture>
{
    private const int MiB = 1 << 20;

    private static byte[] Hash(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        var hash = new byte[algorithm.GetHashLength()];
        if (algorithm == ChecksumAlgorithm.Sha256) SHA256.HashData(data, hash);
        else Sha1Digest.HashData(data, hash); // S3's SHA1 checksum, not a security use
        return hash;
    }

    private static string Composite(ChecksumAlgorithm algorithm, byte[] data, int[] partSizes)
    {
        var digests = new List<byte>();
        for (int i = 0, offset = 0; i < partSizes.Length; offset += partSizes[i], i++)
            digests.AddRange(Hash(algorithm, data.AsSpan(offset, partSizes[i])));
        return Convert.ToBase64String(Hash(algorithm, digests.ToArray())) + "-" + partSizes.Length;
    }

    private static int[] Uniform(int size, int partSize) =>
        [.. Enumerable.Range(0, (size + partSize - 1) / partSize).Select(i => Math.Min(partSize, size - i * partSize))];

    private TransferEngine Engine(ChecksumAlgorithm algorithm) => fx.Engine(TransferServerFixture.SmallParts() with { ChecksumAlgorithm = algorithm });

    [Theory]
    [InlineData(ChecksumAlgorithm.Sha256)]
    [InlineData(ChecksumAlgorithm.Sha1)]
    public async Task Uploads_carry_the_digest_and_downloads_to_file_memory_and_stream_verify_it(ChecksumAlgorithm algorithm)
    {
        string bucket = await fx.NewBucketAsync();
        using var engine = Engine(algorithm);
        var small = TransferServerFixture.RandomBytes(3 * MiB + 3, 1);
        var big = TransferServerFixture.RandomBytes(16 * MiB + 5, 2);

        var one = await engine.UploadFileAsync(fx.WriteFile(small), bucket, "one");
        Assert.Equal((algorithm, Convert.ToBase64String(Hash(algorithm, small)), TransferVerification.Checksum, 1),
            (one.ChecksumAlgorithm, one.Checksum, one.Verification, one.PartCount));
        string composite = Composite(algorithm, big, Uniform(big.Length, 5 * MiB));
        var parts = await engine.UploadFileAsync(fx.WriteFile(big), bucket, "parts");
        Assert.Equal((algorithm, composite, TransferVerification.Checksum, 4), (parts.ChecksumAlgorithm, parts.Checksum, parts.Verification, parts.PartCount));
        // A stream of unknown length gets the same composite.
        using (var source = new MemoryStream(big))
            Assert.Equal(composite, (await engine.UploadStreamAsync(source, bucket, "streamed")).Checksum);

        var head = await fx.Client.HeadObjectAsync(new GetObjectRequest(bucket, "parts") { ChecksumMode = true });
        Assert.Equal(composite, algorithm == ChecksumAlgorithm.Sha256 ? head.Checksums.ChecksumSha256 : head.Checksums.ChecksumSha1);
        Assert.Equal("COMPOSITE", head.Checksums.ChecksumType);

        // Downloads in parts of another size than the uploader's (6 MiB against 5): the digest follows the uploader's.
        using var down = fx.Engine(TransferServerFixture.SmallParts() with { PartSize = 6 * MiB });
        foreach (var (key, data) in new[] { ("one", small), ("parts", big), ("streamed", big) })
        {
            string target = Path.Combine(fx.NewDirectory(), key);
            var file = await down.DownloadFileAsync(bucket, key, target);
            Assert.Equal(data, await File.ReadAllBytesAsync(target));
            Assert.Equal((TransferVerification.Checksum, algorithm), (file.Verification, file.ChecksumAlgorithm));
            Assert.Equal(data, await down.DownloadBytesAsync(bucket, key));
            using var output = new MemoryStream();
            var streamed = await down.DownloadToStreamAsync(bucket, key, output);
            Assert.Equal(data, output.ToArray());
            Assert.Equal(TransferVerification.Checksum, streamed.Verification);
        }
        Assert.Equal(0, down.Memory.Reserved);
    }

    [Fact]
    public async Task A_composite_sha256_over_uneven_parts_is_verified_over_the_exact_parts()
    {
        string bucket = await fx.NewBucketAsync();
        int[] sizes = [5 * MiB, 7 * MiB, 5 * MiB, 3 * MiB];
        var data = TransferServerFixture.RandomBytes(sizes.Sum(), 3);
        string id = await fx.Client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, "uneven") { ChecksumAlgorithm = ChecksumAlgorithm.Sha256 });
        var completed = new List<CompletedPart>();
        for (int i = 0, offset = 0; i < sizes.Length; offset += sizes[i], i++)
            completed.Add((await fx.Client.UploadPartAsync(new UploadPartRequest(bucket, "uneven", id, i + 1) { ChecksumAlgorithm = ChecksumAlgorithm.Sha256 },
                data.AsMemory(offset, sizes[i]))).ToCompletedPart());
        var done = await fx.Client.CompleteMultipartUploadAsync(bucket, "uneven", id, completed);
        Assert.Equal(Composite(ChecksumAlgorithm.Sha256, data, sizes), done.Checksums.ChecksumSha256);

        using var engine = fx.Engine();
        string target = Path.Combine(fx.NewDirectory(), "uneven");
        var result = await engine.DownloadFileAsync(bucket, "uneven", target);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Equal((TransferVerification.Checksum, ChecksumAlgorithm.Sha256), (result.Verification, result.ChecksumAlgorithm));
    }

    [Fact]
    public async Task Bytes_damaged_on_the_server_fail_a_sha256_download_with_a_checksum_mismatch()
    {
        string bucket = await fx.NewBucketAsync();
        using var engine = Engine(ChecksumAlgorithm.Sha256);
        await engine.UploadFileAsync(fx.WriteFile(TransferServerFixture.RandomBytes(2 * MiB, 4)), bucket, "one");
        await engine.UploadFileAsync(fx.WriteFile(TransferServerFixture.RandomBytes(12 * MiB + 1, 5)), bucket, "parts");
        fx.CorruptStoredObject(bucket, "one", 100);
        fx.CorruptStoredObject(bucket, "parts", 100);

        foreach (string key in new[] { "one", "parts" })
        {
            string target = Path.Combine(fx.NewDirectory(), key);
            var e = await Assert.ThrowsAsync<ChecksumMismatchException>(() => engine.DownloadFileAsync(bucket, key, target));
            Assert.Contains("SHA256", e.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!));
            await Assert.ThrowsAsync<ChecksumMismatchException>(() => engine.DownloadBytesAsync(bucket, key));
            using var output = new MemoryStream();
            await Assert.ThrowsAsync<ChecksumMismatchException>(() => engine.DownloadToStreamAsync(bucket, key, output));
        }
        Assert.Equal(0, engine.Memory.Reserved);
    }

    [Fact]
    public async Task A_resume_follows_the_uploads_own_algorithm_or_none_and_refuses_another_known_one_when_one_is_required()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(12 * MiB + 7, 6);
        string source = fx.WriteFile(data);
        using var engine = Engine(ChecksumAlgorithm.Crc64Nvme);

        // An upload created without a checksum algorithm, its first part sent by another client.
        string plain = await fx.Client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, "plain"));
        await fx.Client.UploadPartAsync(new UploadPartRequest(bucket, "plain", plain, 1), data.AsMemory(0, 5 * MiB));
        // Nothing names an algorithm (as on a server that keeps no checksums): resumed without one even when one is required.
        var resumed = await engine.UploadFileAsync(source, bucket, "plain", new UploadOptions { ResumeUploadId = plain, RequireChecksumAlgorithm = true });
        Assert.Equal((1, 3, ChecksumAlgorithm.None, TransferVerification.MultipartETag), (resumed.ResumedParts, resumed.PartCount, resumed.ChecksumAlgorithm, resumed.Verification));
        Assert.True((await fx.Client.HeadObjectAsync(new GetObjectRequest(bucket, "plain") { ChecksumMode = true })).Checksums.IsEmpty);
        Assert.Equal(data, await engine.DownloadBytesAsync(bucket, "plain"));

        // A SHA1 upload resumed by a CRC64NVME engine stays SHA1: its kept part matched by its digest.
        string sha1 = await fx.Client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, "sha1") { ChecksumAlgorithm = ChecksumAlgorithm.Sha1 });
        await fx.Client.UploadPartAsync(new UploadPartRequest(bucket, "sha1", sha1, 2) { ChecksumAlgorithm = ChecksumAlgorithm.Sha1 }, data.AsMemory(5 * MiB, 5 * MiB));
        var listed = await fx.Client.ListPartsPageAsync(bucket, "sha1", sha1);
        Assert.Equal("SHA1", listed.ChecksumAlgorithm);
        // Required to be CRC64NVME, it is refused: the server says it is SHA1.
        var refused = await Assert.ThrowsAsync<TransferException>(() =>
            engine.UploadFileAsync(source, bucket, "sha1", new UploadOptions { ResumeUploadId = sha1, RequireChecksumAlgorithm = true }));
        Assert.Contains("with CRC64NVME checksums: it was created with SHA1", refused.Message, StringComparison.Ordinal);
        var followed = await engine.UploadFileAsync(source, bucket, "sha1", new UploadOptions { ResumeUploadId = sha1 });
        Assert.Equal((1, ChecksumAlgorithm.Sha1, TransferVerification.Checksum), (followed.ResumedParts, followed.ChecksumAlgorithm, followed.Verification));
        Assert.Equal(Composite(ChecksumAlgorithm.Sha1, data, Uniform(data.Length, 5 * MiB)), followed.Checksum);
        Assert.Equal(data, await engine.DownloadBytesAsync(bucket, "sha1"));
    }
}
