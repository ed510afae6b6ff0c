namespace Sluice.S3.Http;

/// <summary>Classification of a Transfer-Encoding value (RFC 9112 §6.1).</summary>
public enum TransferEncodingKind : byte
{
    /// <summary>Empty or malformed list, or chunked applied twice.</summary>
    Invalid = 0,
    /// <summary>Exactly "chunked": the only coding S3 endpoints use.</summary>
    Chunked,
    /// <summary>Other codings followed by a final chunked (e.g. "gzip, chunked"): framed, but not supported here.</summary>
    ChunkedAfterOtherCodings,
    /// <summary>chunked is absent or not last: a request so framed must be rejected; a response runs to connection close.</summary>
    NotChunked,
}
