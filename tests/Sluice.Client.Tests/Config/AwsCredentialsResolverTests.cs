using Sluice.Client.Config;
using Sluice.Client.Credentials;

namespace Sluice.Client.Tests.Config;

/// <summary>The default chain's order and what each configuration resolves to (nothing fetched here).</summary>
public sealed class AwsCredentialsResolverTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("sluice-chain-").FullName;

    public AwsCredentialsResolverTests()
    {
        Directory.CreateDirectory(Path.Combine(_home, ".aws"));
        File.WriteAllText(Path.Combine(_home, ".aws", "config"), """
            [default]
            credential_process = /opt/bin/get-creds --profile default
            [profile keys-and-process]
            aws_access_key_id = AKIDCFG
            aws_secret_access_key = s
            credential_process = /opt/bin/unused
            [profile region-only]
            region = eu-north-1
            """);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private IAwsCredentialsProvider Resolve(string? profile, params (string Name, string Value)[] vars) =>
        AwsCredentialsResolver.Resolve(AwsConfigSource.From(vars.ToDictionary(v => v.Name, v => v.Value), _home), profile);

    private static readonly (string, string)[] Everything =
    [
        ("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "envsecret"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"), ("AWS_ROLE_ARN", "arn:aws:iam::1:role/web"),
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds"),
    ];

    [Fact]
    public void Environment_keys_then_web_identity_then_the_profile_then_the_container_then_imds()
    {
        var env = Assert.IsType<StaticCredentialsProvider>(Resolve(null, Everything));
        Assert.Equal(("AKIDENV", "environment"), (env.Credentials.AccessKeyId, env.Credentials.Source));
        Assert.IsType<WebIdentityCredentialsProvider>(Resolve(null, Everything[2..]));
        var process = Assert.IsType<ProcessCredentialsProvider>(Resolve(null, Everything[4..]));
        Assert.Equal("/opt/bin/get-creds --profile default", process.CommandLine);
        Assert.IsType<ContainerCredentialsProvider>(Resolve("region-only", Everything[4..]));
        var imds = Assert.IsType<InstanceMetadataCredentialsProvider>(Resolve("region-only"));
        Assert.Equal("instance metadata http://169.254.169.254", imds.Name);
        Assert.Equal(new Uri("http://[fd00:ec2::254]/"),
            Assert.IsType<InstanceMetadataCredentialsProvider>(Resolve("region-only", ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"))).Endpoint);
    }

    [Fact]
    public void Keys_in_a_profile_win_over_its_credential_process_and_nothing_configured_is_an_error()
    {
        var keys = Assert.IsType<StaticCredentialsProvider>(Resolve("keys-and-process"));
        Assert.Equal(("AKIDCFG", "profile keys-and-process"), (keys.Credentials.AccessKeyId, keys.Credentials.Source));

        var e = Assert.Throws<InvalidOperationException>(() => Resolve("region-only", ("AWS_EC2_METADATA_DISABLED", "true")));
        Assert.StartsWith("No AWS credentials: ", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => Resolve(null, ("AWS_PROFILE", "ghost")));
        Assert.StartsWith("The profile 'ghost' is in neither ", e.Message);
        Assert.Throws<InvalidOperationException>(() =>
            AwsCredentialsResolver.Resolve(AwsConfigSource.From(new Dictionary<string, string>(), _home), "region-only", instanceMetadata: false));
    }

    [Fact]
    public void The_loader_puts_static_keys_in_the_options_and_other_sources_in_the_provider()
    {
        var source = AwsConfigSource.From(new Dictionary<string, string> { ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:1/c" }, _home);
        S3ClientOptions container = AwsConfigLoader.Load(source, "region-only");
        Assert.Null(container.AccessKeyId);
        Assert.IsType<ContainerCredentialsProvider>(container.CredentialsProvider);
        Assert.Equal("container endpoint http://127.0.0.1:1/c", container.Source);
        Assert.Equal("eu-north-1", container.Region);
        Assert.Equal("eu-north-1", AwsConfigLoader.ConfiguredRegion(source, "region-only"));
        Assert.Null(AwsConfigLoader.ConfiguredRegion(source, "keys-and-process"));

        S3ClientOptions keys = AwsConfigLoader.Load(source, "keys-and-process");
        Assert.Equal(("AKIDCFG", null), (keys.AccessKeyId, keys.CredentialsProvider));
    }
}
