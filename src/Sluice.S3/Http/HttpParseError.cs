namespace Sluice.S3.Http;

/// <summary>Why a head (or its framing headers) was rejected. Servers answer all of these with 400,
/// except the *TooLong/TooLarge/TooMany ones (431 or 414) and <see cref="UnsupportedVersion"/> (505).</summary>
public enum HttpParseError : byte
{
    None = 0,
    /// <summary>The request line exceeds <see cref="HttpLimits.MaxRequestLineLength"/> (414).</summary>
    RequestLineTooLong,
    /// <summary>A header line (or the status line) exceeds <see cref="HttpLimits.MaxHeaderLineLength"/> (431).</summary>
    HeaderLineTooLong,
    /// <summary>The whole head exceeds <see cref="HttpLimits.MaxHeadBytes"/> (431).</summary>
    HeadTooLarge,
    /// <summary>More than <see cref="HttpLimits.MaxHeaderCount"/> header fields (431).</summary>
    TooManyHeaders,
    /// <summary>The request line does not have the shape "method SP target SP version".</summary>
    InvalidRequestLine,
    /// <summary>The method is empty or not a token.</summary>
    InvalidMethod,
    /// <summary>The target is not origin-form, absolute-form or "*" (for OPTIONS), or has bytes outside visible ASCII.</summary>
    InvalidRequestTarget,
    /// <summary>The version is not "HTTP/" DIGIT "." DIGIT.</summary>
    InvalidVersion,
    /// <summary>A well-formed version other than 1.0 or 1.1 (505).</summary>
    UnsupportedVersion,
    /// <summary>A field name is empty, not a token, or followed by whitespace before the colon.</summary>
    InvalidHeaderName,
    /// <summary>A field value holds a control character other than HTAB.</summary>
    InvalidHeaderValue,
    /// <summary>A bare LF or a bare CR: only CRLF ends a line (request smuggling defence).</summary>
    InvalidLineEnding,
    /// <summary>A header line starts with whitespace (obs-fold, RFC 9112 §5.2).</summary>
    ObsoleteLineFolding,
    /// <summary>The status line does not have the shape "version SP 3DIGIT [SP reason]".</summary>
    InvalidStatusLine,
    /// <summary>The status code is not three digits in 100..999.</summary>
    InvalidStatusCode,
    /// <summary>Content-Length is not plain digits, overflows, or appears more than once.</summary>
    InvalidContentLength,
    /// <summary>Transfer-Encoding is malformed, repeated, or does not end in chunked.</summary>
    InvalidTransferEncoding,
    /// <summary>Transfer-Encoding applies a coding besides chunked (501).</summary>
    UnsupportedTransferEncoding,
    /// <summary>Both Content-Length and Transfer-Encoding: the classic smuggling vector.</summary>
    ConflictingFraming,
    /// <summary>An HTTP/1.1 request without exactly one Host field (RFC 9112 §3.2).</summary>
    InvalidHost,
}
