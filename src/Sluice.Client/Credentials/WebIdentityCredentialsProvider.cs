namespace Sluice.Client.Credentials;

/// <summary>
/// AssumeRoleWithWebIdentity (EKS IRSA, GitHub Actions OIDC, ...): the token file (AWS_WEB_IDENTITY_TOKEN_FILE or a
/// profile's web_identity_token_file) is read again on every fetch, since the platform rotates it, and exchanged at
/// STS, unsigned, for temporary credentials of role_arn.
/// </summary>
public sealed class WebIdentityCredentialsProvider : IAwsCredentialsProvider
{
    private readonly StsEndpoint _sts;

    public WebIdentityCredentialsProvider(string tokenFile, string roleArn, string? sessionName, StsEndpoint sts,
        int? durationSeconds = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenFile);
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        ArgumentNullException.ThrowIfNull(sts);
        TokenFile = tokenFile;
        RoleArn = roleArn;
        SessionName = string.IsNullOrEmpty(sessionName) ? AssumeRoleCredentialsProvider.DefaultSessionName() : sessionName;
        DurationSeconds = durationSeconds;
        _sts = sts;
    }

    public string TokenFile { get; }

    public string RoleArn { get; }

    public string SessionName { get; }

    public int? DurationSeconds { get; }

    /// <summary>Where the STS call goes.</summary>
    public StsEndpoint Sts => _sts;

    public string Name => $"web identity (role {RoleArn})";

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(TokenFile, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AwsCredentialsException($"{Name}: the token file {TokenFile}: {e.Message}", e);
        }

        if (token.Length == 0)
        {
            throw new AwsCredentialsException($"{Name}: the token file {TokenFile} is empty");
        }

        string form = StsClient.Form(("Action", "AssumeRoleWithWebIdentity"), ("Version", StsClient.ApiVersion),
            ("RoleArn", RoleArn), ("RoleSessionName", SessionName), ("WebIdentityToken", token),
            ("DurationSeconds", DurationSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return await StsClient.CallAsync(_sts.Uri, _sts.Region, "AssumeRoleWithWebIdentity", form, null,
            $"{Name} at {_sts.Uri}", cancellationToken).ConfigureAwait(false);
    }
}
