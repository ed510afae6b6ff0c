namespace Sluice.S3.Auth;

/// <summary>How the canonical URI is derived from the path as it appears on the wire.</summary>
public enum SigV4UriMode
{
    /// <summary>
    /// Amazon S3: the path is percent-decoded and encoded exactly once; "." / ".." segments and "//" are
    /// significant (object keys may contain them) and are kept.
    /// </summary>
    S3 = 0,

    /// <summary>
    /// Every other SigV4 service (and the generic SigV4 test suite): dot segments are removed, repeated
    /// slashes collapsed, and the wire path is encoded again (so "%20" becomes "%2520").
    /// </summary>
    Generic = 1,
}
