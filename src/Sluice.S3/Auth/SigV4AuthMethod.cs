namespace Sluice.S3.Auth;

/// <summary>Where the request carried its signature.</summary>
public enum SigV4AuthMethod
{
    /// <summary>No authentication.</summary>
    None = 0,

    /// <summary>The <c>Authorization</c> header.</summary>
    Header,

    /// <summary>Presigned URL query parameters (<c>X-Amz-Signature</c> and friends).</summary>
    QueryString,
}
