using Sluice.Client;
using Sluice.Client.Model;
using Sluice.S3.Naming;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice ls -r --parallel N</c> through the real executable: the same lines as the sequential listing.</summary>
public sealed class ParallelLsCommandTests() : ServerCommandTests("AKIDPARLS", "parls/secret", "parls")
{
    [Fact]
    public async Task Parallel_listing_prints_exactly_what_the_sequential_one_does()
    {
        await using (var client = new S3Client(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret }))
        {
            await client.CreateBucketAsync("plist");
            var keys = Enumerable.Range(0, 1500).Select(i => "data/" + KeyNaming.AddHashPrefix($"obj-{i:D5}", 1))
                .Concat(["data/!first", "data/7/ü ñ", "data/7/\uFF5E", "data/7/😀", "data/zz", "other/x"]);
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (k, ct) =>
                await client.PutObjectAsync(new PutObjectRequest("plist", k), new byte[] { 1, 2, 3 }, ct));
        }

        var sequential = Ok(Sluice("ls", "-r", "--utc", "--summarize", "s3://plist/data/"));
        var parallel = Ok(Sluice("ls", "-r", "--utc", "--summarize", "--parallel", "8", "s3://plist/data/"));
        Assert.Equal(sequential.StdOut, parallel.StdOut);
        Assert.Contains("Total Objects: 1505", parallel.StdOut);
        // JSON records, without the summary line's timing.
        static string[] Records(SluiceProcess.Result r) => r.StdOut.Split('\n').Where(l => !l.Contains("elapsedSeconds", StringComparison.Ordinal)).ToArray();
        var jsonSequential = Records(Ok(Sluice("ls", "-r", "--json", "s3://plist")));
        Assert.Equal(1506, jsonSequential.Count(l => l.Contains("\"key\"", StringComparison.Ordinal)));
        Assert.Equal(jsonSequential, Records(Ok(Sluice("ls", "-r", "--json", "--parallel", "3", "s3://plist"))));

        // Nothing under the prefix fails, as the sequential ls does.
        var none = Sluice("ls", "-r", "--parallel", "4", "s3://plist/nothing/");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("nothing matches", none.StdErr);
        var missing = Sluice("ls", "-r", "--parallel", "4", "s3://nosuchbucket/");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NoSuchBucket", missing.StdErr);
    }

    [Theory]
    [InlineData("ls", "--parallel", "4", "s3://plist/")]
    [InlineData("ls", "-r", "--parallel", "0", "s3://plist/")]
    [InlineData("ls", "-r", "--parallel", "257", "s3://plist/")]
    [InlineData("ls", "-r", "--versions", "--parallel", "4", "s3://plist/")]
    public void Parallel_without_a_recursive_object_listing_is_a_usage_error(params string[] args)
    {
        var r = Sluice(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--parallel", r.StdErr);
    }
}
