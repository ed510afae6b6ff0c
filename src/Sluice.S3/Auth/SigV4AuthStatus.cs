namespace Sluice.S3.Auth;

/// <summary>Outcome of verifying a request's SigV4 authentication.</summary>
public enum SigV4AuthStatus
{
    /// <summary>No Authorization header and no query authentication: an anonymous request.</summary>
    Anonymous = 0,

    /// <summary>The signature verified.</summary>
    Authenticated,

    /// <summary>Authentication was present but invalid; see the error code and message.</summary>
    Failed,
}
