namespace Sluice.S3.Http;

/// <summary>Reason phrases (RFC 9110 §15) for the status codes an S3 endpoint sends.</summary>
public static class HttpReasonPhrases
{
    /// <summary>The standard phrase, or empty for a code without one (an empty reason is valid on the wire).</summary>
    public static ReadOnlySpan<byte> Get(int statusCode) => statusCode switch
    {
        100 => "Continue"u8,
        200 => "OK"u8,
        201 => "Created"u8,
        202 => "Accepted"u8,
        204 => "No Content"u8,
        206 => "Partial Content"u8,
        301 => "Moved Permanently"u8,
        302 => "Found"u8,
        304 => "Not Modified"u8,
        307 => "Temporary Redirect"u8,
        400 => "Bad Request"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        408 => "Request Timeout"u8,
        409 => "Conflict"u8,
        411 => "Length Required"u8,
        412 => "Precondition Failed"u8,
        413 => "Content Too Large"u8,
        414 => "URI Too Long"u8,
        416 => "Range Not Satisfiable"u8,
        417 => "Expectation Failed"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        501 => "Not Implemented"u8,
        503 => "Service Unavailable"u8,
        505 => "HTTP Version Not Supported"u8,
        _ => default,
    };
}
