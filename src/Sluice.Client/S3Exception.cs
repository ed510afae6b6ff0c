using Sluice.S3.Errors;

namespace Sluice.Client;

/// <summary>
/// A failed S3 request: the S3 error code (from the XML error body, or derived from the status for bodiless
/// responses such as HEAD), the HTTP status, the request id, and whether the failure is worth retrying.
/// Transport failures (connection reset, stall, truncated body, timeout) surface with <see cref="StatusCode"/> 0
/// and a code from <see cref="S3ClientErrorCodes"/>; the underlying exception is the inner exception.
/// </summary>
public class S3Exception : Exception
{
    public S3Exception()
        : this("Unknown", 0, "The S3 request failed.")
    {
    }

    public S3Exception(string message)
        : this("Unknown", 0, message)
    {
    }

    public S3Exception(string message, Exception innerException)
        : this("Unknown", 0, message, innerException: innerException)
    {
    }

    /// <summary>Creates an exception for an S3 error code and HTTP status.</summary>
    public S3Exception(string code, int statusCode, string message, string? requestId = null, string? hostId = null,
        string? resource = null, bool? isRetryable = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(code);
        Code = code;
        StatusCode = statusCode;
        RequestId = requestId;
        HostId = hostId;
        Resource = resource;
        IsRetryable = isRetryable ?? S3ErrorCode.IsRetryable(code, statusCode);
    }

    /// <summary>The S3 error code, e.g. NoSuchKey, SignatureDoesNotMatch, SlowDown, or a transport code.</summary>
    public string Code { get; }

    /// <summary>The HTTP status; 0 when no response was received.</summary>
    public int StatusCode { get; }

    /// <summary>x-amz-request-id (or the error body's RequestId).</summary>
    public string? RequestId { get; }

    /// <summary>x-amz-id-2 (or the error body's HostId).</summary>
    public string? HostId { get; }

    /// <summary>The bucket or key the error concerns, when the server said.</summary>
    public string? Resource { get; }

    /// <summary>True when sending the same request again may succeed (throttling, 5xx, timeouts, resets).</summary>
    public bool IsRetryable { get; }

    /// <summary>The answer's x-amz-rdma-reply (501: the server declined direct placement); 0 when it had none.</summary>
    public int PlacementReply { get; internal set; }

    /// <summary>How many attempts were made before giving up (1 = no retry).</summary>
    public int Attempts { get; internal set; } = 1;
}
