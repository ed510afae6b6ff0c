using Sluice.Client.Credentials;
using Sluice.Client.Retry;

namespace Sluice.Client.Config;

/// <summary>
/// Builds <see cref="S3ClientOptions"/> the way the AWS CLI and SDKs do. Precedence, first wins:
/// <list type="bullet">
/// <item>profile: the argument, AWS_PROFILE, "default";</item>
/// <item>credentials: the default chain of <see cref="AwsCredentialsResolver"/> — environment keys, web identity, the
/// profile (keys, assumed role, SSO, credential_process), the container endpoint, EC2 instance metadata. Static keys
/// land in <see cref="S3ClientOptions.AccessKeyId"/> / <see cref="S3ClientOptions.SecretAccessKey"/>, every other
/// source in <see cref="S3ClientOptions.CredentialsProvider"/> (fetched when the client first signs, refreshed before expiry);</item>
/// <item>region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1;</item>
/// <item>endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's "s3 = endpoint_url", its endpoint_url,
/// then https://s3.REGION.amazonaws.com;</item>
/// <item>addressing: the profile's "s3 = addressing_style" (path / virtual / auto), else auto;</item>
/// <item>attempts per request: AWS_MAX_ATTEMPTS, the profile's max_attempts, else <see cref="RetryOptions.MaxAttempts"/>.</item>
/// </list>
/// The config file is AWS_CONFIG_FILE or ~/.aws/config, where profiles are "[profile NAME]" (and "[default]").
/// </summary>
public static class AwsConfigLoader
{
    public const string DefaultRegion = "us-east-1";

    /// <summary>
    /// Loads options; throws <see cref="InvalidOperationException"/> naming what is missing when no credentials source
    /// is configured (with <paramref name="instanceMetadata"/> true, only when AWS_EC2_METADATA_DISABLED is true), and
    /// <see cref="AwsCredentialsException"/> for a profile configured wrongly.
    /// </summary>
    public static S3ClientOptions Load(AwsConfigSource? source = null, string? profile = null, bool instanceMetadata = true)
    {
        var config = new AwsSharedConfig(source ?? AwsConfigSource.Current);
        IAwsCredentialsProvider credentials = AwsCredentialsResolver.Resolve(config, profile, instanceMetadata);
        profile ??= config.Env("AWS_PROFILE") ?? "default";
        string? FromProfile(string key) => config.GetConfig(profile, key);

        string region = config.Region(profile) ?? DefaultRegion;
        string endpointText = config.Env("AWS_ENDPOINT_URL_S3") ?? config.Env("AWS_ENDPOINT_URL") ?? FromProfile("s3.endpoint_url")
            ?? FromProfile("endpoint_url") ?? $"https://s3.{region}.amazonaws.com";
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out Uri? endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"The S3 endpoint '{endpointText}' is not an http(s) URL.");
        }

        bool? pathStyle = FromProfile("s3.addressing_style")?.ToLowerInvariant() switch
        {
            "path" => true,
            "virtual" => false,
            _ => null,
        };

        AwsCredentials? keys = (credentials as StaticCredentialsProvider)?.Credentials;

        // max_attempts counts the first attempt, as RetryOptions.MaxAttempts does.
        string? attemptsText = config.Env("AWS_MAX_ATTEMPTS") ?? FromProfile("max_attempts");
        var retry = new RetryOptions();
        if (attemptsText != null)
        {
            retry = int.TryParse(attemptsText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int attempts)
                && attempts >= 1 ? retry with { MaxAttempts = attempts }
                : throw new InvalidOperationException($"max_attempts '{attemptsText}' is not a number of attempts (1 or more).");
        }

        return new S3ClientOptions
        {
            Retry = retry,
            Endpoint = endpoint,
            Region = region,
            AccessKeyId = keys?.AccessKeyId,
            SecretAccessKey = keys?.SecretAccessKey,
            SessionToken = keys?.SessionToken,
            CredentialsProvider = keys is null ? credentials : null,
            ForcePathStyle = pathStyle,
            CaBundlePath = config.Env("AWS_CA_BUNDLE") ?? FromProfile("ca_bundle"),
            Source = keys?.Source ?? credentials.Name,
        };
    }

    /// <summary>The region the environment or the profile names, or null when none does (the caller's default applies).</summary>
    public static string? ConfiguredRegion(AwsConfigSource? source = null, string? profile = null)
    {
        var config = new AwsSharedConfig(source ?? AwsConfigSource.Current);
        return config.Region(profile ?? config.Env("AWS_PROFILE") ?? "default");
    }
}
