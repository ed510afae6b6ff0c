namespace Sluice.S3.Http;

/// <summary>Why an <see cref="HttpHeadWriter"/> call wrote nothing.</summary>
public enum HttpWriteError : byte
{
    None = 0,
    /// <summary>The destination is too small; nothing of the failed element was written.</summary>
    DestinationTooSmall,
    /// <summary>The method is not a token.</summary>
    InvalidMethod,
    /// <summary>The target is empty, has bytes outside visible ASCII, or is not origin/absolute/asterisk form.</summary>
    InvalidTarget,
    /// <summary>Status code outside 100..999.</summary>
    InvalidStatusCode,
    /// <summary>A field name that is not a token.</summary>
    InvalidHeaderName,
    /// <summary>A value with CR, LF or another control character (header injection), surrounding whitespace,
    /// or a negative number.</summary>
    InvalidHeaderValue,
}
