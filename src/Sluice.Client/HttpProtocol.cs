namespace Sluice.Client;

/// <summary>Which HTTP version an <see cref="S3Client"/> speaks (<see cref="S3ClientOptions.Protocol"/>).</summary>
public enum HttpProtocol
{
    /// <summary>HTTP/1.1 over the client's own connection pool (the default: the fastest for bulk data today).</summary>
    Http11,

    /// <summary>
    /// HTTP/2 only: h2c with prior knowledge on http:// endpoints, h2 negotiated by ALPN on https:// ones. A server
    /// that does not speak it fails the request (there is no silent fall back to HTTP/1.1).
    /// </summary>
    Http2,

    /// <summary>HTTP/2 where TLS ALPN offers it (decided once per host), HTTP/1.1 otherwise and on http:// endpoints.</summary>
    Auto,
}
