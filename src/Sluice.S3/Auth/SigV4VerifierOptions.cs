namespace Sluice.S3.Auth;

/// <summary>What a <see cref="SigV4Verifier"/> accepts.</summary>
public sealed class SigV4VerifierOptions
{
    /// <summary>The SigV4 presigned URL limit: seven days.</summary>
    public const int MaxPresignedExpirySeconds = 604800;

    /// <summary>Required credential-scope region, or null to accept any region (the key is derived for it).</summary>
    public string? Region { get; init; }

    /// <summary>Required credential-scope service.</summary>
    public string Service { get; init; } = "s3";

    /// <summary>Canonical URI rules; S3 unless verifying a generic SigV4 service.</summary>
    public SigV4UriMode UriMode { get; init; } = SigV4UriMode.S3;

    /// <summary>Largest accepted difference between request time and now (S3: 15 minutes).</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Header authentication must carry <c>x-amz-content-sha256</c> (true for S3).</summary>
    public bool RequireContentSha256 { get; init; } = true;

    /// <summary>Every <c>x-amz-*</c> header present must be signed, as S3 enforces.</summary>
    public bool RequireSignedAmzHeaders { get; init; } = true;
}
