namespace Sluice.Client.Config;

/// <summary>
/// The environment and the two shared files seen together: a profile's settings come from the credentials file
/// ([NAME]) over the config file ([profile NAME], or [default]); sso-session sections are in the config file.
/// </summary>
internal sealed class AwsSharedConfig
{
    private readonly AwsIniFile _credentials;
    private readonly AwsIniFile _config;

    public AwsSharedConfig(AwsConfigSource source)
    {
        Source = source;
        string? home = source.HomeDirectory;
        CredentialsPath = Env("AWS_SHARED_CREDENTIALS_FILE") ?? (home is null ? null : Path.Combine(home, ".aws", "credentials"));
        ConfigPath = Env("AWS_CONFIG_FILE") ?? (home is null ? null : Path.Combine(home, ".aws", "config"));
        _credentials = AwsIniFile.Load(CredentialsPath);
        _config = AwsIniFile.Load(ConfigPath);
    }

    public AwsConfigSource Source { get; }

    public string? CredentialsPath { get; }

    public string? ConfigPath { get; }

    /// <summary>Where `aws sso login` caches tokens.</summary>
    public string? SsoCacheDirectory => Source.HomeDirectory is { } home ? Path.Combine(home, ".aws", "sso", "cache") : null;

    /// <summary>An environment variable, null when unset or blank.</summary>
    public string? Env(string name) => NullIfEmpty(Source.GetEnvironmentVariable(name));

    /// <summary>True when either file has a section for the profile.</summary>
    public bool HasProfile(string profile) => _credentials.HasSection(profile) || _config.HasSection(ConfigSection(profile));

    /// <summary>A profile setting: the credentials file first, then the config file.</summary>
    public string? Get(string profile, string key) =>
        NullIfEmpty(_credentials.Get(profile, key)) ?? NullIfEmpty(_config.Get(ConfigSection(profile), key));

    /// <summary>A profile setting from the config file only (region, endpoints: not credentials-file settings).</summary>
    public string? GetConfig(string profile, string key) => NullIfEmpty(_config.Get(ConfigSection(profile), key));

    /// <summary>A key of an [sso-session NAME] section.</summary>
    public string? GetSsoSession(string session, string key) => NullIfEmpty(_config.Get("sso-session " + session, key));

    public bool HasSsoSession(string session) => _config.HasSection("sso-session " + session);

    /// <summary>An environment variable, else the profile's config setting.</summary>
    public string? Setting(string profile, string environmentName, string profileKey) =>
        Env(environmentName) ?? (profileKey.Length == 0 ? null : GetConfig(profile, profileKey));

    /// <summary>The region as the SDKs resolve it for a profile, or null.</summary>
    public string? Region(string profile) => Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? GetConfig(profile, "region");

    /// <summary>A service's configured endpoint: AWS_ENDPOINT_URL_SERVICE, the profile's "service =" endpoint_url,
    /// AWS_ENDPOINT_URL, the profile's endpoint_url; null when none.</summary>
    public string? ServiceEndpoint(string profile, string environmentSuffix, string profileSection) =>
        Env("AWS_ENDPOINT_URL_" + environmentSuffix) ?? GetConfig(profile, profileSection + ".endpoint_url")
        ?? Env("AWS_ENDPOINT_URL") ?? GetConfig(profile, "endpoint_url");

    private string ConfigSection(string profile) =>
        profile == "default" && !_config.HasSection("profile default") ? "default" : "profile " + profile;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
