namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Debian's s3cmd (SigV4, path-style, plain HTTP) against the in-process server: buckets, small and ≥ 100 MB
/// multipart puts (15 MiB chunks) and gets, a ranged GET (`get --continue` resumes a partial file with a Range
/// request), copy, move, delete, recursive (batch) delete, sync, and listings with delimiter across 1000 keys.
/// s3cmd cannot send conditional headers; `signurl` makes SigV2 URLs (checked), and with `signature_v2 = True` every
/// request is SigV2-signed (put, multipart put, get, info, ls, delete checked); conditions are covered by the awscli
/// and boto3 tests.
/// </summary>
public class S3cmdCompatTests : IClassFixture<CompatServer>
{
    private readonly CompatServer _s;
    private readonly string _config;

    public S3cmdCompatTests(CompatServer server)
    {
        _s = server;
        _config = Path.Combine(_s.WorkDirectory, "s3cmd.cfg");
        File.WriteAllText(_config, $"""
            [default]
            access_key = {CompatServer.AccessKey}
            secret_key = {CompatServer.Secret}
            host_base = {_s.HostPort}
            host_bucket = {_s.HostPort}
            bucket_location = {CompatServer.Region}
            use_https = False
            signature_v2 = False
            multipart_chunk_size_mb = 15
            progress_meter = False

            """);
    }

    private Task<ProcessResult> S3cmd(params string[] args) => _s.RunAsync(Clients.S3cmd, ["-c", _config, .. args]);

