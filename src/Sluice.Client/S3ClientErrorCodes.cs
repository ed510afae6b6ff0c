namespace Sluice.Client;

/// <summary>Codes of <see cref="S3Exception"/> for failures that happen below S3 (no error body to read).</summary>
public static class S3ClientErrorCodes
{
    /// <summary>The connection could not be opened (refused, unreachable, DNS).</summary>
    public const string ConnectFailed = nameof(ConnectFailed);

    /// <summary>A placed answer (x-amz-rdma-reply) that does not account for the bytes asked: never taken as success.</summary>
    public const string PlacementFailed = nameof(PlacementFailed);

    /// <summary>The connection was opened but not within the connect timeout.</summary>
    public const string ConnectTimeout = nameof(ConnectTimeout);

    /// <summary>No response byte arrived within the first-byte timeout.</summary>
    public const string FirstByteTimeout = nameof(FirstByteTimeout);

    /// <summary>The connection moved fewer bytes than the stall threshold for the stall window.</summary>
    public const string Stalled = nameof(Stalled);

    /// <summary>The peer reset or closed the connection mid-request.</summary>
    public const string ConnectionReset = nameof(ConnectionReset);

    /// <summary>The response body ended before its declared length (never returned as success).</summary>
    public const string TruncatedBody = nameof(TruncatedBody);

    /// <summary>The response could not be parsed as HTTP/1.1.</summary>
    public const string MalformedResponse = nameof(MalformedResponse);

    /// <summary>The TLS handshake failed (certificate not trusted, name mismatch, protocol).</summary>
    public const string TlsFailed = nameof(TlsFailed);

    /// <summary>The object (or range) is larger than the destination buffer.</summary>
    public const string DestinationTooSmall = nameof(DestinationTooSmall);

    /// <summary>A 304 Not Modified answer to If-None-Match / If-Modified-Since.</summary>
    public const string NotModified = nameof(NotModified);

    /// <summary>A 404 to a HEAD request (no body says which): HeadObject.</summary>
    public const string NotFound = nameof(NotFound);

    /// <summary>A response checksum did not match the bytes received.</summary>
    public const string ChecksumMismatch = nameof(ChecksumMismatch);

    /// <summary>The server did not agree to HTTP/2 (<see cref="HttpProtocol.Http2"/>: no h2 in ALPN, or no h2c answer).</summary>
    public const string Http2Refused = nameof(Http2Refused);
}
