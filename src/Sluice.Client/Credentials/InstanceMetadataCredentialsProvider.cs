using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Sluice.Client.Credentials;

/// <summary>
/// EC2 instance metadata (IMDS): IMDSv2 first — PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds, then
/// the role name from GET /latest/meta-data/iam/security-credentials/ and its credentials from GET .../ROLE, each with
/// X-aws-ec2-metadata-token. A token request answered 403, 404 or 405 falls back to IMDSv1 (no token), unless v1 is
/// disabled (AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled). The token is kept until shortly before its
/// TTL ends; a 401 (token expired early) gets a new one once. Endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT /
/// ec2_metadata_service_endpoint, else http://169.254.169.254 (http://[fd00:ec2::254] in IPv6 mode).
/// </summary>
public sealed class InstanceMetadataCredentialsProvider : IAwsCredentialsProvider
{
    public const string DefaultEndpoint = "http://169.254.169.254";

    public const string DefaultIpv6Endpoint = "http://[fd00:ec2::254]";

    /// <summary>The SDKs' default wait per request: IMDS answers in milliseconds or is not there.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Token lifetime asked for (the maximum, 6 hours).</summary>
    private const int TokenTtlSeconds = 21600;

    /// <summary>A token is renewed this long before its TTL ends.</summary>
    private static readonly TimeSpan TokenMargin = TimeSpan.FromMinutes(1);

    private const string CredentialsPath = "latest/meta-data/iam/security-credentials/";

    private readonly Uri _endpoint;
    private readonly bool _v1Disabled;
    private readonly TimeSpan _timeout;
    private readonly int _attempts;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset Until)? _token;

    public InstanceMetadataCredentialsProvider(Uri? endpoint = null, bool v1Disabled = false, TimeSpan? timeout = null,
        int attempts = 1, TimeProvider? timeProvider = null)
    {
        endpoint ??= new Uri(DefaultEndpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new AwsCredentialsException($"instance metadata: '{endpoint}' is not an http(s) URL");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        // Relative paths are resolved below the endpoint's path, so it must end with '/'.
        _endpoint = endpoint.AbsolutePath.EndsWith('/') ? endpoint : new Uri(endpoint + "/");
        _v1Disabled = v1Disabled;
        _timeout = timeout ?? DefaultTimeout;
        _attempts = attempts;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Name => "instance metadata " + _endpoint.GetLeftPart(UriPartial.Authority);

    public Uri Endpoint => _endpoint;

    /// <summary>
    /// The provider the settings configure, or null when AWS_EC2_METADATA_DISABLED is true. <paramref name="setting"/>
    /// looks a name up in the environment first, then the profile (environment name, profile key).
    /// </summary>
    public static InstanceMetadataCredentialsProvider? FromSettings(Func<string, string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (IsTrue(setting("AWS_EC2_METADATA_DISABLED", "")))
        {
            return null;
        }

        string? endpoint = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
        string? mode = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode");
        endpoint ??= string.Equals(mode, "IPv6", StringComparison.OrdinalIgnoreCase) ? DefaultIpv6Endpoint : DefaultEndpoint;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri))
        {
            throw new AwsCredentialsException($"AWS_EC2_METADATA_SERVICE_ENDPOINT: '{endpoint}' is not a URL");
        }

        TimeSpan? timeout = double.TryParse(setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"),
            NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
        int attempts = int.TryParse(setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts"),
            NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 1;
        bool v1Disabled = IsTrue(setting("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"));
        return new InstanceMetadataCredentialsProvider(uri, v1Disabled, timeout, attempts);
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await FetchAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (AwsCredentialsException) when (attempt < _attempts)
            {
            }
        }
    }

    private async Task<AwsCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        string? token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        (HttpStatusCode status, string body) = await GetAsync(CredentialsPath, token, cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.Unauthorized && token is not null)
        {
            // The token expired or IMDS restarted: one new token, then the same request.
            ForgetToken();
            token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
            (status, body) = await GetAsync(CredentialsPath, token, cancellationToken).ConfigureAwait(false);
        }

        if (status == HttpStatusCode.NotFound)
        {
            throw new AwsCredentialsException($"{Name}: the instance has no IAM role (HTTP 404 for /{CredentialsPath})");
        }

        Check(status, body, CredentialsPath);
        string role = body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? throw new AwsCredentialsException($"{Name}: no role name in /{CredentialsPath}");
        string rolePath = CredentialsPath + Uri.EscapeDataString(role);
        (status, body) = await GetAsync(rolePath, token, cancellationToken).ConfigureAwait(false);
        Check(status, body, rolePath);
        using JsonDocument json = CredentialsHttp.ParseJson(body, Name);
        if (CredentialsHttp.OptionalString(json.RootElement, "Code") is { } code && code != "Success")
        {
            throw new AwsCredentialsException($"{Name}: role {role}: {code}: " +
                CredentialsHttp.OneLine(CredentialsHttp.OptionalString(json.RootElement, "Message")));
        }

        return CredentialsHttp.ReadCredentials(json.RootElement, "Token", Name);
    }

    private async Task<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_token is { } cached && _time.GetUtcNow() < cached.Until)
            {
                return cached.Token;
            }
        }

        DateTimeOffset asked = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_endpoint, "latest/api/token"));
        request.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token-ttl-seconds", TokenTtlSeconds.ToString(CultureInfo.InvariantCulture));
        (HttpStatusCode status, string body) = await CredentialsHttp.SendAsync(CredentialsHttp.Direct, request, _timeout, Name,
            cancellationToken).ConfigureAwait(false);
        if (status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            if (_v1Disabled)
            {
                throw new AwsCredentialsException($"{Name}: the IMDSv2 token request was refused (HTTP {(int)status}) " +
                    "and IMDSv1 is disabled");
            }

            return null;
        }

        Check(status, body, "latest/api/token");
        string token = body.Trim();
        lock (_lock)
        {
            _token = (token, asked + TimeSpan.FromSeconds(TokenTtlSeconds) - TokenMargin);
        }

        return token;
    }

    private void ForgetToken()
    {
        lock (_lock)
        {
            _token = null;
        }
    }

    private async Task<(HttpStatusCode, string)> GetAsync(string path, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_endpoint, path));
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token", token);
        }

        return await CredentialsHttp.SendAsync(CredentialsHttp.Direct, request, _timeout, Name, cancellationToken).ConfigureAwait(false);
    }

    private void Check(HttpStatusCode status, string body, string path)
    {
        if (status != HttpStatusCode.OK)
        {
            throw new AwsCredentialsException($"{Name}: HTTP {(int)status} for /{path}: {CredentialsHttp.OneLine(body)}");
        }
    }

    private static bool IsTrue(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