    /// <summary>The s3:// URLs in an `s3cmd ls` output, in order.</summary>
    private static string[] Urls(ProcessResult r) => r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l[l.IndexOf("s3://", StringComparison.Ordinal)..]).ToArray();

    [ClientFact(S3Client.S3cmd)]
    public async Task Buckets_are_created_listed_and_removed()
    {
        (await S3cmd("mb", "s3://s3cmd-buckets")).Ok();
        Assert.Contains("s3://s3cmd-buckets", Urls((await S3cmd("ls")).Ok()));
        var (file, _) = _s.RandomFile(10);
        (await S3cmd("put", file, "s3://s3cmd-buckets/x")).Ok();
        (await S3cmd("rb", "s3://s3cmd-buckets")).Failed("BucketNotEmpty");
        (await S3cmd("del", "s3://s3cmd-buckets/x")).Ok();
        (await S3cmd("rb", "s3://s3cmd-buckets")).Ok();
        Assert.DoesNotContain("s3://s3cmd-buckets", Urls((await S3cmd("ls")).Ok()));
        (await S3cmd("rb", "s3://s3cmd-buckets")).Failed("NoSuchBucket");
    }

    [ClientFact(S3Client.S3cmd)]
    public async Task Small_and_multipart_objects_round_trip_ranges_copies_and_deletes()
    {
        (await S3cmd("mb", "s3://s3cmd-objects")).Ok();
        var (small, smallData) = _s.RandomFile(7000, "small");
        var (large, largeData) = _s.RandomFile(CompatServer.LargeSize, "large");
        (await S3cmd("put", small, "s3://s3cmd-objects/dir/small.bin")).Ok();
        (await S3cmd("put", large, "s3://s3cmd-objects/large.bin")).Ok();
        string smallOut = _s.NewPath(), largeOut = _s.NewPath();
        (await S3cmd("get", "s3://s3cmd-objects/dir/small.bin", smallOut)).Ok();
        (await S3cmd("get", "s3://s3cmd-objects/large.bin", largeOut)).Ok();
        CompatServer.AssertFileEquals(smallData, smallOut);
        CompatServer.AssertFileEquals(largeData, largeOut);
        var info = (await S3cmd("info", "s3://s3cmd-objects/large.bin")).Ok().Stdout;
        Assert.Contains($"File size: {CompatServer.LargeSize}", info);

        // Ranged GET: resume a download cut at 60 MB.
        using (var f = File.OpenWrite(largeOut)) f.SetLength(60_000_000);
        (await S3cmd("get", "--continue", "s3://s3cmd-objects/large.bin", largeOut)).Ok();
        CompatServer.AssertFileEquals(largeData, largeOut);
        File.Delete(largeOut);

        // Copy and move (CopyObject), then compare bytes.
        (await S3cmd("cp", "s3://s3cmd-objects/large.bin", "s3://s3cmd-objects/copies/large.bin")).Ok();
        (await S3cmd("cp", "s3://s3cmd-objects/dir/small.bin", "s3://s3cmd-objects/copies/small.bin")).Ok();
        (await S3cmd("mv", "s3://s3cmd-objects/copies/small.bin", "s3://s3cmd-objects/copies/moved.bin")).Ok();
        string copyOut = _s.NewPath(), movedOut = _s.NewPath();
        (await S3cmd("get", "s3://s3cmd-objects/copies/large.bin", copyOut)).Ok();
        (await S3cmd("get", "s3://s3cmd-objects/copies/moved.bin", movedOut)).Ok();
        CompatServer.AssertFileEquals(largeData, copyOut);
        CompatServer.AssertFileEquals(smallData, movedOut);
        File.Delete(copyOut);

        // sync up and back.
        string syncDir = _s.NewPath("sync");
        Directory.CreateDirectory(Path.Combine(syncDir, "sub"));
        File.WriteAllBytes(Path.Combine(syncDir, "a.bin"), smallData);
        File.WriteAllBytes(Path.Combine(syncDir, "sub", "b.bin"), smallData[..99]);
        (await S3cmd("sync", syncDir + "/", "s3://s3cmd-objects/synced/")).Ok();
        string back = _s.NewPath("back");
        Directory.CreateDirectory(back);
        (await S3cmd("sync", "s3://s3cmd-objects/synced/", back + "/")).Ok();
        CompatServer.AssertFileEquals(smallData, Path.Combine(back, "a.bin"));
        CompatServer.AssertFileEquals(smallData[..99], Path.Combine(back, "sub", "b.bin"));

        // Deletes: one object, then recursive (s3cmd sends DeleteObjects batches).
        (await S3cmd("del", "s3://s3cmd-objects/large.bin")).Ok();
        (await S3cmd("del", "--recursive", "--force", "s3://s3cmd-objects/copies/")).Ok();
        (await S3cmd("del", "--recursive", "--force", "s3://s3cmd-objects/synced/")).Ok();
        Assert.Equal(["s3://s3cmd-objects/dir/small.bin"], Urls((await S3cmd("ls", "--recursive", "s3://s3cmd-objects")).Ok()));

        // signurl makes SigV2 query-string URLs: the URL reads the object, and only that object.
        string url = (await S3cmd("signurl", "s3://s3cmd-objects/dir/small.bin", "+300")).Ok().Stdout.Trim();
        Assert.Contains("AWSAccessKeyId=", url);
        var (status, body) = await CompatServer.HttpAsync(HttpMethod.Get, url);
        Assert.Equal(200, status);
        Assert.True(smallData.AsSpan().SequenceEqual(body));
        var (otherStatus, otherBody) = await CompatServer.HttpAsync(HttpMethod.Get, url.Replace("/small.bin?", "/other.bin?", StringComparison.Ordinal));
        Assert.Equal(403, otherStatus);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", System.Text.Encoding.UTF8.GetString(otherBody));
    }

    [ClientFact(S3Client.S3cmd)]
    public async Task Signature_v2_requests_put_get_list_and_delete()
    {
        string config = Path.Combine(_s.WorkDirectory, "s3cmd-v2.cfg");
        File.WriteAllText(config, File.ReadAllText(_config).Replace("signature_v2 = False", "signature_v2 = True", StringComparison.Ordinal));
        Task<ProcessResult> V2(params string[] args) => _s.RunAsync(Clients.S3cmd, ["-c", config, "--debug", .. args]);
        (await V2("mb", "s3://s3cmd-v2")).Ok();
        var (small, smallData) = _s.RandomFile(5000, "v2-small");
        var (large, largeData) = _s.RandomFile(20 * 1024 * 1024 + 7, "v2-large");
        var put = (await V2("put", "--add-header=x-amz-meta-team:blue", small, "s3://s3cmd-v2/dir/small file.bin")).Ok();
        // The debug log shows the request was signed with SigV2 (its string to sign), never SigV4.
        Assert.Contains("Using signature v2", put.Stderr);
        Assert.Contains("SignHeaders: 'PUT\\n", put.Stderr);
        Assert.DoesNotContain("signature v4", put.Stderr);
        (await V2("put", large, "s3://s3cmd-v2/large.bin")).Ok(); // multipart: ?uploads, ?partNumber&uploadId signed
        string smallOut = _s.NewPath(), largeOut = _s.NewPath();
        (await V2("get", "s3://s3cmd-v2/dir/small file.bin", smallOut)).Ok();
        (await V2("get", "s3://s3cmd-v2/large.bin", largeOut)).Ok();
        CompatServer.AssertFileEquals(smallData, smallOut);
        CompatServer.AssertFileEquals(largeData, largeOut);
        Assert.Contains("x-amz-meta-team: blue", (await V2("info", "s3://s3cmd-v2/dir/small file.bin")).Ok().Stdout,
            StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["s3://s3cmd-v2/dir/small file.bin", "s3://s3cmd-v2/large.bin"],
            Urls((await V2("ls", "--recursive", "s3://s3cmd-v2")).Ok()));
        (await V2("del", "--recursive", "--force", "s3://s3cmd-v2/")).Ok();
        Assert.Empty(Urls((await V2("ls", "--recursive", "s3://s3cmd-v2")).Ok()));
        (await V2("rb", "s3://s3cmd-v2")).Ok();
    }

    [ClientFact(S3Client.S3cmd)]
    public async Task Listings_page_past_1000_keys_with_delimiter()
    {
        string dir = _s.NewPath("tree");
        ListingTree.WriteFiles(dir);
        (await S3cmd("mb", "s3://s3cmd-list")).Ok();
        (await S3cmd("put", "--recursive", "--quiet", dir + "/", "s3://s3cmd-list/")).Ok();
        var direct = Urls((await S3cmd("ls", "s3://s3cmd-list/tree/")).Ok());
        Assert.Equal(ListingTree.DirectKeys.Select(k => "s3://s3cmd-list/" + k).Prepend("s3://s3cmd-list/" + ListingTree.BoundaryPrefix)
            .Order(StringComparer.Ordinal), direct.Order(StringComparer.Ordinal));
        Assert.Equal(direct.Length, direct.Distinct().Count());
        var all = Urls((await S3cmd("ls", "--recursive", "s3://s3cmd-list")).Ok());
        Assert.Equal(ListingTree.Keys.Select(k => "s3://s3cmd-list/" + k), all);
    }
}
