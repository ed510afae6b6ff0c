namespace Sluice.S3.Auth;

/// <summary>The S3 error codes authentication can fail with (the XML <c>Code</c> element).</summary>
public static class SigV4ErrorCodes
{
    /// <summary>HTTP 403.</summary>
    public const string AccessDenied = "AccessDenied";

    /// <summary>HTTP 400.</summary>
    public const string AuthorizationHeaderMalformed = "AuthorizationHeaderMalformed";

    /// <summary>HTTP 400.</summary>
    public const string AuthorizationQueryParametersError = "AuthorizationQueryParametersError";

    /// <summary>HTTP 400.</summary>
    public const string InvalidArgument = "InvalidArgument";

    /// <summary>HTTP 400.</summary>
    public const string InvalidRequest = "InvalidRequest";

    /// <summary>HTTP 403.</summary>
    public const string InvalidAccessKeyId = "InvalidAccessKeyId";

    /// <summary>HTTP 400.</summary>
    public const string InvalidToken = "InvalidToken";

    /// <summary>HTTP 400.</summary>
    public const string MissingSecurityHeader = "MissingSecurityHeader";

    /// <summary>HTTP 403.</summary>
    public const string RequestTimeTooSkewed = "RequestTimeTooSkewed";

    /// <summary>HTTP 403.</summary>
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";
}
