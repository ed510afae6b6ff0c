using Sluice.Client.Retry;

namespace Sluice.Client.Config;

/// <summary>
/// Builds <see cref="S3ClientOptions"/> the way the AWS CLI and SDKs do. Precedence, first wins:
/// <list type="bullet">
/// <item>profile: the argument, AWS_PROFILE, "default";</item>
/// <item>credentials: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), the profile in the credentials
/// file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials), the profile in the config file;</item>
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

    /// <summary>Loads options; throws <see cref="InvalidOperationException"/> naming what is missing when no credentials are found.</summary>
    public static S3ClientOptions Load(AwsConfigSource? source = null, string? profile = null)
    {
        source ??= AwsConfigSource.Current;
        Func<string, string?> env = name => NullIfEmpty(source.GetEnvironmentVariable(name));
        profile ??= env("AWS_PROFILE") ?? "default";
        string? home = source.HomeDirectory;
        string? credentialsPath = env("AWS_SHARED_CREDENTIALS_FILE") ?? (home is null ? null : Path.Combine(home, ".aws", "credentials"));
        string? configPath = env("AWS_CONFIG_FILE") ?? (home is null ? null : Path.Combine(home, ".aws", "config"));
        AwsIniFile credentials = AwsIniFile.Load(credentialsPath);
        AwsIniFile config = AwsIniFile.Load(configPath);
        string configSection = profile == "default" && !config.HasSection("profile default") ? "default" : "profile " + profile;
        string? FromProfile(string key) => NullIfEmpty(config.Get(configSection, key));

        string? accessKey, secretKey, sessionToken, source1;
        if (env("AWS_ACCESS_KEY_ID") is { } envKey && env("AWS_SECRET_ACCESS_KEY") is { } envSecret)
        {
            (accessKey, secretKey, sessionToken, source1) = (envKey, envSecret, env("AWS_SESSION_TOKEN"), "environment");
        }
        else if (NullIfEmpty(credentials.Get(profile, "aws_access_key_id")) is { } fileKey
                 && NullIfEmpty(credentials.Get(profile, "aws_secret_access_key")) is { } fileSecret)
        {
            (accessKey, secretKey, sessionToken, source1) = (fileKey, fileSecret,
                NullIfEmpty(credentials.Get(profile, "aws_session_token")), $"credentials file, profile {profile}");
        }
        else if (FromProfile("aws_access_key_id") is { } cfgKey && FromProfile("aws_secret_access_key") is { } cfgSecret)
        {
            (accessKey, secretKey, sessionToken, source1) = (cfgKey, cfgSecret, FromProfile("aws_session_token"),
                $"config file, profile {profile}");
        }
        else
        {
            throw new InvalidOperationException($"No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
                $"or add aws_access_key_id / aws_secret_access_key for profile '{profile}' to {credentialsPath ?? "~/.aws/credentials"}.");
        }

        string region = env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? FromProfile("region") ?? DefaultRegion;
        string endpointText = env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL") ?? FromProfile("s3.endpoint_url")
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

        // max_attempts counts the first attempt, as RetryOptions.MaxAttempts does.
        string? attemptsText = env("AWS_MAX_ATTEMPTS") ?? FromProfile("max_attempts");
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
            AccessKeyId = accessKey,
            SecretAccessKey = secretKey,
            SessionToken = sessionToken,
            ForcePathStyle = pathStyle,
            CaBundlePath = env("AWS_CA_BUNDLE") ?? FromProfile("ca_bundle"),
            Source = source1,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
