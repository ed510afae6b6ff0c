using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Client.Credentials;

/// <summary>
/// IAM Identity Center (SSO) profiles, as `aws sso login` leaves them: the access token is read from the SSO token
/// cache, ~/.aws/sso/cache/SHA1.json (SHA-1 hex of the sso_session name, or of sso_start_url for a legacy profile
/// without sso_session), and exchanged at the portal's GetRoleCredentials (GET /federation/credentials?account_id=&amp;
/// role_name= with x-amz-sso_bearer_token) for role credentials. With an sso_session the token is refreshed through
/// SSO OIDC CreateToken (grant refresh_token) when it has less than 5 minutes left — at most every 30 seconds — and
/// the cache file is rewritten, as the SDKs' SSO token provider does; an expired token that cannot be refreshed asks
/// for `aws sso login`.
/// </summary>
public sealed class SsoCredentialsProvider : IAwsCredentialsProvider
{
    /// <summary>Tokens with less than this left are refreshed first.</summary>
    private static readonly TimeSpan RefreshWindow = TimeSpan.FromMinutes(5);

    /// <summary>The SDKs' minimum gap between token refresh attempts.</summary>
    private static readonly TimeSpan RefreshGap = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private DateTimeOffset _lastRefreshAttempt = DateTimeOffset.MinValue;

    /// <param name="profile">The profile name (for messages: which `aws sso login --profile` to run).</param>
    /// <param name="sessionName">The sso_session name; null for a legacy profile (token cache keyed by start URL, no refresh).</param>
    /// <param name="startUrl">sso_start_url.</param>
    /// <param name="ssoRegion">sso_region: where the portal and OIDC endpoints are.</param>
    /// <param name="accountId">sso_account_id.</param>
    /// <param name="roleName">sso_role_name.</param>
    /// <param name="cacheDirectory">The token cache directory (~/.aws/sso/cache).</param>
    /// <param name="portalEndpoint">Override of https://portal.sso.REGION.amazonaws.com (AWS_ENDPOINT_URL_SSO).</param>
    /// <param name="oidcEndpoint">Override of https://oidc.REGION.amazonaws.com (AWS_ENDPOINT_URL_SSO_OIDC).</param>
    /// <param name="timeProvider">The clock that decides whether the token needs refreshing.</param>
    public SsoCredentialsProvider(string profile, string? sessionName, string startUrl, string ssoRegion, string accountId,
        string roleName, string cacheDirectory, Uri? portalEndpoint = null, Uri? oidcEndpoint = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(profile);
        ArgumentException.ThrowIfNullOrEmpty(startUrl);
        ArgumentException.ThrowIfNullOrEmpty(ssoRegion);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(roleName);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        Profile = profile;
        SessionName = sessionName;
        StartUrl = startUrl;
        SsoRegion = ssoRegion;
        AccountId = accountId;
        RoleName = roleName;
        CacheFile = Path.Combine(cacheDirectory, CacheKey(sessionName ?? startUrl) + ".json");
        PortalEndpoint = portalEndpoint ?? new Uri($"https://portal.sso.{ssoRegion}.amazonaws.com");
        OidcEndpoint = oidcEndpoint ?? new Uri($"https://oidc.{ssoRegion}.amazonaws.com");
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Profile { get; }

    public string? SessionName { get; }

    public string StartUrl { get; }

    public string SsoRegion { get; }

    public string AccountId { get; }

    public string RoleName { get; }

    /// <summary>The token cache file this profile uses.</summary>
    public string CacheFile { get; }

    public Uri PortalEndpoint { get; }

    public Uri OidcEndpoint { get; }

    public string Name => $"SSO (profile {Profile}, role {RoleName} in {AccountId})";

    /// <summary>The cache file name's stem: lowercase hex SHA-1 of the UTF-8 key.</summary>
#pragma warning disable CA5350 // A file name the AWS tools agree on, not a security use of SHA-1.
    public static string CacheKey(string key) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(key)));
