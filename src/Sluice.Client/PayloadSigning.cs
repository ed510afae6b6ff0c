namespace Sluice.Client;

/// <summary>
/// How object uploads (PutObject, UploadPart) send and sign their bodies: the value of <c>x-amz-content-sha256</c>
/// and, for the streaming modes, the aws-chunked framing with <c>Content-Encoding: aws-chunked</c>,
/// <c>x-amz-decoded-content-length</c> and, with a trailer, a checksum computed while the body is sent
/// (<c>x-amz-trailer</c>). Requests other than object uploads are not affected.
/// </summary>
public enum PayloadSigning
{
    /// <summary><c>UNSIGNED-PAYLOAD</c>: the body is not covered by the signature (TLS protects it); a checksum
    /// (if asked for) is computed before sending, so a seekable stream is read twice.</summary>
    UnsignedPayload,

    /// <summary>The body's SHA-256 in <c>x-amz-content-sha256</c>: memory is hashed before sending; a stream must
    /// seek (it is read once to hash it and once to send it).</summary>
    SignedBody,

    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>: aws-chunked, each 64 KiB chunk signed, chained from the
    /// request's signature; a checksum (if asked for) is computed before sending, as with <see cref="UnsignedPayload"/>.</summary>
    StreamingSigned,

    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>: signed chunks and a signed trailer carrying the
    /// checksum computed while sending (the body is read once).</summary>
    StreamingSignedTrailer,

    /// <summary><c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>: aws-chunked without chunk signatures, the checksum computed
    /// while sending in the trailer (the body is read once) — what the AWS SDKs send over TLS since 2025.</summary>
    StreamingUnsignedTrailer,
}
