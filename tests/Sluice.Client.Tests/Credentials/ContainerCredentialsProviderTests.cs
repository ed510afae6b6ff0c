using Sluice.Client.Credentials;

namespace Sluice.Client.Tests.Credentials;

/// <summary>The ECS/EKS container endpoint against a loopback server speaking its protocol.</summary>
public sealed class ContainerCredentialsProviderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-container-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string CredentialJson(string key, string secret, string token, DateTimeOffset expiration) =>
        $$"""{"AccessKeyId":"{{key}}","SecretAccessKey":"{{secret}}","Token":"{{token}}","Expiration":"{{expiration.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","RoleArn":"arn:aws:iam::123456789012:role/test"}""";

    [Fact]
    public async Task Full_uri_with_the_token_file_read_on_every_fetch()
    {
        string tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenFile, "first-token\n");
        int n = 0;
        await using var endpoint = await LoopbackHttpServer.StartAsync((request, response) =>
        {
            int i = Interlocked.Increment(ref n);
            return request.Path == "/v1/credentials" && request.Method == "GET"
                ? LoopbackHttpServer.WriteAsync(response, 200, CredentialJson("AKIDC" + i, "secret" + i, "token" + i,
                    new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)))
                : LoopbackHttpServer.WriteAsync(response, 404, "{}");
        });

        ContainerCredentialsProvider provider = ContainerCredentialsProvider.FromEnvironment(name => name switch
        {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI" => endpoint.Url("/v1/credentials").ToString(),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" => tokenFile,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN" => "ignored-when-the-file-is-set",
            _ => null,
        })!;
        AwsCredentials first = await provider.GetCredentialsAsync(default);
        Assert.Equal(("AKIDC1", "secret1", "token1"), (first.AccessKeyId, first.SecretAccessKey, first.SessionToken));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), first.Expiration);

        await File.WriteAllTextAsync(tokenFile, "rotated-token");
        Assert.Equal("AKIDC2", (await provider.GetCredentialsAsync(default)).AccessKeyId);
        Assert.Equal(["first-token", "rotated-token"], endpoint.Requests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task The_token_from_the_environment_and_errors_from_the_endpoint()
    {
        await using var endpoint = await LoopbackHttpServer.StartAsync((request, response) =>
            request.Header("Authorization") == "Bearer good"
                ? LoopbackHttpServer.WriteAsync(response, 200, CredentialJson("AKIDENV", "s", "t", DateTimeOffset.UtcNow.AddHours(1)))
                : LoopbackHttpServer.WriteAsync(response, 403, """{"code":"AccessDenied","message":"bad token"}"""));
        var good = new ContainerCredentialsProvider(endpoint.Url("/creds"), "Bearer good");
        Assert.Equal("AKIDENV", (await good.GetCredentialsAsync(default)).AccessKeyId);

        var bad = new ContainerCredentialsProvider(endpoint.Url("/creds"), "Bearer bad");
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await bad.GetCredentialsAsync(default));
        Assert.Equal($"container endpoint {endpoint.Url("/creds")}: HTTP 403: AccessDenied: bad token", e.Message);
    }

    [Fact]
    public async Task Plain_http_is_refused_off_loopback_and_the_relative_uri_goes_to_the_ecs_agent()
    {
        // TEST-NET-1 (never routed): refused before any connection is tried.
        var remote = new ContainerCredentialsProvider(new Uri("http://192.0.2.1/creds"));
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await remote.GetCredentialsAsync(default));
        Assert.Contains("plain http is allowed only to loopback", e.Message);

        ContainerCredentialsProvider relative = ContainerCredentialsProvider.FromEnvironment(name =>
            name == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" ? "/v2/credentials/abc" : null)!;
        Assert.Equal(new Uri("http://169.254.170.2/v2/credentials/abc"), relative.Uri);
        Assert.Null(ContainerCredentialsProvider.FromEnvironment(_ => null));

        // A line break in the token would split the header: refused, not sent.
        string tokenFile = Path.Combine(_dir, "broken");
        await File.WriteAllTextAsync(tokenFile, "a\r\nX-Injected: 1");
        var broken = new ContainerCredentialsProvider(new Uri("http://127.0.0.1:1/creds"), authorizationTokenFile: tokenFile);
        e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await broken.GetCredentialsAsync(default));
        Assert.Contains("line break", e.Message);
    }
}
