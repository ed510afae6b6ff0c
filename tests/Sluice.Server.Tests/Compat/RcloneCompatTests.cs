namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Debian's rclone (S3 backend, provider Other) against the in-process server: buckets, small and ≥ 100 MB multipart
/// uploads (16 MiB chunks) and downloads, ranged reads (`cat --offset --count`), server-side copies (CopyObject and,
/// above copy_cutoff, UploadPartCopy), deletes, `check`, V1 and V2 listings with delimiter across 1000 keys, and a
/// presigned GET (`rclone link`). rclone has no presigned PUT and no way to send conditional headers, so those are
/// covered by the awscli and boto3 tests. Its `delete` removes objects one request at a time (no DeleteObjects).
/// </summary>
public class RcloneCompatTests : IClassFixture<CompatServer>
{
    private readonly CompatServer _s;
    private readonly string _config;

    public RcloneCompatTests(CompatServer server)
    {
        _s = server;
        _config = Path.Combine(_s.WorkDirectory, "rclone.conf");
        File.WriteAllText(_config, $"""
            [sluice]
            type = s3
            provider = Other
            access_key_id = {CompatServer.AccessKey}
            secret_access_key = {CompatServer.Secret}
            endpoint = {_s.Endpoint}
            region = {CompatServer.Region}
            force_path_style = true
            upload_cutoff = 16M
            chunk_size = 16M
            copy_cutoff = 16M

            """);
    }

    private Task<ProcessResult> Rclone(params string[] args) =>
        _s.RunAsync(Clients.Rclone, ["--config", _config, "--retries", "1", "--low-level-retries", "1", .. args]);

    private static string[] Lines(ProcessResult r) => r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [ClientFact(S3Client.Rclone)]
    public async Task Buckets_are_created_listed_and_removed()
    {
        (await Rclone("mkdir", "sluice:rc-buckets")).Ok();
        Assert.Contains("rc-buckets/", Lines((await Rclone("lsf", "sluice:")).Ok()));
        var (file, _) = _s.RandomFile(10);
        (await Rclone("copyto", file, "sluice:rc-buckets/x")).Ok();
        (await Rclone("rmdir", "sluice:rc-buckets")).Failed("BucketNotEmpty");
        (await Rclone("purge", "sluice:rc-buckets")).Ok();
        Assert.DoesNotContain("rc-buckets/", Lines((await Rclone("lsf", "sluice:")).Ok()));
    }

    [ClientFact(S3Client.Rclone)]
    public async Task Small_and_multipart_objects_round_trip_ranges_copies_and_deletes()
    {
        (await Rclone("mkdir", "sluice:rc-objects")).Ok();
        var (small, smallData) = _s.RandomFile(5000, "small");
        var (large, largeData) = _s.RandomFile(CompatServer.LargeSize, "large");
        (await Rclone("copyto", small, "sluice:rc-objects/dir/small.bin")).Ok();
        (await Rclone("copyto", large, "sluice:rc-objects/large.bin")).Ok();

        string smallOut = _s.NewPath(), largeOut = _s.NewPath();
        (await Rclone("copyto", "sluice:rc-objects/dir/small.bin", smallOut)).Ok();
        (await Rclone("copyto", "sluice:rc-objects/large.bin", largeOut)).Ok();
        CompatServer.AssertFileEquals(smallData, smallOut);
        CompatServer.AssertFileEquals(largeData, largeOut);
        File.Delete(largeOut);
        // rclone keeps a multipart upload's MD5 in x-amz-meta-md5chksum (its ETag is not an MD5): metadata round trip.
        string md5 = (await Rclone("md5sum", "sluice:rc-objects/large.bin")).Ok().Stdout.Split(' ')[0];
        Assert.Equal(Convert.ToHexStringLower(Handlers.S3TestClient.Md5(largeData)), md5);
        Assert.Contains($"{CompatServer.LargeSize} large.bin", (await Rclone("ls", "sluice:rc-objects")).Ok().Stdout);

        // Ranged reads.
        string head = _s.NewPath();
        var cat = await _s.RunAsync("/bin/sh", ["-c",
            $"'{Clients.Rclone}' --config '{_config}' cat --offset 70000000 --count 123456 sluice:rc-objects/large.bin > '{head}'"]);
        cat.Ok();
        CompatServer.AssertFileEquals(largeData.AsSpan(70_000_000, 123_456).ToArray(), head);

        // Server-side copies (the large one as UploadPartCopy parts), then compare the copies' bytes.
        (await Rclone("copyto", "sluice:rc-objects/dir/small.bin", "sluice:rc-objects/copies/small.bin")).Ok();
        (await Rclone("copyto", "sluice:rc-objects/large.bin", "sluice:rc-objects/copies/large.bin")).Ok();
        string copies = _s.NewPath("copies");
        (await Rclone("copy", "sluice:rc-objects/copies", copies)).Ok();
        CompatServer.AssertFileEquals(smallData, Path.Combine(copies, "small.bin"));
        CompatServer.AssertFileEquals(largeData, Path.Combine(copies, "large.bin"));
        Directory.Delete(copies, recursive: true);

        (await Rclone("deletefile", "sluice:rc-objects/large.bin")).Ok();
        (await Rclone("delete", "sluice:rc-objects/copies")).Ok();
        Assert.Equal(["dir/small.bin"], Lines((await Rclone("lsf", "-R", "--files-only", "sluice:rc-objects")).Ok()));

        // A presigned GET URL.
        string url = (await Rclone("link", "--expire", "5m", "sluice:rc-objects/dir/small.bin")).Ok().Stdout.Trim();
        var (status, body) = await CompatServer.HttpAsync(HttpMethod.Get, url);
        Assert.Equal(200, status);
        Assert.True(smallData.AsSpan().SequenceEqual(body));
    }

    [ClientFact(S3Client.Rclone)]
    public async Task Listings_page_past_1000_keys_with_v1_and_v2()
    {
        string dir = _s.NewPath("tree");
        ListingTree.WriteFiles(dir);
        (await Rclone("mkdir", "sluice:rc-list")).Ok();
        (await Rclone("copy", "--transfers", "16", "--checkers", "16", dir, "sluice:rc-list")).Ok();
        var direct = ListingTree.DirectKeys.Select(k => k[ListingTree.Root.Length..]).Append("g/").Order(StringComparer.Ordinal);
        foreach (var version in new[] { "1", "2" })
        {
            foreach (var chunk in new[] { "1000", "250" })
            {
                string[] common = ["--s3-list-version", version, "--s3-list-chunk", chunk];
                var lsf = Lines((await Rclone(["lsf", .. common, "sluice:rc-list/tree"])).Ok());
                Assert.Equal(direct, lsf.Order(StringComparer.Ordinal));
                Assert.Equal(lsf.Length, lsf.Distinct().Count());
                // --fast-list lists the whole bucket without a delimiter.
                var all = Lines((await Rclone(["lsf", .. common, "-R", "--fast-list", "--files-only", "sluice:rc-list"])).Ok());
                Assert.Equal(ListingTree.Keys, all.Order(StringComparer.Ordinal));
            }
        }
    }
}
