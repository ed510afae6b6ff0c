using System.Security.Cryptography;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Tests.Compat;
using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice cp --checksum-algorithm SHA256` against a real Ceph RADOS Gateway (skipped without one). RGW 16 keeps no
/// flexible checksums: it takes the headers and stores nothing, so what is shown there is that single and multipart
/// SHA256 uploads go through and read back byte for byte, and that resuming works both for an upload another tool
/// created without a checksum and for a SHA256 upload (ListParts names no algorithm there, so the parts go with
/// Content-MD5). A gateway that does store the digest must store S3's value, computed here independently.
/// </summary>
public sealed class RgwChecksumCommandTests : IDisposable
{
    private const int PartSize = 5 << 20;
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sluice-rgw-sha-{Guid.NewGuid():N}");
    private readonly string _bucket = $"sluice-sha-{Guid.NewGuid():N}"[..30];

    public RgwChecksumCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (RgwEnvironment.Current != null) Sluice("rb", "--force", $"s3://{_bucket}");
        Directory.Delete(_root, recursive: true);
    }

    private static Dictionary<string, string?> Environment() => RgwCli.Environment();

    private static SluiceProcess.Result Sluice(params string[] args) => SluiceProcess.Run(Environment(), null, args);

    private static SluiceProcess.Result Ok(SluiceProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        return r;
    }

    private string NewFile(string name, int size, int seed)
    {
        string path = Path.Combine(_root, name);
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Composite(byte[] data)
    {
        var digests = new List<byte>();
        int parts = 0;
        for (int offset = 0; offset < data.Length; offset += PartSize, parts++)
            digests.AddRange(SHA256.HashData(data.AsSpan(offset, Math.Min(PartSize, data.Length - offset))));
        return Convert.ToBase64String(SHA256.HashData(digests.ToArray())) + "-" + parts;
    }

    /// <summary>Downloads the object and checks it is the file's bytes, and any SHA256 the gateway stored.</summary>
    private async Task ReadsBackAsync(S3Client client, string key, byte[] bytes, string expectedSha256)
    {
        string back = Path.Combine(_root, key + ".back");
        Ok(Sluice("cp", $"s3://{_bucket}/{key}", back));
        Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(back)), $"{key} came back different");
        var head = await client.HeadObjectAsync(new GetObjectRequest(_bucket, key) { ChecksumMode = true });
        if (head.Checksums.ChecksumSha256 is { } stored) Assert.Equal(expectedSha256, stored);
    }

    [RgwFact]
    public async Task Sha256_uploads_and_resumed_uploads_read_back_byte_for_byte()
    {
        await using var client = new S3Client(RgwEnvironment.Current!.Options());
        Ok(Sluice("mb", $"s3://{_bucket}"));
        string small = NewFile("small.bin", 100_000, 1), big = NewFile("big.bin", (17 << 20) + 5, 2);
        byte[] smallBytes = File.ReadAllBytes(small), bigBytes = File.ReadAllBytes(big);
        Ok(Sluice("cp", "--checksum-algorithm", "SHA256", small, $"s3://{_bucket}/small"));
        Ok(Sluice("cp", "--checksum-algorithm", "SHA256", "--part-size", "5MiB", big, $"s3://{_bucket}/big"));
        await ReadsBackAsync(client, "small", smallBytes, Convert.ToBase64String(SHA256.HashData(smallBytes)));
        await ReadsBackAsync(client, "big", bigBytes, Composite(bigBytes));

        // An upload another tool started without a checksum, and one started with SHA256 (as an interrupted
        // `cp --checksum-algorithm SHA256` leaves it): each has part 1; cp keeps it and sends the rest.
        foreach (var (key, algorithm) in new[] { ("foreign", ChecksumAlgorithm.None), ("sha256", ChecksumAlgorithm.Sha256) })
        {
            string id = await client.CreateMultipartUploadAsync(new PutObjectRequest(_bucket, key) { ChecksumAlgorithm = algorithm });
            await client.UploadPartAsync(new UploadPartRequest(_bucket, key, id, 1) { ChecksumAlgorithm = algorithm }, bigBytes.AsMemory(0, PartSize));
            string[] checksum = algorithm == ChecksumAlgorithm.None ? [] : ["--checksum-algorithm", "SHA256"];
            var done = Ok(Sluice(["cp", .. checksum, "--part-size", "5MiB", big, $"s3://{_bucket}/{key}"]));
            Assert.Contains("(resumed: 1 of 4 parts were already uploaded)", done.StdOut);
            await ReadsBackAsync(client, key, bigBytes, Composite(bigBytes));
            var head = await client.HeadObjectAsync(_bucket, key);
            using var etag = new MultipartETag();
            for (int offset = 0; offset < bigBytes.Length; offset += PartSize)
            {
                var md5 = new byte[Md5Digest.HashSizeInBytes];
                Md5Digest.HashData(bigBytes.AsSpan(offset, Math.Min(PartSize, bigBytes.Length - offset)), md5); // the ETag's MD5
                etag.AddPart(md5);
            }
            Assert.Equal(etag.FormatUnquoted(), ETag.Unquote(head.ETag!.AsSpan()).ToString());
        }
        await foreach (var u in client.ListMultipartUploadsAsync(_bucket)) Assert.Fail($"upload {u.Key} {u.UploadId} left behind");
    }
}
