using Sluice.Client.Credentials;
using Sluice.S3.Auth;

namespace Sluice.Client;

public sealed partial class S3Client
{
    /// <summary>
    /// A presigned URL for <paramref name="method"/> (GET, PUT, HEAD, DELETE) on an object, valid for
    /// <paramref name="expiresIn"/> (1 second to 7 days) from <paramref name="now"/> (default: the current time).
    /// Made locally, no request is sent (but credentials from a provider are fetched first if none are cached); anyone
    /// holding the URL can use it until it expires.
    /// </summary>
    public Uri Presign(string method, string bucket, string key, TimeSpan expiresIn, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        int seconds = checked((int)Math.Ceiling(expiresIn.TotalSeconds));
        if (seconds < 1 || seconds > SigV4VerifierOptions.MaxPresignedExpirySeconds)
            throw new ArgumentOutOfRangeException(nameof(expiresIn), expiresIn, "A presigned URL lasts from 1 second to 7 days.");

        (_, string host, string path) = _transport.Locate(bucket, key);

        var headers = new SigV4HeaderList();
        headers.Add("host", host);
        // With temporary credentials the URL works until they expire (the token is in it), whatever expiresIn says.
        ValueTask<AwsCredentials> pending = _transport.GetCredentialsAsync(CancellationToken.None);
        AwsCredentials credentials = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        SigV4Signer signer = _transport.SignerFor(credentials);
        string query = signer.Presign(headers, method.ToUpperInvariant(), path, null, now ?? DateTimeOffset.UtcNow, seconds);
        return new Uri($"{Options.Endpoint.Scheme}://{host}{path}?{query}");
    }
}
