using System.Globalization;
using Sluice.Client.Credentials;

namespace Sluice.Client.Config;

/// <summary>
/// The default credentials chain, in the AWS SDKs' order; the first source that is configured wins (nothing is fetched
/// here — providers fetch when the client first asks):
/// <list type="number">
/// <item>AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless the profile is given as an argument;</item>
/// <item>AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME): AssumeRoleWithWebIdentity;</item>
/// <item>the profile: role_arn with source_profile, credential_source (Environment, Ec2InstanceMetadata, EcsContainer)
/// or web_identity_token_file; sso_session / sso_start_url (SSO token cache); aws_access_key_id; credential_process;</item>
/// <item>the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI);</item>
/// <item>EC2 instance metadata, unless AWS_EC2_METADATA_DISABLED=true.</item>
/// </list>
/// A profile named explicitly (argument or AWS_PROFILE) must exist. Nothing configured is an
/// <see cref="InvalidOperationException"/>; a profile that is configured wrongly is an <see cref="AwsCredentialsException"/>.
/// </summary>
public static class AwsCredentialsResolver
{
    /// <summary>Assumed-role chains longer than this are a configuration loop in all but name.</summary>
    private const int MaxChain = 10;

    /// <summary>Resolves the chain for <paramref name="profile"/> (null: AWS_PROFILE, else "default").</summary>
    /// <param name="source">Environment and home directory.</param>
    /// <param name="profile">The profile; null picks AWS_PROFILE, else "default".</param>
    /// <param name="instanceMetadata">False stops the chain before IMDS (a caller that has a better fallback).</param>
    public static IAwsCredentialsProvider Resolve(AwsConfigSource? source = null, string? profile = null, bool instanceMetadata = true) =>
        Resolve(new AwsSharedConfig(source ?? AwsConfigSource.Current), profile, instanceMetadata);

    internal static IAwsCredentialsProvider Resolve(AwsSharedConfig config, string? profile, bool instanceMetadata)
    {
        bool argument = profile is not null;
        bool named = argument || config.Env("AWS_PROFILE") is not null;
        profile ??= config.Env("AWS_PROFILE") ?? "default";
        // A profile given as an argument (--profile) passes over the environment's keys, as the AWS CLI does; AWS_PROFILE does not.
        if (!argument && config.Env("AWS_ACCESS_KEY_ID") is { } key && config.Env("AWS_SECRET_ACCESS_KEY") is { } secret)
        {
            return Static(key, secret, config.Env("AWS_SESSION_TOKEN"), "environment");
        }

        if (config.Env("AWS_WEB_IDENTITY_TOKEN_FILE") is { } tokenFile && config.Env("AWS_ROLE_ARN") is { } roleArn)
        {
            return new WebIdentityCredentialsProvider(tokenFile, roleArn, config.Env("AWS_ROLE_SESSION_NAME"), Sts(config, profile));
        }

        if (named && !config.HasProfile(profile))
        {
            throw new InvalidOperationException($"The profile '{profile}' is in neither {config.CredentialsPath ?? "~/.aws/credentials"} " +
                $"nor {config.ConfigPath ?? "~/.aws/config"}.");
        }

        if (FromProfile(config, profile, []) is { } fromProfile)
        {
            return fromProfile;
        }

        if (ContainerCredentialsProvider.FromEnvironment(config.Env) is { } container)
        {
            return container;
        }

        if (instanceMetadata && InstanceMetadataCredentialsProvider.FromSettings((env, key) => config.Setting(profile, env, key)) is { } imds)
        {
            return imds;
        }

        throw new InvalidOperationException("No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
            $"or configure profile '{profile}' in {config.CredentialsPath ?? "~/.aws/credentials"} or " +
            $"{config.ConfigPath ?? "~/.aws/config"} (keys, role_arn, sso_session or credential_process).");
    }

