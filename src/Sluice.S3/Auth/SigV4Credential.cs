using System.Text;

namespace Sluice.S3.Auth;

/// <summary>An access key with its secret (and optional session token) as the verifier and signer need them.</summary>
public sealed class SigV4Credential
{
    private readonly byte[] _secret;
    private readonly byte[]? _sessionToken;

    /// <summary>Creates a credential; <paramref name="principal"/> is whatever the caller wants back on success.</summary>
    public SigV4Credential(string accessKeyId, string secretAccessKey, string? sessionToken = null, object? principal = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        AccessKeyId = accessKeyId;
        _secret = Encoding.UTF8.GetBytes(secretAccessKey);
        SessionToken = sessionToken;
        _sessionToken = sessionToken is null ? null : Encoding.UTF8.GetBytes(sessionToken);
        Principal = principal;
    }

    /// <summary>The access key id.</summary>
    public string AccessKeyId { get; }

    /// <summary>When set, requests must carry exactly this <c>x-amz-security-token</c>.</summary>
    public string? SessionToken { get; }

    /// <summary>Caller-defined identity (user, account, policy set) handed back with a successful verification.</summary>
    public object? Principal { get; }

    internal ReadOnlySpan<byte> SecretUtf8 => _secret;

    internal ReadOnlySpan<byte> SessionTokenUtf8 => _sessionToken;

    internal bool HasSessionToken => _sessionToken is not null;
}
