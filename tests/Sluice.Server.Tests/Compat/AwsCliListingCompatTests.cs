using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Debian's awscli against the in-process server: buckets, and `s3 ls` / `s3api list-objects(-v2)` paged across the
/// 1000-key boundary with prefix and delimiter. A class of its own so it runs in parallel with <see cref="AwsCliCompatTests"/>
/// (each aws start costs about a second of CPU).
/// </summary>
public class AwsCliListingCompatTests : AwsCliTestBase, IClassFixture<CompatServer>
{
    public AwsCliListingCompatTests(CompatServer server) : base(server)
    {
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task Buckets_are_created_listed_and_removed()
    {
        (await Aws("s3", "mb", "s3://cli-buckets")).Ok();
        (await Aws("s3api", "create-bucket", "--bucket", "cli-buckets-2")).Ok();
        (await Aws("s3api", "head-bucket", "--bucket", "cli-buckets")).Ok();
        var buckets = await AwsJson("s3api", "list-buckets");
        var names = buckets.GetProperty("Buckets").EnumerateArray().Select(b => b.GetProperty("Name").GetString()).ToList();
        Assert.Contains("cli-buckets", names);
        Assert.Contains("cli-buckets-2", names);

        (await Aws("s3api", "create-bucket", "--bucket", "cli-buckets")).Ok(); // the owner again, in us-east-1: S3's legacy 200
        var (file, _) = _s.RandomFile(10);
        (await Aws("s3", "cp", "--only-show-errors", file, "s3://cli-buckets-2/x")).Ok();
        (await Aws("s3api", "delete-bucket", "--bucket", "cli-buckets-2")).Failed("BucketNotEmpty");
        (await Aws("s3", "rb", "--force", "s3://cli-buckets-2")).Ok();
        (await Aws("s3", "rb", "s3://cli-buckets")).Ok();
        (await Aws("s3api", "head-bucket", "--bucket", "cli-buckets")).Failed("404");
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task Listings_page_past_1000_keys_with_prefix_and_delimiter()
    {
        (await Aws("s3", "mb", "s3://cli-list")).Ok();
        string dir = _s.NewPath("tree");
        ListingTree.WriteFiles(dir);
        (await Aws("s3", "cp", "--only-show-errors", "--recursive", dir, "s3://cli-list/")).Ok();

        // `s3 ls` (ListObjectsV2, continuation tokens): delimiter page ends exactly on the "g/" prefix.
        var lines = (await Aws("s3", "ls", "s3://cli-list/tree/")).Ok().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["PRE g/"], lines.Where(l => l.Contains("PRE", StringComparison.Ordinal)).Select(l => l.Trim()));
        Assert.Equal(ListingTree.DirectKeys.Select(k => k[ListingTree.Root.Length..]),
            lines.Where(l => !l.Contains("PRE", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1]));
        var recursive = (await Aws("s3", "ls", "--recursive", "s3://cli-list/")).Ok().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ListingTree.Keys, recursive.Select(l => l.Split(' ')[^1]));

        // s3api list-objects (V1, markers; the NextMarker after the 1000th entry is the prefix itself) and
        // list-objects-v2 (tokens), at the default page size and at 250 (more page boundaries).
        foreach (var (op, pageSize) in new[] { ("list-objects", "1000"), ("list-objects-v2", "250") })
        {
            var page = await AwsJson("s3api", op, "--bucket", "cli-list", "--prefix", ListingTree.Root, "--delimiter", "/",
                "--page-size", pageSize);
            Assert.Equal(ListingTree.DirectKeys, page.GetProperty("Contents").EnumerateArray().Select(c => c.GetProperty("Key").GetString()));
            Assert.Equal([ListingTree.BoundaryPrefix],
                page.GetProperty("CommonPrefixes").EnumerateArray().Select(c => c.GetProperty("Prefix").GetString()));
        }
        var all = await AwsJson("s3api", "list-objects", "--bucket", "cli-list", "--page-size", "250");
        Assert.Equal(ListingTree.Keys, all.GetProperty("Contents").EnumerateArray().Select(c => c.GetProperty("Key").GetString()));
        var sub = await AwsJson("s3api", "list-objects-v2", "--bucket", "cli-list", "--prefix", ListingTree.BoundaryPrefix,
            "--start-after", ListingTree.BoundaryPrefix + "1");
        Assert.Equal([ListingTree.BoundaryPrefix + "2", ListingTree.BoundaryPrefix + "3"],
            sub.GetProperty("Contents").EnumerateArray().Select(c => c.GetProperty("Key").GetString()));
    }
}
