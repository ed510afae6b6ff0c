namespace Sluice.Client.Credentials;

/// <summary>
/// One set of AWS credentials as a provider returned them: immutable, so the client can keep the current set in one
/// field and compare it by reference to know when to build a new signer.
/// </summary>
public sealed class AwsCredentials
{
    /// <summary>Creates credentials; <paramref name="expiration"/> null means they do not expire.</summary>
    public AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null,
        DateTimeOffset? expiration = null, string? source = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
        Expiration = expiration;
        Source = source;
    }

    public string AccessKeyId { get; }

    public string SecretAccessKey { get; }

    /// <summary>For temporary credentials: sent, signed, as x-amz-security-token.</summary>
    public string? SessionToken { get; }

    /// <summary>When the credentials stop working; null for long-term keys.</summary>
    public DateTimeOffset? Expiration { get; }

    /// <summary>Where they came from, for messages (e.g. "container endpoint", "credential_process").</summary>
    public string? Source { get; }

    public override string ToString() =>
        $"{AccessKeyId} ({Source ?? "given"}{(Expiration is { } e ? ", expires " + e.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "")})";
}
