namespace Sluice.S3.Auth;

/// <summary>What <c>x-amz-content-sha256</c> declared about the body.</summary>
public enum SigV4PayloadMode
{
    /// <summary>A hex SHA-256 of the whole body; the server checks the body against it after reading.</summary>
    Sha256 = 0,

    /// <summary><c>UNSIGNED-PAYLOAD</c> (also every presigned URL).</summary>
    UnsignedPayload,

    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>: aws-chunked with chained chunk signatures.</summary>
    StreamingSigned,

    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>: signed chunks plus a signed trailer.</summary>
    StreamingSignedTrailer,

    /// <summary><c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>: aws-chunked without signatures, trailer (checksum) after.</summary>
    StreamingUnsignedTrailer,
}
