using System.Text.Json.Nodes;
using System.Web;
using Sluice.Client.Config;
using Sluice.Client.Credentials;

namespace Sluice.Client.Tests.Credentials;

/// <summary>SSO profiles: the token cache `aws sso login` writes, the portal's GetRoleCredentials and the OIDC token
/// refresh, each on a loopback server speaking the documented protocol.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes: Sluice is Linux-only
public sealed class SsoCredentialsProviderTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _home = Directory.CreateTempSubdirectory("sluice-sso-").FullName;
    private LoopbackHttpServer _portal = null!;
    private LoopbackHttpServer _oidc = null!;
    private string _validToken = "sso-access-1";

    public async Task InitializeAsync()
    {
        _portal = await LoopbackHttpServer.StartAsync((request, response) =>
        {
            var query = HttpUtility.ParseQueryString(request.Query);
            if (request.Method != "GET" || request.Path != "/federation/credentials")
                return LoopbackHttpServer.WriteAsync(response, 404, "{}");
            if (request.Header("x-amz-sso_bearer_token") != _validToken)
                return LoopbackHttpServer.WriteAsync(response, 401, """{"message":"Session token not found or invalid"}""");
            long expiration = Now.AddHours(1).ToUnixTimeMilliseconds();
            return LoopbackHttpServer.WriteAsync(response, 200, $$"""
                {"roleCredentials":{"accessKeyId":"ASIASSO-{{query["account_id"]}}-{{query["role_name"]}}","secretAccessKey":"sso/secret",
                 "sessionToken":"sso-session","expiration": {{expiration}} } }
                """);
        });
        _oidc = await LoopbackHttpServer.StartAsync((request, response) =>
        {
            JsonNode? body = JsonNode.Parse(request.Body);
            if (request.Path != "/token" || (string?)body?["grantType"] != "refresh_token" || (string?)body?["refreshToken"] != "refresh-1"
                || (string?)body?["clientId"] != "client-id" || (string?)body?["clientSecret"] != "client-secret")
                return LoopbackHttpServer.WriteAsync(response, 400, """{"error":"invalid_grant"}""");
            _validToken = "sso-access-2";
            return LoopbackHttpServer.WriteAsync(response, 200, """{"accessToken":"sso-access-2","expiresIn":28800,"refreshToken":"refresh-2","tokenType":"Bearer"}""");
        });
        Directory.CreateDirectory(Path.Combine(_home, ".aws", "sso", "cache"));
        File.WriteAllText(Path.Combine(_home, ".aws", "config"), """
            [profile dev]
            sso_session = corp
            sso_account_id = 111122223333
            sso_role_name = Developer
            region = eu-central-1
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            sso_registration_scopes = sso:account:access
            [profile legacy]
            sso_start_url = https://old.awsapps.com/start
            sso_region = us-east-1
            sso_account_id = 444455556666
            sso_role_name = ReadOnly
            [profile incomplete]
            sso_session = corp
            sso_account_id = 111122223333
            """);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _oidc.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private AwsConfigSource Source() => AwsConfigSource.From(new Dictionary<string, string>
    {
        ["AWS_ENDPOINT_URL_SSO"] = _portal.BaseUri.ToString(),
        ["AWS_ENDPOINT_URL_SSO_OIDC"] = _oidc.BaseUri.ToString(),
    }, _home);

    private string CacheFile(string key) => Path.Combine(_home, ".aws", "sso", "cache", SsoCredentialsProvider.CacheKey(key) + ".json");

    private SsoCredentialsProvider Provider(string profile)
    {
        var resolved = (SsoCredentialsProvider)AwsCredentialsResolver.Resolve(Source(), profile);
        // The same settings with the test's clock (the resolver's provider uses the real one).
        return new SsoCredentialsProvider(resolved.Profile, resolved.SessionName, resolved.StartUrl, resolved.SsoRegion,
            resolved.AccountId, resolved.RoleName, Path.GetDirectoryName(resolved.CacheFile)!, resolved.PortalEndpoint,
            resolved.OidcEndpoint, new ManualTimeProvider(Now));
    }

    [Fact]
    public async Task The_cached_token_buys_role_credentials_at_the_portal()
    {
        File.WriteAllText(CacheFile("corp"), $$"""{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"sso-access-1","expiresAt":"{{Now.AddHours(2).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""");
        SsoCredentialsProvider provider = Provider("dev");
        Assert.Equal(CacheFile("corp"), provider.CacheFile);
        Assert.Equal("eu-west-1", provider.SsoRegion);
        AwsCredentials c = await provider.GetCredentialsAsync(default);
        Assert.Equal(("ASIASSO-111122223333-Developer", "sso/secret", "sso-session"), (c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
        Assert.Equal(Now.AddHours(1), c.Expiration);
        Assert.Empty(_oidc.Requests); // two hours left: no refresh
    }

    [Fact]
    public async Task A_token_near_expiry_is_refreshed_and_the_cache_file_rewritten()
    {
        File.WriteAllText(CacheFile("corp"), $$"""
            {"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"sso-access-1",
             "expiresAt":"{{Now.AddMinutes(2).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","clientId":"client-id","clientSecret":"client-secret",
             "registrationExpiresAt":"{{Now.AddDays(30).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","refreshToken":"refresh-1"}
            """);
        AwsCredentials c = await Provider("dev").GetCredentialsAsync(default);
        Assert.Equal("ASIASSO-111122223333-Developer", c.AccessKeyId);
        Assert.Single(_oidc.Requests);
        Assert.Equal("sso-access-2", _portal.Requests.Single().Header("x-amz-sso_bearer_token"));
        JsonNode cache = JsonNode.Parse(File.ReadAllText(CacheFile("corp")))!;
        Assert.Equal(("sso-access-2", "refresh-2", "client-id"), ((string?)cache["accessToken"], (string?)cache["refreshToken"], (string?)cache["clientId"]));
        Assert.Equal(Now.AddHours(8), DateTimeOffset.Parse((string)cache["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CacheFile("corp")));
    }

    [Fact]
    public async Task Legacy_profiles_use_the_start_url_key_and_expired_or_missing_tokens_ask_for_a_login()
    {
        File.WriteAllText(CacheFile("https://old.awsapps.com/start"), $$"""{"accessToken":"sso-access-1","expiresAt":"{{Now.AddHours(1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""");
        Assert.Equal("ASIASSO-444455556666-ReadOnly", (await Provider("legacy").GetCredentialsAsync(default)).AccessKeyId);

        File.WriteAllText(CacheFile("https://old.awsapps.com/start"), """{"accessToken":"sso-access-1","expiresAt":"2025-06-01T11:00:00Z"}""");
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await Provider("legacy").GetCredentialsAsync(default));
        Assert.Equal("SSO (profile legacy, role ReadOnly in 444455556666): the SSO token expired at 2025-06-01T11:00:00Z: " +
            "run aws sso login --profile legacy", e.Message);

        e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await Provider("dev").GetCredentialsAsync(default));
        Assert.StartsWith("SSO (profile dev, role Developer in 111122223333): no cached SSO token (", e.Message);
        Assert.EndsWith("): run aws sso login --profile dev", e.Message);

        e = Assert.Throws<AwsCredentialsException>(() => AwsCredentialsResolver.Resolve(Source(), "incomplete"));
        Assert.Equal("profile incomplete: SSO needs sso_role_name (in the profile or [sso-session corp])", e.Message);
    }
}
