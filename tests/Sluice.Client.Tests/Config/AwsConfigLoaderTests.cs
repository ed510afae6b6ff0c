using Sluice.Client.Config;

namespace Sluice.Client.Tests.Config;

/// <summary>The AWS configuration precedence with an injected environment and a temp home directory.</summary>
public sealed class AwsConfigLoaderTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "sluice-home-" + Guid.NewGuid().ToString("N"));

    public AwsConfigLoaderTests()
    {
        Directory.CreateDirectory(Path.Combine(_home, ".aws"));
        File.WriteAllText(Path.Combine(_home, ".aws", "credentials"), """
            [default]
            aws_access_key_id = FILEDEFAULT
            aws_secret_access_key = filedefaultsecret
            # a comment
            [dev]
            aws_access_key_id=FILEDEV
            aws_secret_access_key=filedevsecret
            aws_session_token=devtoken
            """);
        File.WriteAllText(Path.Combine(_home, ".aws", "config"), """
            [default]
            region = eu-west-1
            [profile dev]
            region = ap-south-1
            endpoint_url = http://10.0.0.1:9000
            [profile local]
            aws_access_key_id = CFGLOCAL
            aws_secret_access_key = cfglocalsecret
            s3 =
              endpoint_url = http://localhost:9100
              addressing_style = virtual
            """);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private AwsConfigSource Source(params (string Name, string Value)[] vars) =>
        AwsConfigSource.From(vars.ToDictionary(v => v.Name, v => v.Value), _home);

    [Fact]
    public void Default_profile_from_files_with_aws_endpoint()
    {
        S3ClientOptions o = AwsConfigLoader.Load(Source());
        Assert.Equal("FILEDEFAULT", o.AccessKeyId);
        Assert.Equal("filedefaultsecret", o.SecretAccessKey);
        Assert.Null(o.SessionToken);
        Assert.Equal("eu-west-1", o.Region);
        Assert.Equal(new Uri("https://s3.eu-west-1.amazonaws.com"), o.Endpoint);
        Assert.Null(o.ForcePathStyle);
    }

    [Fact]
    public void Environment_wins_over_files()
    {
        S3ClientOptions o = AwsConfigLoader.Load(Source(("AWS_ACCESS_KEY_ID", "ENVKEY"), ("AWS_SECRET_ACCESS_KEY", "envsecret"),
            ("AWS_SESSION_TOKEN", "envtoken"), ("AWS_DEFAULT_REGION", "us-west-2"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:1")));
        Assert.Equal(("ENVKEY", "envsecret", "envtoken"), (o.AccessKeyId, o.SecretAccessKey, o.SessionToken));
        Assert.Equal("us-west-2", o.Region);
        Assert.Equal(new Uri("http://127.0.0.1:1"), o.Endpoint);
        Assert.Equal("environment", o.Source);

        S3ClientOptions both = AwsConfigLoader.Load(Source(("AWS_REGION", "ca-central-1"), ("AWS_DEFAULT_REGION", "us-west-2"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"), ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2")));
        Assert.Equal("ca-central-1", both.Region);
        Assert.Equal(new Uri("http://127.0.0.1:2"), both.Endpoint);
        Assert.Equal("FILEDEFAULT", both.AccessKeyId);
    }

    [Fact]
    public void Named_profiles_from_AWS_PROFILE_or_argument()
    {
        S3ClientOptions dev = AwsConfigLoader.Load(Source(("AWS_PROFILE", "dev")));
        Assert.Equal(("FILEDEV", "devtoken", "ap-south-1"), (dev.AccessKeyId, dev.SessionToken, dev.Region));
        Assert.Equal(new Uri("http://10.0.0.1:9000"), dev.Endpoint);

        S3ClientOptions local = AwsConfigLoader.Load(Source(("AWS_PROFILE", "dev")), profile: "local");
        Assert.Equal("CFGLOCAL", local.AccessKeyId);
        Assert.Equal(new Uri("http://localhost:9100"), local.Endpoint);
        Assert.False(local.ForcePathStyle);
        Assert.Equal(AwsConfigLoader.DefaultRegion, local.Region);
    }

    [Fact]
    public void Missing_credentials_and_bad_endpoints_are_clear_errors()
    {
        var e = Assert.Throws<InvalidOperationException>(() => AwsConfigLoader.Load(Source(("AWS_PROFILE", "nobody"))));
        Assert.Contains("nobody", e.Message);
        Assert.Throws<InvalidOperationException>(() => AwsConfigLoader.Load(Source(("AWS_ENDPOINT_URL", "ftp://x"))));
        // Nothing configured ends at EC2 instance metadata, unless that is disabled.
        var empty = AwsConfigSource.From(new Dictionary<string, string>(), Path.Combine(_home, "missing"));
        Assert.IsType<Sluice.Client.Credentials.InstanceMetadataCredentialsProvider>(AwsConfigLoader.Load(empty).CredentialsProvider);
        var disabled = AwsConfigSource.From(new Dictionary<string, string> { ["AWS_EC2_METADATA_DISABLED"] = "true" }, Path.Combine(_home, "missing"));
        Assert.Throws<InvalidOperationException>(() => AwsConfigLoader.Load(disabled));
        Assert.Throws<InvalidOperationException>(() => AwsConfigLoader.Load(empty, instanceMetadata: false));
    }

    [Fact]
    public async Task Addressing_is_path_style_for_ip_and_localhost_and_virtual_for_names()
    {
        await using var ip = new S3Client(AwsConfigLoader.Load(Source(("AWS_ENDPOINT_URL", "http://127.0.0.1:9")), null));
        Assert.True(ip.UsesPathStyle("bucket"));
        await using var aws = new S3Client(AwsConfigLoader.Load(Source()));
        Assert.False(aws.UsesPathStyle("bucket"));
        Assert.True(aws.UsesPathStyle("Not_Dns"));
        Assert.True(aws.UsesPathStyle("dotted.bucket")); // https + dots: the wildcard certificate would not match
        await using var local = new S3Client(AwsConfigLoader.Load(Source(), "local"));
        Assert.False(local.UsesPathStyle("bucket"));
    }
}
