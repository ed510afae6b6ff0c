using System.Net;
using Sluice.Client;
using Sluice.Client.Model;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice mpu ls/abort`, `ls --incomplete` and `cp -r --resume` through the real executable against the embedded server:
/// uploads left in progress are listed across pages, aborted one by one or all at once, and resumed.
/// </summary>
public sealed class MpuCommandTests() : ServerCommandTests("AKIDMPU", "mpu/secret", "mpu")
{
    private S3Client NewClient() => new(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    private async Task<List<string>> UploadIdsAsync(string bucket, string? prefix = null)
    {
        await using var client = NewClient();
        var ids = new List<string>();
        await foreach (var u in client.ListMultipartUploadsAsync(bucket, prefix)) ids.Add(u.UploadId);
        return ids;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Uploads_are_listed_across_pages_and_aborted_one_or_all()
    {
        Ok(Sluice("mb", "s3://mpu"));
        var started = new List<(string Key, string Id)>();
        await using (var client = NewClient())
        {
            // Three uploads of one key: a page of two ends between them, so the upload-id marker matters.
            foreach (string key in new[] { "a/x", "a/x", "a/x", "a/y", "b/z" })
                started.Add((key, await client.CreateMultipartUploadAsync(new PutObjectRequest("mpu", key))));
        }

        var all = Ok(Sluice("mpu", "ls", "--page-size", "2", "s3://mpu"));
        Assert.Equal("", all.StdErr);
        var lines = Lines(all.StdOut);
        Assert.Equal(5, lines.Length);
        foreach (var (key, id) in started)
            Assert.Single(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d {System.Text.RegularExpressions.Regex.Escape(id)} {key}$"));
        Assert.Equal(Lines(Ok(Sluice("mpu", "ls", "s3://mpu")).StdOut).Order(), lines.Order()); // one page says the same

        var underA = Lines(Ok(Sluice("mpu", "ls", "--page-size", "1", "s3://mpu/a/")).StdOut);
        Assert.Equal(4, underA.Length);
        // ls --incomplete lists the same uploads with ls's times: the zone shown, UTC with --utc.
        var inUtc = Lines(Ok(Sluice("ls", "--incomplete", "--utc", "s3://mpu/a/")).StdOut);
        Assert.All(inUtc, l => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00 ", l));
        Assert.Equal(underA, inUtc.Select(l => l.Remove(19, " +00:00".Length)));
        var india = SluiceProcess.Run(new Dictionary<string, string?>(Environment()) { ["TZ"] = "Asia/Kolkata" }, null, "ls", "--incomplete", "s3://mpu/a/");
        Assert.All(Lines(Ok(india).StdOut), l => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30 ", l));
        // Nothing is a day old; everything is older than a date to come.
        Assert.Equal("", Ok(Sluice("ls", "--incomplete", "--older-than", "1d", "s3://mpu")).StdOut);
        Assert.Equal(5, Lines(Ok(Sluice("mpu", "ls", "--older-than", "2099-01-01", "s3://mpu")).StdOut).Length);
        Assert.Equal("", Ok(Sluice("mpu", "abort", "--all", "--older-than", "1d", "s3://mpu")).StdOut);
        Assert.Equal(5, (await UploadIdsAsync("mpu")).Count);

        // One upload by id; the same id again is gone: a failure, in one line.
        string zId = started[4].Id;
        Assert.Equal($"abort: s3://mpu/b/z {zId}\n", Ok(Sluice("mpu", "abort", "s3://mpu/b/z", zId)).StdOut);
        Assert.DoesNotContain(zId, await UploadIdsAsync("mpu"));
        OneLineError(Sluice("mpu", "abort", "s3://mpu/b/z", zId), 1, "^sluice: NoSuchUpload: .*\\(HTTP 404\\)$");

        var dry = Ok(Sluice("mpu", "abort", "--all", "--dryrun", "s3://mpu/a/"));
        Assert.Equal(4, Lines(dry.StdOut).Count(l => l.StartsWith("(dryrun) abort: s3://mpu/a/", StringComparison.Ordinal)));
        Assert.Equal(4, (await UploadIdsAsync("mpu")).Count);
        var aborted = Ok(Sluice("mpu", "abort", "--all", "--older-than", "2099-01-01", "s3://mpu/a/"));
        Assert.Equal(4, Lines(aborted.StdOut).Count(l => l.StartsWith("abort: s3://mpu/a/", StringComparison.Ordinal)));
        Assert.Empty(await UploadIdsAsync("mpu"));
        Assert.Equal("", Ok(Sluice("mpu", "ls", "s3://mpu")).StdOut);
        Assert.Equal("", Ok(Sluice("mpu", "abort", "--all", "s3://mpu")).StdOut); // nothing left to abort is no failure
    }

    [Fact]
    public void Usage_errors_and_failures_are_one_line()
    {
        Ok(Sluice("mb", "s3://mpu-usage"));
        OneLineError(Sluice("mpu", "abort", "s3://mpu-usage/k"), 2, "^sluice: mpu abort: give either an upload id .* or --all");
        OneLineError(Sluice("mpu", "abort", "--all", "s3://mpu-usage/k", "ID"), 2, "^sluice: mpu abort: give either");
        OneLineError(Sluice("mpu", "abort", "s3://mpu-usage", "ID"), 2, "needs the object key");
        OneLineError(Sluice("mpu", "abort", "--older-than", "7d", "s3://mpu-usage/k", "ID"), 2, "--older-than selects among uploads with --all");
        OneLineError(Sluice("mpu", "ls", "--older-than", "soon", "s3://mpu-usage"), 2, "--older-than: 'soon' is not a duration");
        OneLineError(Sluice("mpu", "ls", "--page-size", "0", "s3://mpu-usage"), 2, "--page-size must be from 1 to 1000");
        OneLineError(Sluice("mpu", "ls", "/tmp"), 2, "is not an s3:// location");
        OneLineError(Sluice("ls", "--older-than", "7d", "s3://mpu-usage"), 2, "^sluice: ls: --older-than selects uploads of --incomplete");
        OneLineError(Sluice("ls", "--incomplete"), 2, "^sluice: ls: --incomplete lists the uploads of one bucket");
        OneLineError(Sluice("ls", "--incomplete", "--summarize", "s3://mpu-usage"), 2, "--summarize counts objects");
        OneLineError(Sluice("mpu", "ls", "s3://no-such-bucket"), 1, "^sluice: NoSuchBucket: ");
    }

    [Fact]
    public async Task Cp_r_with_resume_continues_a_large_files_interrupted_upload()
    {
        Ok(Sluice("mb", "s3://mpu-resume"));
        const int part = 5 << 20;
        string big = NewFile("tree/big.bin", 4 * part, 11);
        NewFile("tree/small.txt", 100, 12);
        byte[] bytes = await File.ReadAllBytesAsync(big);
        await using (var client = NewClient())
        {
            // What an interrupted `cp -r` leaves: an upload of the key (CRC64NVME, as sluice starts them) with its first
            // two parts stored.
            var crc = global::Sluice.S3.Checksums.ChecksumAlgorithm.Crc64Nvme;
            string id = await client.CreateMultipartUploadAsync(new PutObjectRequest("mpu-resume", "p/big.bin") { ChecksumAlgorithm = crc });
            for (int n = 1; n <= 2; n++)
                await client.UploadPartAsync(new UploadPartRequest("mpu-resume", "p/big.bin", id, n) { ChecksumAlgorithm = crc }, bytes.AsMemory((n - 1) * part, part));
        }

        await using var proxy = new PartGateProxy(new IPEndPoint(IPAddress.Loopback, Server.Endpoint.Port));
        var environment = Environment();
        environment["AWS_ENDPOINT_URL"] = proxy.Endpoint.ToString();
        var done = Ok(SluiceProcess.Run(environment, null, "cp", "-r", "--resume", "--part-size", "5MiB", Local("tree"), "s3://mpu-resume/p/"));
        Assert.Contains($"upload: {Path.Combine(Local("tree"), "big.bin")} to s3://mpu-resume/p/big.bin (resumed: 2 of 4 parts were already uploaded)", done.StdOut);
        Assert.Contains($"upload: {Path.Combine(Local("tree"), "small.txt")} to s3://mpu-resume/p/small.txt", done.StdOut);
        Assert.Equal(2, proxy.PartsRelayed);
        Assert.Empty(await UploadIdsAsync("mpu-resume"));
        Ok(Sluice("cp", "s3://mpu-resume/p/big.bin", Local("back.bin")));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Local("back.bin")));
    }
}
