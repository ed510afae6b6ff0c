using System.Text.Json;

namespace Sluice.Cli.Tests;

/// <summary>
/// Debian's awscli against `sluice serve` (a real process): put-bucket-policy, get-bucket-policy,
/// get-bucket-policy-status and delete-bucket-policy as a real client sends and reads them, errors included.
/// Skipped when awscli is not installed.
/// </summary>
public class PolicyAwsCliTests
{
    /// <summary>The packaged awscli (a pip-installed one earlier on PATH must not stand in for it).</summary>
    private const string Aws = "/usr/bin/aws";

    private const string AccessKey = "AKIDPOLAWS", Secret = "pol/aws+secret";

    private sealed class AwsCliFactAttribute : FactAttribute
    {
        public AwsCliFactAttribute()
        {
            if (!File.Exists(Aws)) Skip = $"awscli ({Aws}) is not installed";
        }
    }

    [AwsCliFact]
    public async Task Awscli_puts_reads_and_deletes_a_bucket_policy()
    {
        // awscli's config, credentials and the policy file live apart from the server's data directory.
        string home = Directory.CreateTempSubdirectory("sluice-awspol-").FullName;
        try
        {
            await ServeTests.ServeAsync(["--access-key", AccessKey, "--secret-key", Secret], (endpoint, _, _) => Use(endpoint, home));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static Task<Action> Use(Uri endpoint, string home)
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = Secret,
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["AWS_CONFIG_FILE"] = Path.Combine(home, "config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "credentials"),
            ["AWS_PAGER"] = "",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_PROFILE"] = null,
            ["HOME"] = home,
        };
        SluiceProcess.Result Run(params string[] args) =>
            SluiceProcess.RunExecutable(Aws, env, null, ["--endpoint-url", endpoint.ToString(), "--output", "json", .. args]);
        SluiceProcess.Result Ok(SluiceProcess.Result r)
        {
            Assert.True(r.ExitCode == 0, r.StdErr);
            return r;
        }

        Ok(Run("s3api", "create-bucket", "--bucket", "awspol"));
        var none = Run("s3api", "get-bucket-policy", "--bucket", "awspol");
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains("(NoSuchBucketPolicy)", none.StdErr);
        Assert.Contains("(NoSuchBucketPolicy)", Run("s3api", "get-bucket-policy-status", "--bucket", "awspol").StdErr);

        string policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"PublicRead\", \"Effect\": \"Allow\", " +
            "\"Principal\": \"*\", \"Action\": [\"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::awspol/*\"}]\n}\n";
        string file = Path.Combine(home, "policy.json");
        File.WriteAllText(file, policy);
        Ok(Run("s3api", "put-bucket-policy", "--bucket", "awspol", "--policy", "file://" + file));
        var got = JsonDocument.Parse(Ok(Run("s3api", "get-bucket-policy", "--bucket", "awspol")).StdOut).RootElement;
        Assert.Equal(policy, got.GetProperty("Policy").GetString());
        var status = JsonDocument.Parse(Ok(Run("s3api", "get-bucket-policy-status", "--bucket", "awspol")).StdOut).RootElement;
        Assert.True(status.GetProperty("PolicyStatus").GetProperty("IsPublic").GetBoolean());

        // Narrowed to one address range: no longer public.
        string office = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"," +
            "\"Resource\":\"arn:aws:s3:::awspol/*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}}]}";
        Ok(Run("s3api", "put-bucket-policy", "--bucket", "awspol", "--policy", office));
        status = JsonDocument.Parse(Ok(Run("s3api", "get-bucket-policy-status", "--bucket", "awspol")).StdOut).RootElement;
        Assert.False(status.GetProperty("PolicyStatus").GetProperty("IsPublic").GetBoolean());

        var bad = Run("s3api", "put-bucket-policy", "--bucket", "awspol", "--policy", office.Replace("awspol/*", "other/*", StringComparison.Ordinal));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("An error occurred (MalformedPolicy) when calling the PutBucketPolicy operation: Policy has invalid resource", bad.StdErr);
        Assert.Equal(office, JsonDocument.Parse(Ok(Run("s3api", "get-bucket-policy", "--bucket", "awspol")).StdOut).RootElement
            .GetProperty("Policy").GetString());

        Ok(Run("s3api", "delete-bucket-policy", "--bucket", "awspol"));
        Assert.Contains("(NoSuchBucketPolicy)", Run("s3api", "get-bucket-policy", "--bucket", "awspol").StdErr);
        return Task.FromResult<Action>(() => { });
    }
}
