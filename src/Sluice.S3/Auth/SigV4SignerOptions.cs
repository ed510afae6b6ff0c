namespace Sluice.S3.Auth;

/// <summary>How a <see cref="SigV4Signer"/> signs.</summary>
public sealed class SigV4SignerOptions
{
    /// <summary>The credential-scope service.</summary>
    public string Service { get; init; } = "s3";

    /// <summary>Canonical URI rules; S3 unless signing for a generic SigV4 service.</summary>
    public SigV4UriMode UriMode { get; init; } = SigV4UriMode.S3;

    /// <summary>Add <c>x-amz-content-sha256</c> (S3 requires it; generic services do not use it).</summary>
    public bool AddContentSha256Header { get; init; } = true;

    /// <summary>
    /// Sign <c>x-amz-security-token</c>. When false the token header is added after signing, unsigned (a few
    /// services require that; S3 does not).
    /// </summary>
    public bool SignSessionToken { get; init; } = true;
}
