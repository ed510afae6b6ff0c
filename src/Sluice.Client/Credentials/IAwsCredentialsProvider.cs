namespace Sluice.Client.Credentials;

/// <summary>
/// A source of AWS credentials (a process, an STS call, a metadata endpoint). Providers fetch on every call;
/// <see cref="RefreshingCredentialsProvider"/> caches and refreshes ahead of expiry, and the client always asks through
/// one. Failures are <see cref="AwsCredentialsException"/>, one line naming the source.
/// </summary>
public interface IAwsCredentialsProvider
{
    /// <summary>What this provider is, for messages ("container endpoint http://...", "credential_process").</summary>
    string Name { get; }

    /// <summary>Fetches credentials.</summary>
    ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken);
}