    /// <summary>The provider a profile configures, or null when it has no credential settings.</summary>
    private static IAwsCredentialsProvider? FromProfile(AwsSharedConfig config, string profile, List<string> visited)
    {
        string Where() => $"profile {profile}";
        if (visited.Contains(profile) || visited.Count > MaxChain)
        {
            throw new AwsCredentialsException($"profile {profile}: source_profile loop ({string.Join(" -> ", visited)} -> {profile})");
        }

        visited.Add(profile);
        string? Get(string key) => config.Get(profile, key);
        if (Get("role_arn") is { } roleArn)
        {
            if (Get("mfa_serial") is not null)
            {
                throw new AwsCredentialsException($"{Where()}: mfa_serial needs an MFA code prompt, which sluice does not do " +
                    "(use credential_process or aws sso instead)");
            }

            string? sourceProfile = Get("source_profile");
            string? credentialSource = Get("credential_source");
            string? tokenFile = Get("web_identity_token_file");
            if (sourceProfile is not null && credentialSource is not null)
            {
                throw new AwsCredentialsException($"{Where()}: source_profile and credential_source cannot both be set");
            }

            StsEndpoint sts = Sts(config, profile);
            int? duration = null;
            if (Get("duration_seconds") is { } durationText)
            {
                duration = int.TryParse(durationText, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d >= 900
                    ? d : throw new AwsCredentialsException($"{Where()}: duration_seconds '{durationText}' is not a number of seconds >= 900");
            }

            string? sessionName = Get("role_session_name");
            if (sourceProfile is null && credentialSource is null && tokenFile is not null)
            {
                return new WebIdentityCredentialsProvider(tokenFile, roleArn, sessionName, sts, duration);
            }

            IAwsCredentialsProvider source;
            if (sourceProfile == profile)
            {
                // A profile that is its own source: its static keys sign the AssumeRole.
                source = StaticFromProfile(config, profile)
                    ?? throw new AwsCredentialsException($"{Where()}: source_profile is itself but it has no aws_access_key_id");
            }
            else if (sourceProfile is not null)
            {
                if (!config.HasProfile(sourceProfile))
                {
                    throw new AwsCredentialsException($"{Where()}: source_profile {sourceProfile} does not exist");
                }

                source = FromProfile(config, sourceProfile, visited)
                    ?? throw new AwsCredentialsException($"{Where()}: source_profile {sourceProfile} has no credentials");
            }
            else if (credentialSource is not null)
            {
                source = FromCredentialSource(config, profile, credentialSource);
            }
            else
            {
                throw new AwsCredentialsException($"{Where()}: role_arn needs source_profile, credential_source or web_identity_token_file");
            }

            return new AssumeRoleCredentialsProvider(source, roleArn, sts, sessionName, Get("external_id"), duration);
        }

        if (Get("sso_session") is not null || Get("sso_start_url") is not null || Get("sso_account_id") is not null)
        {
            return Sso(config, profile);
        }

        if (StaticFromProfile(config, profile) is { } keys)
        {
            return keys;
        }

        if (Get("credential_process") is { } commandLine)
        {
            return new ProcessCredentialsProvider(commandLine);
        }

        return null;
    }

    private static StaticCredentialsProvider? StaticFromProfile(AwsSharedConfig config, string profile) =>
        config.Get(profile, "aws_access_key_id") is { } key && config.Get(profile, "aws_secret_access_key") is { } secret
            ? Static(key, secret, config.Get(profile, "aws_session_token"), $"profile {profile}")
            : null;

    private static IAwsCredentialsProvider FromCredentialSource(AwsSharedConfig config, string profile, string credentialSource) =>
        credentialSource switch
        {
            "Environment" => config.Env("AWS_ACCESS_KEY_ID") is { } key && config.Env("AWS_SECRET_ACCESS_KEY") is { } secret
                ? Static(key, secret, config.Env("AWS_SESSION_TOKEN"), "environment")
                : throw new AwsCredentialsException($"profile {profile}: credential_source Environment but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set"),
            "Ec2InstanceMetadata" => InstanceMetadataCredentialsProvider.FromSettings((env, key) => config.Setting(profile, env, key))
                ?? throw new AwsCredentialsException($"profile {profile}: credential_source Ec2InstanceMetadata but AWS_EC2_METADATA_DISABLED is true"),
            "EcsContainer" => ContainerCredentialsProvider.FromEnvironment(config.Env)
                ?? throw new AwsCredentialsException($"profile {profile}: credential_source EcsContainer but AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI are not set"),
            _ => throw new AwsCredentialsException($"profile {profile}: credential_source '{credentialSource}' is not Environment, Ec2InstanceMetadata or EcsContainer"),
        };

    private static SsoCredentialsProvider Sso(AwsSharedConfig config, string profile)
    {
        string? session = config.Get(profile, "sso_session");
        if (session is not null && !config.HasSsoSession(session))
        {
            throw new AwsCredentialsException($"profile {profile}: there is no [sso-session {session}] section in {config.ConfigPath}");
        }

        string? Setting(string key) => (session is null ? null : config.GetSsoSession(session, key)) ?? config.Get(profile, key);
        string Required(string key) => Setting(key)
            ?? throw new AwsCredentialsException($"profile {profile}: SSO needs {key}{(session is null ? "" : $" (in the profile or [sso-session {session}])")}");
        string startUrl = Required("sso_start_url");
        string region = Required("sso_region");
        string account = Required("sso_account_id");
        string role = Required("sso_role_name");
        string cache = config.SsoCacheDirectory
            ?? throw new AwsCredentialsException($"profile {profile}: SSO needs a home directory for the token cache");
        return new SsoCredentialsProvider(profile, session, startUrl, region, account, role, cache,
            Endpoint(config.ServiceEndpoint(profile, "SSO", "sso"), "AWS_ENDPOINT_URL_SSO"),
            Endpoint(config.ServiceEndpoint(profile, "SSO_OIDC", "sso_oidc"), "AWS_ENDPOINT_URL_SSO_OIDC"));
    }

    /// <summary>STS for a profile: AWS_ENDPOINT_URL_STS, the profile's "sts =" endpoint_url, AWS_ENDPOINT_URL, its
    /// endpoint_url; else regional (or global with sts_regional_endpoints = legacy, or without a region).</summary>
    internal static StsEndpoint Sts(AwsSharedConfig config, string profile)
    {
        string? region = config.Region(profile);
        if (Endpoint(config.ServiceEndpoint(profile, "STS", "sts"), "AWS_ENDPOINT_URL_STS") is { } configured)
        {
            return new StsEndpoint(configured, region ?? AwsConfigLoader.DefaultRegion);
        }

        bool legacy = string.Equals(config.Setting(profile, "AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints"), "legacy",
            StringComparison.OrdinalIgnoreCase);
        return StsEndpoint.ForRegion(region, legacy);
    }

    private static Uri? Endpoint(string? text, string what) =>
        text is null ? null
        : Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri
        : throw new AwsCredentialsException($"{what}: '{text}' is not an http(s) URL");

    private static StaticCredentialsProvider Static(string key, string secret, string? token, string source) =>
        new(new AwsCredentials(key, secret, token, null, source));
}
