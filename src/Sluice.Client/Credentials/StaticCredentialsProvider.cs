namespace Sluice.Client.Credentials;

/// <summary>Fixed credentials (keys given in code, the environment, or a profile's aws_access_key_id).</summary>
public sealed class StaticCredentialsProvider : IAwsCredentialsProvider
{
    private readonly AwsCredentials _credentials;

    public StaticCredentialsProvider(AwsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
    }

    public string Name => _credentials.Source ?? "static credentials";

    public AwsCredentials Credentials => _credentials;

    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => new(_credentials);
}
