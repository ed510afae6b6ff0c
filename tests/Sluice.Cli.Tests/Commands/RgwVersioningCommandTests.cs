using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Tests.Compat;

namespace Sluice.Cli.Tests.Commands;

/// <summary>`sluice versioning` against the real RADOS Gateway (skipped without one).</summary>
public sealed class RgwVersioningCommandTests
{
    private static Dictionary<string, string?> Environment() => RgwCli.Environment();

    private static SluiceProcess.Result Ok(SluiceProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        return r;
    }

    [RgwFact]
    public async Task Versioning_is_enabled_shown_and_suspended()
    {
        string bucket = $"sluice-vcli-{Guid.NewGuid():N}"[..30];
        await using var client = new S3Client(RgwEnvironment.Current!.Options());
        await client.CreateBucketAsync(bucket);
        try
        {
            Assert.Equal($"{bucket}: never enabled\n", Ok(SluiceProcess.Run(Environment(), null, "versioning", "get", $"s3://{bucket}")).StdOut);
            Assert.Equal($"{bucket}: Enabled\n", Ok(SluiceProcess.Run(Environment(), null, "versioning", "enable", $"s3://{bucket}")).StdOut);
            await client.PutObjectAsync(new PutObjectRequest(bucket, "k"), new byte[] { 1 });
            await client.PutObjectAsync(new PutObjectRequest(bucket, "k"), new byte[] { 2 });
            var lines = Ok(SluiceProcess.Run(Environment(), null, "ls", "--versions", $"s3://{bucket}")).StdOut
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length); // newest first: the current one marked latest
            Assert.Contains(" latest k", lines[0]);
            Assert.DoesNotContain("latest", lines[1]);
            Assert.Equal($"{bucket}: Suspended\n", Ok(SluiceProcess.Run(Environment(), null, "versioning", "suspend", $"s3://{bucket}")).StdOut);
            Assert.Equal($"{bucket}: Suspended\n", Ok(SluiceProcess.Run(Environment(), null, "versioning", "get", $"s3://{bucket}")).StdOut);
        }
        finally
        {
            var versions = new List<Sluice.S3.Xml.ListedVersion>();
            await foreach (var v in client.ListObjectVersionsAsync(new ListObjectsRequest(bucket))) versions.Add(v);
            foreach (var v in versions) await client.DeleteObjectAsync(bucket, v.Key, v.VersionId);
            await client.DeleteBucketAsync(bucket);
        }
    }
}
