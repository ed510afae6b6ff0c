using Sluice.Client.Config;
using Sluice.Client.Credentials;
using Sluice.S3.Auth;

namespace Sluice.Client.Tests.Credentials;

/// <summary>role_arn profiles and web identity, resolved from real config files and exchanged at a loopback STS.</summary>
public sealed class AssumeRoleTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("sluice-sts-").FullName;
    private StsServer _sts = null!;

    public async Task InitializeAsync()
    {
        _sts = await StsServer.StartAsync();
        _sts.Region = "eu-west-1";
        _sts.Signers.Add(new SigV4Credential("AKIDBASE", "base/secret"));
        Directory.CreateDirectory(Path.Combine(_home, ".aws"));
        File.WriteAllText(Path.Combine(_home, ".aws", "credentials"), """
            [base]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = base/secret
            [wrong]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = not-the-secret
            """);
        File.WriteAllText(Path.Combine(_home, ".aws", "config"), $"""
            [profile admin]
            role_arn = arn:aws:iam::123456789012:role/admin
            source_profile = base
            role_session_name = nightly
            external_id = ext-42
            duration_seconds = 1800
            region = eu-west-1
            sts =
              endpoint_url = {_sts.Http.BaseUri}
            [profile chained]
            role_arn = arn:aws:iam::123456789012:role/second
            source_profile = admin
            region = eu-west-1
            sts =
              endpoint_url = {_sts.Http.BaseUri}
            [profile denied]
            role_arn = arn:aws:iam::123456789012:role/admin
            source_profile = wrong
            region = eu-west-1
            [profile from-env]
            role_arn = arn:aws:iam::123456789012:role/env
            credential_source = Environment
            region = eu-west-1
            [profile oidc]
            role_arn = arn:aws:iam::123456789012:role/oidc
            web_identity_token_file = {Path.Combine(_home, "token")}
            [profile loop-a]
            role_arn = arn:aws:iam::123456789012:role/a
            source_profile = loop-b
            [profile loop-b]
            role_arn = arn:aws:iam::123456789012:role/b
            source_profile = loop-a
            [profile mfa]
            role_arn = arn:aws:iam::123456789012:role/a
            source_profile = base
            mfa_serial = arn:aws:iam::123456789012:mfa/me
            [profile nosource]
            role_arn = arn:aws:iam::123456789012:role/a
            [profile badsource]
            role_arn = arn:aws:iam::123456789012:role/a
            credential_source = Somewhere
            """);
    }

    public async Task DisposeAsync()
    {
        await _sts.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private AwsConfigSource Source(params (string Name, string Value)[] vars) =>
        AwsConfigSource.From(vars.ToDictionary(v => v.Name, v => v.Value), _home);

    [Fact]
    public async Task Source_profile_signs_AssumeRole_for_sts_and_the_role_credentials_come_back()
    {
        S3ClientOptions options = AwsConfigLoader.Load(Source(), "admin");
        Assert.Null(options.AccessKeyId);
        var provider = Assert.IsType<AssumeRoleCredentialsProvider>(options.CredentialsProvider);
        Assert.Equal(("nightly", "ext-42", 1800), (provider.SessionName, provider.ExternalId, provider.DurationSeconds));

        AwsCredentials c = await provider.GetCredentialsAsync(default);
        Assert.Equal(("ASIASTS1", "sts/secret/1", "sts-session-1"), (c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
        Assert.NotNull(c.Expiration);
        IReadOnlyDictionary<string, string> call = Assert.Single(_sts.Calls);
        Assert.Equal(("AssumeRole", "arn:aws:iam::123456789012:role/admin", "nightly", "ext-42", "1800"),
            (call["Action"], call["RoleArn"], call["RoleSessionName"], call["ExternalId"], call["DurationSeconds"]));
        RecordedRequest sent = Assert.Single(_sts.Http.Requests);
        Assert.Contains("Credential=AKIDBASE/", sent.Header("Authorization"));
        Assert.Contains("/eu-west-1/sts/aws4_request", sent.Header("Authorization"));
    }

    [Fact]
    public async Task Role_chains_sign_with_the_previous_role_and_bad_source_keys_are_refused_by_sts()
    {
        // chained -> admin -> base: STS must accept admin's temporary key (with its session token) for the second call.
        _sts.Signers.Add(new SigV4Credential("ASIASTS1", "sts/secret/1", "sts-session-1"));
        var chained = Assert.IsType<AssumeRoleCredentialsProvider>(AwsCredentialsResolver.Resolve(Source(), "chained"));
        Assert.IsType<AssumeRoleCredentialsProvider>(chained.Source);
        AwsCredentials c = await chained.GetCredentialsAsync(default);
        Assert.Equal("ASIASTS2", c.AccessKeyId);
        Assert.Equal("sts-session-1", _sts.Http.Requests.Last().Header("x-amz-security-token"));

        // denied: its source signs with the wrong secret; STS's error is the message. Its STS endpoint is AWS_ENDPOINT_URL_STS.
        IAwsCredentialsProvider denied = AwsCredentialsResolver.Resolve(Source(("AWS_ENDPOINT_URL_STS", _sts.Http.BaseUri.ToString())), "denied");
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await denied.GetCredentialsAsync(default));
        Assert.Equal($"assume role arn:aws:iam::123456789012:role/admin at {_sts.Http.BaseUri}: AssumeRole failed (HTTP 403): " +
            "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            e.Message);
    }

    [Fact]
    public async Task Web_identity_from_the_environment_and_from_a_profile_is_unsigned_and_rereads_the_token()
    {
        string tokenFile = Path.Combine(_home, "token");
        await File.WriteAllTextAsync(tokenFile, "jwt-one\n");
        _sts.WebIdentityToken = "jwt-one";
        IAwsCredentialsProvider fromEnv = AwsCredentialsResolver.Resolve(Source(
            ("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile), ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa"),
            ("AWS_ROLE_SESSION_NAME", "pod-7"), ("AWS_ENDPOINT_URL_STS", _sts.Http.BaseUri.ToString())));
        Assert.IsType<WebIdentityCredentialsProvider>(fromEnv);
        Assert.Equal("ASIASTS1", (await fromEnv.GetCredentialsAsync(default)).AccessKeyId);
        Assert.Equal(("AssumeRoleWithWebIdentity", "arn:aws:iam::123456789012:role/irsa", "pod-7", "jwt-one"),
            (_sts.Calls[0]["Action"], _sts.Calls[0]["RoleArn"], _sts.Calls[0]["RoleSessionName"], _sts.Calls[0]["WebIdentityToken"]));

        await File.WriteAllTextAsync(tokenFile, "jwt-two");
        _sts.WebIdentityToken = "jwt-two";
        IAwsCredentialsProvider fromProfile = AwsCredentialsResolver.Resolve(Source(("AWS_ENDPOINT_URL_STS", _sts.Http.BaseUri.ToString())), "oidc");
        Assert.Equal("ASIASTS2", (await fromProfile.GetCredentialsAsync(default)).AccessKeyId);
        Assert.StartsWith("sluice-session-", _sts.Calls[1]["RoleSessionName"]);

        _sts.WebIdentityToken = "jwt-three"; // the platform rotated it, but the file still holds jwt-two
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await fromProfile.GetCredentialsAsync(default));
        Assert.EndsWith("AssumeRoleWithWebIdentity failed (HTTP 400): InvalidIdentityToken: The web identity token is not valid.", e.Message);
    }

    [Fact]
    public void Credential_source_and_profile_mistakes_are_one_line_errors()
    {
        // With the profile given as an argument (--profile), the environment's keys are its source, not the answer.
        var fromEnv = Assert.IsType<AssumeRoleCredentialsProvider>(AwsCredentialsResolver.Resolve(Source(
            ("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "s")), "from-env"));
        Assert.IsType<StaticCredentialsProvider>(fromEnv.Source);

        string Error(string profile) => Assert.Throws<AwsCredentialsException>(() => AwsCredentialsResolver.Resolve(Source(), profile)).Message;
        Assert.Equal("profile from-env: credential_source Environment but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set", Error("from-env"));
        Assert.Equal("profile loop-a: source_profile loop (loop-a -> loop-b -> loop-a)", Error("loop-a"));
        Assert.StartsWith("profile mfa: mfa_serial needs an MFA code prompt", Error("mfa"));
        Assert.Equal("profile nosource: role_arn needs source_profile, credential_source or web_identity_token_file", Error("nosource"));
        Assert.Equal("profile badsource: credential_source 'Somewhere' is not Environment, Ec2InstanceMetadata or EcsContainer", Error("badsource"));
    }

    [Fact]
    public void Sts_endpoints_are_configured_or_regional_and_global_for_legacy_or_without_a_region()
    {
        Assert.Equal(new StsEndpoint(_sts.Http.BaseUri, "eu-west-1"), ((AssumeRoleCredentialsProvider)AwsCredentialsResolver.Resolve(Source(), "admin")).Sts);
        Assert.Equal(new StsEndpoint(new Uri("https://sts.eu-west-1.amazonaws.com"), "eu-west-1"),
            ((AssumeRoleCredentialsProvider)AwsCredentialsResolver.Resolve(Source(), "denied")).Sts);
        Assert.Equal(new StsEndpoint(new Uri("https://sts.amazonaws.com"), "us-east-1"),
            ((AssumeRoleCredentialsProvider)AwsCredentialsResolver.Resolve(Source(("AWS_STS_REGIONAL_ENDPOINTS", "legacy")), "denied")).Sts);
        Assert.Equal(new StsEndpoint(new Uri("https://sts.amazonaws.com"), "us-east-1"),
            ((WebIdentityCredentialsProvider)AwsCredentialsResolver.Resolve(Source(), "oidc")).Sts);
    }
}
