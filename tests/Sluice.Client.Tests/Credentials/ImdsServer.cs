using Microsoft.AspNetCore.Http;

namespace Sluice.Client.Tests.Credentials;

/// <summary>
/// An EC2 instance metadata service on loopback, as documented: PUT /latest/api/token (with
/// X-aws-ec2-metadata-token-ttl-seconds) returns a session token; with <see cref="V2Only"/> GETs without a valid
/// X-aws-ec2-metadata-token get 401; the role list and the role's credentials are under
/// /latest/meta-data/iam/security-credentials/. <see cref="TokenStatus"/> other than 200 makes the token request fail
/// that way (an IMDSv1-only service answers 404/405/403).
/// </summary>
internal sealed class ImdsServer : IAsyncDisposable
{
    public const string Role = "sluice-test-role";

    private int _tokens;
    private int _credentials;

    private ImdsServer()
    {
    }

    public LoopbackHttpServer Http { get; private set; } = null!;

    public bool V2Only { get; set; } = true;

    public int TokenStatus { get; set; } = 200;

    /// <summary>Tokens issued so far; the valid one is "imds-token-N" for the latest N.</summary>
    public int TokensIssued => Volatile.Read(ref _tokens);

    /// <summary>Lifetime of each credential set handed out.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Access key id of set N: <see cref="KeyPrefix"/> + N.</summary>
    public string KeyPrefix { get; set; } = "AKIDIMDS";

    /// <summary>Every set has this secret (a server under test can then accept all of them).</summary>
    public string Secret { get; set; } = "imds/secret";

    public static async Task<ImdsServer> StartAsync()
    {
        var imds = new ImdsServer();
        imds.Http = await LoopbackHttpServer.StartAsync(imds.HandleAsync);
        return imds;
    }

    public static string Token(int n) => "imds-token-" + n;

    private Task HandleAsync(RecordedRequest request, HttpResponse response)
    {
        if (request.Path == "/latest/api/token")
        {
            if (request.Method != "PUT")
            {
                return LoopbackHttpServer.WriteAsync(response, 405, "", "text/plain");
            }

            if (TokenStatus != 200)
            {
                return LoopbackHttpServer.WriteAsync(response, TokenStatus, "", "text/plain");
            }

            if (!int.TryParse(request.Header("X-aws-ec2-metadata-token-ttl-seconds"), out int ttl) || ttl is < 1 or > 21600)
            {
                return LoopbackHttpServer.WriteAsync(response, 400, "", "text/plain");
            }

            return LoopbackHttpServer.WriteAsync(response, 200, Token(Interlocked.Increment(ref _tokens)), "text/plain");
        }

        string? token = request.Header("X-aws-ec2-metadata-token");
        if (token is null ? V2Only : token != Token(TokensIssued))
        {
            return LoopbackHttpServer.WriteAsync(response, 401, "", "text/plain");
        }

        const string prefix = "/latest/meta-data/iam/security-credentials/";
        if (request.Path == prefix)
        {
            return LoopbackHttpServer.WriteAsync(response, 200, Role, "text/plain");
        }

        if (request.Path == prefix + Role)
        {
            int n = Interlocked.Increment(ref _credentials);
            DateTimeOffset expiration = DateTimeOffset.UtcNow + Lifetime;
            return LoopbackHttpServer.WriteAsync(response, 200, $$"""
                {
                  "Code" : "Success",
                  "LastUpdated" : "{{DateTimeOffset.UtcNow.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}",
                  "Type" : "AWS-HMAC",
                  "AccessKeyId" : "{{KeyPrefix}}{{n}}",
                  "SecretAccessKey" : "{{Secret}}",
                  "Token" : "session-{{n}}",
                  "Expiration" : "{{expiration.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"
                }
                """);
        }

        return LoopbackHttpServer.WriteAsync(response, 404, "", "text/plain");
    }

    public ValueTask DisposeAsync() => Http.DisposeAsync();
}
