using System.Diagnostics;
using System.Security.Cryptography;

namespace Sluice.Server.Tests.Handlers;

/// <summary>A fact that runs only where the AWS CLI (`aws`) is on PATH (CI installs Debian's awscli).</summary>
public sealed class AwsCliFactAttribute : FactAttribute
{
    public AwsCliFactAttribute()
    {
        if (AwsCliSmokeTests.FindAws() == null) Skip = "aws (awscli) is not installed";
    }
}

/// <summary>The real AWS CLI against the in-process server: bucket, small and multipart uploads, listing, download, delete.</summary>
public class AwsCliSmokeTests
{
    internal static string? FindAws() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "aws")).FirstOrDefault(File.Exists);

    private static async Task<string> Aws(TestServer t, string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo(FindAws()!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        psi.ArgumentList.Add("--endpoint-url");
        psi.ArgumentList.Add(t.Server.Endpoint.ToString().TrimEnd('/'));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["AWS_ACCESS_KEY_ID"] = TestServer.AccessKey;
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = TestServer.Secret;
        psi.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, $"aws {string.Join(' ', args)} exited {p.ExitCode}: {await stderr}");
        return await stdout;
    }

    [AwsCliFact]
    public async Task Aws_cli_copies_lists_downloads_and_removes()
    {
        await using var t = await TestServer.StartAsync();
        string work = Path.Combine(t.Directory, "..", "aws-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var big = RandomNumberGenerator.GetBytes(20 * 1024 * 1024 + 5); // over awscli's 8 MiB multipart threshold
            await File.WriteAllBytesAsync(Path.Combine(work, "big.bin"), big);
            await File.WriteAllTextAsync(Path.Combine(work, "small.txt"), "hello sluice\n");

            await Aws(t, work, "s3", "mb", "s3://smoke");
            await Aws(t, work, "s3", "cp", "--only-show-errors", "small.txt", "s3://smoke/dir/small.txt");
            await Aws(t, work, "s3", "cp", "--only-show-errors", "big.bin", "s3://smoke/big.bin");
            string listing = await Aws(t, work, "s3", "ls", "--recursive", "s3://smoke");
            Assert.Contains("dir/small.txt", listing);
            Assert.Contains($"{big.Length} big.bin", listing);

            await Aws(t, work, "s3", "cp", "--only-show-errors", "s3://smoke/big.bin", "big.out");
            Assert.Equal(big, await File.ReadAllBytesAsync(Path.Combine(work, "big.out")));
            string head = await Aws(t, work, "s3api", "head-object", "--bucket", "smoke", "--key", "big.bin");
            Assert.Contains("-3\\\"", head); // a three-part multipart ETag

            await Aws(t, work, "s3", "rm", "--only-show-errors", "s3://smoke/dir/small.txt");
            Assert.DoesNotContain("small.txt", await Aws(t, work, "s3", "ls", "--recursive", "s3://smoke"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
