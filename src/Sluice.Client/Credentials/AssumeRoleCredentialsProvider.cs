using System.Globalization;

namespace Sluice.Client.Credentials;

/// <summary>
/// A profile's role_arn with source_profile or credential_source: STS AssumeRole, SigV4-signed for "sts" with the
/// source's credentials (fetched from the source on every call, so a refreshing source stays current), optional
/// external_id and duration_seconds. MFA (mfa_serial) needs a prompt and is refused when the profile is read.
/// </summary>
public sealed class AssumeRoleCredentialsProvider : IAwsCredentialsProvider
{
    private readonly IAwsCredentialsProvider _source;
    private readonly StsEndpoint _sts;

    public AssumeRoleCredentialsProvider(IAwsCredentialsProvider source, string roleArn, StsEndpoint sts,
        string? sessionName = null, string? externalId = null, int? durationSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        ArgumentNullException.ThrowIfNull(sts);
        _source = source;
        _sts = sts;
        RoleArn = roleArn;
        SessionName = string.IsNullOrEmpty(sessionName) ? DefaultSessionName() : sessionName;
        ExternalId = externalId;
        DurationSeconds = durationSeconds;
    }

    public string RoleArn { get; }

    public string SessionName { get; }

    public string? ExternalId { get; }

    public int? DurationSeconds { get; }

    /// <summary>Where the credentials that sign AssumeRole come from.</summary>
    public IAwsCredentialsProvider Source => _source;

    /// <summary>Where the STS call goes.</summary>
    public StsEndpoint Sts => _sts;

    public string Name => $"assume role {RoleArn}";

    /// <summary>"sluice-session-" and the Unix time, as the AWS CLI names its sessions "botocore-session-...".</summary>
    public static string DefaultSessionName() =>
        "sluice-session-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        AwsCredentials source;
        try
        {
            source = await _source.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsCredentialsException e)
        {
            throw new AwsCredentialsException($"{Name}: source credentials: {e.Message}", e);
        }

        string form = StsClient.Form(("Action", "AssumeRole"), ("Version", StsClient.ApiVersion), ("RoleArn", RoleArn),
            ("RoleSessionName", SessionName), ("ExternalId", ExternalId),
            ("DurationSeconds", DurationSeconds?.ToString(CultureInfo.InvariantCulture)));
        return await StsClient.CallAsync(_sts.Uri, _sts.Region, "AssumeRole", form, source, $"{Name} at {_sts.Uri}",
            cancellationToken).ConfigureAwait(false);
    }
}
