using Sluice.Client.Credentials;

namespace Sluice.Client.Tests.Credentials;

/// <summary>IMDSv2 (and the v1 fallback) against a loopback metadata service.</summary>
public sealed class InstanceMetadataCredentialsProviderTests
{
    private static InstanceMetadataCredentialsProvider Provider(ImdsServer imds, params (string Name, string Value)[] more) =>
        InstanceMetadataCredentialsProvider.FromSettings((env, _) =>
            env == "AWS_EC2_METADATA_SERVICE_ENDPOINT" ? imds.Http.BaseUri.ToString()
            : more.FirstOrDefault(m => m.Name == env).Value)!;

    [Fact]
    public async Task Session_token_then_role_then_credentials_and_the_token_is_reused()
    {
        await using var imds = await ImdsServer.StartAsync();
        InstanceMetadataCredentialsProvider provider = Provider(imds);
        AwsCredentials first = await provider.GetCredentialsAsync(default);
        Assert.Equal(("AKIDIMDS1", "imds/secret", "session-1"), (first.AccessKeyId, first.SecretAccessKey, first.SessionToken));
        Assert.NotNull(first.Expiration);
        Assert.Equal("AKIDIMDS2", (await provider.GetCredentialsAsync(default)).AccessKeyId);
        Assert.Equal(1, imds.TokensIssued); // one token for both fetches (6 hour TTL)

        RecordedRequest[] requests = [.. imds.Http.Requests];
        Assert.Equal(["PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
            $"GET /latest/meta-data/iam/security-credentials/{ImdsServer.Role}"], requests.Take(3).Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("21600", requests[0].Header("X-aws-ec2-metadata-token-ttl-seconds"));
        Assert.All(requests.Skip(1), r => Assert.Equal(ImdsServer.Token(1), r.Header("X-aws-ec2-metadata-token")));
    }

    [Fact]
    public async Task A_refused_token_request_falls_back_to_v1_unless_v1_is_disabled()
    {
        await using var imds = await ImdsServer.StartAsync();
        imds.V2Only = false;
        imds.TokenStatus = 405;
        Assert.Equal("AKIDIMDS1", (await Provider(imds).GetCredentialsAsync(default)).AccessKeyId);
        Assert.All(imds.Http.Requests.Where(r => r.Method == "GET"), r => Assert.Null(r.Header("X-aws-ec2-metadata-token")));

        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () =>
            await Provider(imds, ("AWS_EC2_METADATA_V1_DISABLED", "true")).GetCredentialsAsync(default));
        Assert.Equal($"instance metadata {imds.Http.BaseUri.GetLeftPart(UriPartial.Authority)}: the IMDSv2 token request was " +
            "refused (HTTP 405) and IMDSv1 is disabled", e.Message);
    }

    [Fact]
    public async Task An_expired_token_is_replaced_and_disabled_or_unreachable_imds_is_clear()
    {
        await using var imds = await ImdsServer.StartAsync();
        InstanceMetadataCredentialsProvider provider = Provider(imds);
        await provider.GetCredentialsAsync(default);
        // Another client takes a token: ours is no longer the valid one, so IMDS answers 401 and we ask for a new one.
        using (var http = new HttpClient())
        using (var put = new HttpRequestMessage(HttpMethod.Put, imds.Http.Url("/latest/api/token")))
        {
            put.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "60");
            (await http.SendAsync(put)).EnsureSuccessStatusCode();
        }

        Assert.Equal("AKIDIMDS2", (await provider.GetCredentialsAsync(default)).AccessKeyId);
        Assert.Equal(3, imds.TokensIssued);

        Assert.Null(InstanceMetadataCredentialsProvider.FromSettings((env, _) => env == "AWS_EC2_METADATA_DISABLED" ? "true" : null));
        var closed = new InstanceMetadataCredentialsProvider(new Uri("http://127.0.0.1:1"));
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await closed.GetCredentialsAsync(default));
        Assert.StartsWith("instance metadata http://127.0.0.1:1: ", e.Message);
    }
}
