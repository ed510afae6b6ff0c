using System.Net;
using Sluice.Client.Tests.Credentials;
using Sluice.Server;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// The real sluice executable getting its credentials the AWS way — container endpoint, EC2 instance metadata,
/// credential_process — from loopback endpoints and real scripts, against the embedded server, which binds every
/// temporary key to its session token: a copy that works proves the token went out, signed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // script file modes
public sealed class CredentialsCommandTests : IAsyncLifetime
{
    private const string Secret = "cli/temporary+secret";
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-cli-creds-").FullName;
    private SluiceServer _server = null!;

    public async Task InitializeAsync()
    {
        // Temporary keys the endpoints below hand out: container CTR1.., IMDS IMDS1.., process PROC; each with its token.
        var keys = new Dictionary<string, string>();
        var tokens = new Dictionary<string, string>();
        for (int n = 1; n <= 20; n++)
        {
            (keys["AKIDCLICTR" + n], tokens["AKIDCLICTR" + n]) = (Secret, "ctr-token-" + n);
            (keys["AKIDCLIIMDS" + n], tokens["AKIDCLIIMDS" + n]) = (Secret, "session-" + n);
        }

        (keys["AKIDCLIPROC"], tokens["AKIDCLIPROC"]) = (Secret, "proc-token");
        _server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            InMemory = true,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = keys,
            SessionTokens = tokens,
            Reactors = 1,
        });
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The server's endpoint, no keys anywhere, nothing from the machine's own AWS setup; plus <paramref name="more"/>.</summary>
    private Dictionary<string, string?> Environment(params (string Name, string? Value)[] more)
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = _server.Endpoint.ToString(),
            ["HOME"] = _root,
            ["AWS_CONFIG_FILE"] = Path.Combine(_root, "config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_root, "credentials"),
        };
        foreach (string name in (string[])["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
            "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"])
        {
            env[name] = null;
        }

        foreach ((string name, string? value) in more) env[name] = value;
        return env;
    }

    private string NewFile(string name, int size)
    {
        string path = Path.Combine(_root, name);
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static SluiceProcess.Result Ok(SluiceProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        return r;
    }

    private static void OneLineError(SluiceProcess.Result r, string expected)
    {
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(expected + "\n", r.StdErr);
    }

    /// <summary>Uploads a file with <paramref name="env"/> and downloads it back, byte-exact.</summary>
    private void RoundTrip(Dictionary<string, string?> env, string bucket, params string[] extra)
    {
        Ok(SluiceProcess.Run(env, null, ["mb", "s3://" + bucket, .. extra]));
        string file = NewFile(bucket + ".bin", 7 << 20);
        Ok(SluiceProcess.Run(env, null, ["cp", "--part-size", "5MiB", file, $"s3://{bucket}/f", .. extra]));
        string back = Path.Combine(_root, bucket + ".back");
        Ok(SluiceProcess.Run(env, null, ["cp", $"s3://{bucket}/f", back, .. extra]));
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(back));
    }

    [Fact]
    public async Task Cp_with_credentials_from_the_container_endpoint()
    {
        string tokenFile = Path.Combine(_root, "pod-token");
        await File.WriteAllTextAsync(tokenFile, "pod-identity-token");
        int issued = 0;
        bool refuse = false;
        await using var endpoint = await LoopbackHttpServer.StartAsync((request, response) =>
        {
            if (refuse || request.Header("Authorization") != "pod-identity-token")
                return LoopbackHttpServer.WriteAsync(response, 403, """{"code":"AccessDenied","message":"not this pod"}""");
            int n = Interlocked.Increment(ref issued);
            return LoopbackHttpServer.WriteAsync(response, 200, $$"""
                {"AccessKeyId":"AKIDCLICTR{{n}}","SecretAccessKey":"{{Secret}}","Token":"ctr-token-{{n}}",
                 "Expiration":"{{DateTimeOffset.UtcNow.AddHours(1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}
                """);
        });
        var env = Environment(("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.Url("/v1/credentials").ToString()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile));
        RoundTrip(env, "container");
        Assert.Equal(3, issued); // one fetch per command: each sluice process asks once

        refuse = true;
        OneLineError(SluiceProcess.Run(env, null, "ls", "s3://container"),
            $"sluice: credentials: container endpoint {endpoint.Url("/v1/credentials")}: HTTP 403: AccessDenied: not this pod");
    }

    [Fact]
    public async Task Cp_with_credentials_from_instance_metadata_v2()
    {
        await using var imds = await ImdsServer.StartAsync();
        imds.KeyPrefix = "AKIDCLIIMDS";
        imds.Secret = Secret;
        // The SDKs' 1 s metadata timeout is for a real instance; the test's IMDS answers when the machine lets it (a
        // quiet CI run once saw it take over a second), so the test waits as long as it needs.
        var env = Environment(("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.Http.BaseUri.ToString()), ("AWS_METADATA_SERVICE_TIMEOUT", "120"));
        RoundTrip(env, "imds");
        Assert.Equal(3, imds.TokensIssued);
        Assert.All(imds.Http.Requests.Where(r => r.Method == "GET"), r => Assert.StartsWith("imds-token-", r.Header("X-aws-ec2-metadata-token")));

        // Without the explicit IMDS endpoint and nothing else configured, the target is a loopback `sluice serve`: sluice
        // signs with its development keys (which this server does not know) instead of waiting for an IMDS that is not there.
        var dev = SluiceProcess.Run(Environment(), null, "ls");
        Assert.Equal(1, dev.ExitCode);
        Assert.StartsWith("sluice: InvalidAccessKeyId: ", dev.StdErr);
    }

    [Fact]
    public void Cp_with_a_credential_process_profile_and_its_failure_in_one_line()
    {
        string script = Path.Combine(_root, "get creds.sh");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            if [ "$1" = "--fail" ]; then echo "SSO session expired; run login" >&2; exit 1; fi
            echo '{"Version": 1, "AccessKeyId": "AKIDCLIPROC", "SecretAccessKey": "{{Secret}}", "SessionToken": "proc-token", "Expiration": "2099-01-01T00:00:00Z"}'
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(_root, "config"), $"""
            [profile proc]
            credential_process = "{script}"
            [profile broken]
            credential_process = "{script}" --fail
            """);
        RoundTrip(Environment(), "process", "--profile", "proc");
        OneLineError(SluiceProcess.Run(Environment(), null, "ls", "--profile", "broken"),
            "sluice: credentials: credential_process exited 1: SSO session expired; run login");
    }
}
