using Sluice.S3.Errors;

namespace Sluice.Server.Exchange;

/// <summary>
/// The request body could not be read: malformed chunked framing, the client stopped short of Content-Length, or a
/// receive timed out. Carries the S3 error the server answers with; the connection closes afterwards.
/// </summary>
public sealed class HttpBodyException : Exception
{
    public HttpBodyException(string code, string message) : base(message) => Code = code;
    public HttpBodyException() : this(S3ErrorCode.IncompleteBody, "request body incomplete") { }
    public HttpBodyException(string message) : this(S3ErrorCode.IncompleteBody, message) { }
    public HttpBodyException(string message, Exception inner) : base(message, inner) => Code = S3ErrorCode.IncompleteBody;

    /// <summary>The S3 error code (IncompleteBody, RequestTimeout, InvalidRequest...).</summary>
    public string Code { get; }
}