#pragma warning restore CA5350

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        string accessToken = await GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        var uri = new Uri(Append(PortalEndpoint, "federation/credentials") +
            $"?account_id={Uri.EscapeDataString(AccountId)}&role_name={Uri.EscapeDataString(RoleName)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("x-amz-sso_bearer_token", accessToken);
        (HttpStatusCode status, string body) = await CredentialsHttp.SendAsync(CredentialsHttp.Proxied, request, Timeout, Name,
            cancellationToken).ConfigureAwait(false);
        using JsonDocument json = status == HttpStatusCode.OK ? CredentialsHttp.ParseJson(body, Name) : JsonDocument.Parse("null");
        if (status != HttpStatusCode.OK)
        {
            string hint = status == HttpStatusCode.Unauthorized ? $" (run aws sso login --profile {Profile})" : "";
            throw new AwsCredentialsException($"{Name}: GetRoleCredentials failed (HTTP {(int)status}): {CredentialsHttp.OneLine(body)}{hint}");
        }

        if (!json.RootElement.TryGetProperty("roleCredentials", out JsonElement role) || role.ValueKind != JsonValueKind.Object)
        {
            throw new AwsCredentialsException($"{Name}: the GetRoleCredentials answer has no roleCredentials");
        }

        string accessKey = CredentialsHttp.RequiredString(role, "accessKeyId", Name);
        string secret = CredentialsHttp.RequiredString(role, "secretAccessKey", Name);
        string? token = CredentialsHttp.OptionalString(role, "sessionToken");
        DateTimeOffset? expiration = role.TryGetProperty("expiration", out JsonElement e) && e.TryGetInt64(out long ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return new AwsCredentials(accessKey, secret, token, expiration, Name);
    }

    private async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        string login = $"run aws sso login --profile {Profile}";
        JsonObject cached;
        try
        {
            cached = JsonNode.Parse(await File.ReadAllTextAsync(CacheFile, cancellationToken).ConfigureAwait(false)) as JsonObject
                ?? throw new AwsCredentialsException($"{Name}: the token cache {CacheFile} is not a JSON object");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new AwsCredentialsException($"{Name}: no cached SSO token ({CacheFile}): {login}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new AwsCredentialsException($"{Name}: the token cache {CacheFile}: {e.Message}", e);
        }

        string? accessToken = Text(cached, "accessToken");
        DateTimeOffset? expiresAt = Text(cached, "expiresAt") is { } at ? CredentialsHttp.ParseTime(at, Name) : null;
        if (accessToken is null || expiresAt is null)
        {
            throw new AwsCredentialsException($"{Name}: the token cache {CacheFile} has no accessToken/expiresAt: {login}");
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (SessionName is not null && expiresAt.Value - now < RefreshWindow && CanRefresh(cached, now))
        {
            try
            {
                (accessToken, expiresAt) = await RefreshTokenAsync(cached, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsCredentialsException) when (now < expiresAt.Value)
            {
                // The old token still works: use it; the next fetch tries again (after RefreshGap).
            }
            catch (AwsCredentialsException e)
            {
                throw new AwsCredentialsException($"{e.Message} ({login})", e);
            }
        }

        if (now >= expiresAt.Value)
        {
            throw new AwsCredentialsException($"{Name}: the SSO token expired at {expiresAt.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: {login}");
        }

        return accessToken;
    }

    private bool CanRefresh(JsonObject cached, DateTimeOffset now)
    {
        if (Text(cached, "refreshToken") is null || Text(cached, "clientId") is null || Text(cached, "clientSecret") is null)
        {
            return false;
        }

        if (Text(cached, "registrationExpiresAt") is { } registration
            && DateTimeOffset.TryParse(registration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset until)
            && until <= now)
        {
            return false;
        }

        lock (_lock)
        {
            if (now - _lastRefreshAttempt < RefreshGap)
            {
                return false;
            }

            _lastRefreshAttempt = now;
            return true;
        }
    }

    private async Task<(string, DateTimeOffset)> RefreshTokenAsync(JsonObject cached, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["clientId"] = Text(cached, "clientId"),
            ["clientSecret"] = Text(cached, "clientSecret"),
            ["grantType"] = "refresh_token",
            ["refreshToken"] = Text(cached, "refreshToken"),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, Append(OidcEndpoint, "token"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        string source = $"{Name}: SSO token refresh at {OidcEndpoint}";
        (HttpStatusCode status, string text) = await CredentialsHttp.SendAsync(CredentialsHttp.Proxied, request, Timeout, source,
            cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            throw new AwsCredentialsException($"{source}: HTTP {(int)status}: {CredentialsHttp.OneLine(text)}");
        }

        using JsonDocument answer = CredentialsHttp.ParseJson(text, source);
        string accessToken = CredentialsHttp.RequiredString(answer.RootElement, "accessToken", source);
        if (!answer.RootElement.TryGetProperty("expiresIn", out JsonElement expiresIn) || !expiresIn.TryGetInt64(out long seconds))
        {
            throw new AwsCredentialsException($"{source}: the answer has no expiresIn");
        }

        DateTimeOffset expiresAt = _time.GetUtcNow().AddSeconds(seconds);
        cached["accessToken"] = accessToken;
        cached["expiresAt"] = expiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (CredentialsHttp.OptionalString(answer.RootElement, "refreshToken") is { } refreshToken)
        {
            cached["refreshToken"] = refreshToken;
        }

        // Written aside and renamed, so the CLI and other SDK processes never read half a file; owner-only, as the
        // token is a bearer secret.
        string temporary = CacheFile + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(temporary, options))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(cached.ToJsonString()), cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, CacheFile, overwrite: true);
        return (accessToken, expiresAt);
    }

    private static string? Text(JsonObject json, string name) =>
        json.TryGetPropertyValue(name, out JsonNode? node) && node is JsonValue value && value.TryGetValue(out string? text)
        && !string.IsNullOrEmpty(text) ? text : null;

    private static string Append(Uri endpoint, string path) => endpoint.ToString().TrimEnd('/') + "/" + path;
}
