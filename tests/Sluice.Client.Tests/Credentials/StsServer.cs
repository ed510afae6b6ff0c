using System.Security.Cryptography;
using System.Text;
using System.Web;
using Microsoft.AspNetCore.Http;
using Sluice.S3.Auth;

namespace Sluice.Client.Tests.Credentials;

/// <summary>
/// STS on loopback, as documented: a form-encoded POST with Action and Version=2011-06-15. AssumeRole must be SigV4
/// signed for service "sts" by a key in <see cref="Signers"/> (checked with Sluice's verifier, the body hash included);
/// AssumeRoleWithWebIdentity must be unsigned and carry <see cref="WebIdentityToken"/>. Answers are STS XML.
/// </summary>
internal sealed class StsServer : IAsyncDisposable
{
    private int _issued;

    public LoopbackHttpServer Http { get; private set; } = null!;

    public SigV4CredentialStore Signers { get; } = new();

    public string Region { get; set; } = "us-east-1";

    public string? WebIdentityToken { get; set; }

    /// <summary>The form of each accepted call, in order.</summary>
    public List<IReadOnlyDictionary<string, string>> Calls { get; } = [];

    public static async Task<StsServer> StartAsync()
    {
        var sts = new StsServer();
        sts.Http = await LoopbackHttpServer.StartAsync(sts.HandleAsync);
        return sts;
    }

    private Task HandleAsync(RecordedRequest request, HttpResponse response)
    {
        var form = HttpUtility.ParseQueryString(request.Body);
        var fields = form.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => form[k]!);
        if (request.Method != "POST" || fields.GetValueOrDefault("Version") != "2011-06-15"
            || request.Header("Content-Type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) != true)
        {
            return Error(response, 400, "InvalidAction", "not an STS query");
        }

        string action = fields.GetValueOrDefault("Action") ?? "";
        if (action == "AssumeRole")
        {
            var headers = new SigV4HeaderList();
            foreach ((string name, string value) in request.Headers)
            {
                headers.Add(name, value);
            }

            var verifier = new SigV4Verifier(Signers, new SigV4VerifierOptions
            {
                Service = "sts", Region = Region, UriMode = SigV4UriMode.Generic, RequireContentSha256 = false,
            });
            string bodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body)));
            SigV4AuthResult auth = verifier.Verify(Encoding.ASCII.GetBytes(request.Method), Encoding.ASCII.GetBytes(request.Path),
                Encoding.ASCII.GetBytes(request.Query.TrimStart('?')), headers, DateTimeOffset.UtcNow, Encoding.ASCII.GetBytes(bodyHash));
            if (!auth.IsAuthenticated)
            {
                return Error(response, 403, auth.ErrorCode ?? "AccessDenied", auth.ErrorMessage ?? "unsigned");
            }
        }
        else if (action == "AssumeRoleWithWebIdentity")
        {
            if (request.Header("Authorization") is not null)
            {
                return Error(response, 400, "InvalidRequest", "AssumeRoleWithWebIdentity is unsigned");
            }

            if (fields.GetValueOrDefault("WebIdentityToken") != WebIdentityToken)
            {
                return Error(response, 400, "InvalidIdentityToken", "The web identity token is not valid.");
            }
        }
        else
        {
            return Error(response, 400, "InvalidAction", action);
        }

        lock (Calls)
        {
            Calls.Add(fields);
        }

        int n = Interlocked.Increment(ref _issued);
        string expiration = DateTimeOffset.UtcNow.AddHours(1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        return LoopbackHttpServer.WriteAsync(response, 200, $"""
            <{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <{action}Result>
                <Credentials>
                  <AccessKeyId>ASIASTS{n}</AccessKeyId>
                  <SecretAccessKey>sts/secret/{n}</SecretAccessKey>
                  <SessionToken>sts-session-{n}</SessionToken>
                  <Expiration>{expiration}</Expiration>
                </Credentials>
                <AssumedRoleUser><Arn>{fields.GetValueOrDefault("RoleArn")}</Arn></AssumedRoleUser>
              </{action}Result>
              <ResponseMetadata><RequestId>req-{n}</RequestId></ResponseMetadata>
            </{action}Response>
            """, "text/xml");
    }

    private static Task Error(HttpResponse response, int status, string code, string message) =>
        LoopbackHttpServer.WriteAsync(response, status, $"""
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
              <RequestId>err</RequestId>
            </ErrorResponse>
            """, "text/xml");

    public ValueTask DisposeAsync() => Http.DisposeAsync();
}
