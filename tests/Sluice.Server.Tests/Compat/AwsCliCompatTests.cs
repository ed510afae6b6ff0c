using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Debian's awscli (v2) against the in-process server: the high-level `s3` commands (cp/sync/ls/rm/mb/rb/presign,
/// multipart uploads and multipart copies) and `s3api` calls (ranges, flexible checksums, conditional GETs, copy,
/// DeleteObjects, object and bucket tagging, V1 and V2 listings paged across the 1000-key boundary). Data is checked byte for byte.
/// awscli 2.9 has no conditional-PUT option (If-None-Match on put-object came later): boto3 covers that.
/// </summary>
public class AwsCliCompatTests : AwsCliTestBase, IClassFixture<CompatServer>
{
    public AwsCliCompatTests(CompatServer server) : base(server)
    {
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task A_never_versioned_bucket_lists_each_object_as_its_null_version_across_pages()
    {
        (await Aws("s3", "mb", "s3://cli-versions")).Ok();
        string dir = _s.NewPath("versions");
        string[] keys = ["a.txt", "b/1.txt", "b/2.txt", "c.txt", "d.txt"];
        foreach (string key in keys)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, key))!);
            File.WriteAllText(Path.Combine(dir, key), key);
        }
        (await Aws("s3", "cp", "--only-show-errors", "--recursive", dir, "s3://cli-versions/")).Ok();
        Assert.DoesNotContain("Status", (await Aws("s3api", "get-bucket-versioning", "--bucket", "cli-versions")).Ok().Stdout);

        // --page-size 2: awscli follows NextKeyMarker / NextVersionIdMarker over three pages.
        var all = await AwsJson("s3api", "list-object-versions", "--bucket", "cli-versions", "--page-size", "2");
        var versions = all.GetProperty("Versions").EnumerateArray().ToList();
        Assert.Equal(keys, versions.Select(v => v.GetProperty("Key").GetString()));
        Assert.All(versions, v =>
        {
            Assert.Equal("null", v.GetProperty("VersionId").GetString());
            Assert.True(v.GetProperty("IsLatest").GetBoolean());
        });
        Assert.False(all.TryGetProperty("DeleteMarkers", out _));
        var rolled = await AwsJson("s3api", "list-object-versions", "--bucket", "cli-versions", "--delimiter", "/", "--page-size", "1");
        Assert.Equal(["a.txt", "c.txt", "d.txt"], rolled.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Key").GetString()));
        Assert.Equal(["b/"], rolled.GetProperty("CommonPrefixes").EnumerateArray().Select(p => p.GetProperty("Prefix").GetString()));
        (await Aws("s3", "rb", "--force", "s3://cli-versions")).Ok();
        Directory.Delete(dir, recursive: true);
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task Object_and_bucket_tagging_through_s3api()
    {
        (await Aws("s3", "mb", "s3://cli-tags")).Ok();
        var (file, _) = _s.RandomFile(1000, "tagged");
        (await Aws("s3api", "put-object", "--bucket", "cli-tags", "--key", "k", "--body", file, "--tagging", "a=1&b=two%20words")).Ok();
        static List<string> Pairs(JsonElement e) =>
            e.GetProperty("TagSet").EnumerateArray().Select(t => t.GetProperty("Key").GetString() + "=" + t.GetProperty("Value").GetString()).ToList();
        Assert.Equal(["a=1", "b=two words"], Pairs(await AwsJson("s3api", "get-object-tagging", "--bucket", "cli-tags", "--key", "k")));
        Assert.Equal(2, (await AwsJson("s3api", "get-object", "--bucket", "cli-tags", "--key", "k", _s.NewPath("tagged.out")))
            .GetProperty("TagCount").GetInt32());
        (await Aws("s3api", "put-object-tagging", "--bucket", "cli-tags", "--key", "k", "--tagging", "TagSet=[{Key=env,Value=prod}]")).Ok();
        Assert.Equal(["env=prod"], Pairs(await AwsJson("s3api", "get-object-tagging", "--bucket", "cli-tags", "--key", "k")));
        (await Aws("s3api", "put-object-tagging", "--bucket", "cli-tags", "--key", "k", "--tagging",
            "TagSet=[{Key=aws:x,Value=1}]")).Failed("InvalidTag");
        (await Aws("s3api", "delete-object-tagging", "--bucket", "cli-tags", "--key", "k")).Ok();
        Assert.Empty(Pairs(await AwsJson("s3api", "get-object-tagging", "--bucket", "cli-tags", "--key", "k")));

        (await Aws("s3api", "get-bucket-tagging", "--bucket", "cli-tags")).Failed("NoSuchTagSet");
        (await Aws("s3api", "put-bucket-tagging", "--bucket", "cli-tags", "--tagging", "TagSet=[{Key=team,Value=storage}]")).Ok();
        Assert.Equal(["team=storage"], Pairs(await AwsJson("s3api", "get-bucket-tagging", "--bucket", "cli-tags")));
        (await Aws("s3api", "delete-bucket-tagging", "--bucket", "cli-tags")).Ok();
        (await Aws("s3api", "get-bucket-tagging", "--bucket", "cli-tags")).Failed("NoSuchTagSet");
        (await Aws("s3", "rb", "--force", "s3://cli-tags")).Ok();
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task Small_and_multipart_objects_round_trip_and_copy()
    {
        (await Aws("s3", "mb", "s3://cli-objects")).Ok();
        // One small and one multipart object, up and down in one command each (every aws start costs seconds).
        string upDir = _s.NewPath("up");
        Directory.CreateDirectory(Path.Combine(upDir, "dir"));
        var smallData = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1234);
        var largeData = System.Security.Cryptography.RandomNumberGenerator.GetBytes(CompatServer.LargeSize);
        File.WriteAllBytes(Path.Combine(upDir, "dir", "small.bin"), smallData);
        File.WriteAllBytes(Path.Combine(upDir, "large.bin"), largeData);
        (await Aws("s3", "cp", "--only-show-errors", "--recursive", upDir, "s3://cli-objects/")).Ok();
        string downDir = _s.NewPath("down");
        (await Aws("s3", "cp", "--only-show-errors", "--recursive", "s3://cli-objects/", downDir)).Ok();
        CompatServer.AssertFileEquals(smallData, Path.Combine(downDir, "dir", "small.bin"));
        CompatServer.AssertFileEquals(largeData, Path.Combine(downDir, "large.bin"));
        Directory.Delete(downDir, recursive: true);
        Directory.Delete(upDir, recursive: true);

        // 8 MiB parts (awscli's default): the ETag says how many.
        var head = await AwsJson("s3api", "head-object", "--bucket", "cli-objects", "--key", "large.bin");
        Assert.Equal(CompatServer.LargeSize, head.GetProperty("ContentLength").GetInt64());
        int parts = (CompatServer.LargeSize + 8 * 1024 * 1024 - 1) / (8 * 1024 * 1024);
        Assert.EndsWith($"-{parts}\"", head.GetProperty("ETag").GetString());

        // Ranged GETs, inside the object and running past its end.
        string rangeOut = _s.NewPath();
        var ranged = await AwsJson("s3api", "get-object", "--bucket", "cli-objects", "--key", "large.bin",
            "--range", "bytes=50000000-50099999", rangeOut);
        Assert.Equal($"bytes 50000000-50099999/{CompatServer.LargeSize}", ranged.GetProperty("ContentRange").GetString());
        CompatServer.AssertFileEquals(largeData.AsSpan(50_000_000, 100_000).ToArray(), rangeOut);

        // Server-side copies: a small one (CopyObject) and a large one (awscli copies > 8 MiB with UploadPartCopy).
        (await Aws("s3", "cp", "--only-show-errors", "s3://cli-objects/dir/small.bin", "s3://cli-objects/copies/small.bin")).Ok();
        (await Aws("s3api", "copy-object", "--bucket", "cli-objects", "--key", "copies/small-2.bin",
            "--copy-source", "cli-objects/dir/small.bin")).Ok();
        (await Aws("s3", "cp", "--only-show-errors", "s3://cli-objects/large.bin", "s3://cli-objects/copies/large.bin")).Ok();
        string copies = _s.NewPath("copies");
        (await Aws("s3", "cp", "--only-show-errors", "--recursive", "s3://cli-objects/copies/", copies)).Ok();
        CompatServer.AssertFileEquals(smallData, Path.Combine(copies, "small.bin"));
        CompatServer.AssertFileEquals(smallData, Path.Combine(copies, "small-2.bin"));
        CompatServer.AssertFileEquals(largeData, Path.Combine(copies, "large.bin"));
        Directory.Delete(copies, recursive: true);

        // sync both ways.
        string syncDir = _s.NewPath("sync");
        Directory.CreateDirectory(Path.Combine(syncDir, "sub"));
        File.WriteAllBytes(Path.Combine(syncDir, "a.bin"), smallData);
        File.WriteAllBytes(Path.Combine(syncDir, "sub", "b.bin"), smallData[..100]);
        (await Aws("s3", "sync", "--only-show-errors", syncDir, "s3://cli-objects/synced")).Ok();
        string syncBack = _s.NewPath("sync-back");
        (await Aws("s3", "sync", "--only-show-errors", "s3://cli-objects/synced", syncBack)).Ok();
        CompatServer.AssertFileEquals(smallData, Path.Combine(syncBack, "a.bin"));
        CompatServer.AssertFileEquals(smallData[..100], Path.Combine(syncBack, "sub", "b.bin"));

        // Single and batch deletes.
        (await Aws("s3", "rm", "--only-show-errors", "s3://cli-objects/large.bin")).Ok();
        var deleted = await AwsJson("s3api", "delete-objects", "--bucket", "cli-objects", "--delete",
            """{"Objects":[{"Key":"copies/small.bin"},{"Key":"copies/small-2.bin"},{"Key":"copies/large.bin"},{"Key":"never-existed"}]}""");
        Assert.Equal(4, deleted.GetProperty("Deleted").GetArrayLength());
        (await Aws("s3", "rm", "--only-show-errors", "--recursive", "s3://cli-objects/synced")).Ok();
        string rest = (await Aws("s3", "ls", "--recursive", "s3://cli-objects")).Ok().Stdout;
        Assert.Equal(["dir/small.bin"], rest.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[^1]));
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task Checksums_conditions_and_presigned_urls()
    {
        (await Aws("s3", "mb", "s3://cli-checks")).Ok();
        var (file, data) = _s.RandomFile(300_000);

        // Flexible checksums: awscli computes them and sends x-amz-checksum-* headers; on GET with
        // --checksum-mode ENABLED it validates what the server returns.
        string etag = "";
        foreach (var algorithm in new[] { "CRC32", "SHA256" })
        {
            string key = "sum-" + algorithm;
            var put = await AwsJson("s3api", "put-object", "--bucket", "cli-checks", "--key", key, "--body", file,
                "--checksum-algorithm", algorithm);
            string sum = put.GetProperty("Checksum" + algorithm).GetString()!;
            etag = put.GetProperty("ETag").GetString()!;
            string o = _s.NewPath();
            var get = await AwsJson("s3api", "get-object", "--bucket", "cli-checks", "--key", key, "--checksum-mode", "ENABLED", o);
            Assert.Equal(sum, get.GetProperty("Checksum" + algorithm).GetString());
            CompatServer.AssertFileEquals(data, o);
        }
        // A wrong checksum is refused and nothing is stored.
        (await Aws("s3api", "put-object", "--bucket", "cli-checks", "--key", "bad-sum", "--body", file,
            "--checksum-crc32", "AAAAAA==")).Failed("BadDigest");

        // Conditional requests (the objects hold the same bytes, so they share the ETag). HEAD errors have no body:
        // awscli reports the status.
        (await Aws("s3api", "get-object", "--bucket", "cli-checks", "--key", "sum-CRC32", "--if-match", "\"0123456789abcdef0123456789abcdef\"", _s.NewPath()))
            .Failed("PreconditionFailed");
        (await Aws("s3api", "get-object", "--bucket", "cli-checks", "--key", "sum-CRC32", "--if-none-match", etag, _s.NewPath()))
            .Failed("304");
        (await Aws("s3api", "head-object", "--bucket", "cli-checks", "--key", "sum-CRC32", "--if-match", etag,
            "--if-unmodified-since", "2001-01-01T00:00:00Z")).Ok(); // If-Match true wins over If-Unmodified-Since
        (await Aws("s3api", "head-object", "--bucket", "cli-checks", "--key", "sum-CRC32", "--if-unmodified-since", "2001-01-01T00:00:00Z"))
            .Failed("412");

        // `aws s3 presign` makes GET URLs only.
        string url = (await Aws("s3", "presign", "s3://cli-checks/sum-CRC32", "--expires-in", "300")).Ok().Stdout.Trim();
        var (status, body) = await CompatServer.HttpAsync(HttpMethod.Get, url);
        Assert.Equal(200, status);
        Assert.True(data.AsSpan().SequenceEqual(body));
        var (tampered, _) = await CompatServer.HttpAsync(HttpMethod.Get, url.Replace("sum-CRC32", "sum-SHA1", StringComparison.Ordinal));
        Assert.Equal(403, tampered);
    }
}
