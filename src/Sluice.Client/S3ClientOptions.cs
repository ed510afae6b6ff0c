using Sluice.Client.Credentials;
using Sluice.Client.Retry;

namespace Sluice.Client;

/// <summary>
/// Everything an <see cref="S3Client"/> needs: where, who, and how patient to be. Build one by hand, or let
/// <see cref="Config.AwsConfigLoader"/> fill it the AWS way (environment, ~/.aws/credentials, ~/.aws/config).
/// </summary>
public sealed record S3ClientOptions
{
    /// <summary>Default wait for a TCP (and TLS) connection.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Default wait from the end of the request to the first response byte.</summary>
    public static readonly TimeSpan DefaultFirstByteTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Default stall window: a connection moving less than <see cref="StallMinBytesPerSecond"/> for this long is dropped.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Idle pooled connections older than this are closed instead of reused (servers close at ~60 s).</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The service endpoint, e.g. https://s3.us-east-1.amazonaws.com or http://127.0.0.1:9000.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The SigV4 signing region.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>A long-term (or fixed temporary) key; with <see cref="SecretAccessKey"/>, unless <see cref="CredentialsProvider"/> is set.</summary>
    public string? AccessKeyId { get; init; }

    public string? SecretAccessKey { get; init; }

    /// <summary>For fixed temporary credentials (x-amz-security-token).</summary>
    public string? SessionToken { get; init; }

    /// <summary>
    /// Where credentials come from when they are not fixed keys (an assumed role, SSO, a container or instance
    /// endpoint, credential_process): the client asks it before each request, through a
    /// <see cref="RefreshingCredentialsProvider"/> (this one, or one the client wraps around it and
    /// disposes), so credentials are refreshed before they expire, also during long transfers. Takes precedence over
    /// <see cref="AccessKeyId"/> / <see cref="SecretAccessKey"/>.
    /// </summary>
    public IAwsCredentialsProvider? CredentialsProvider { get; init; }

    /// <summary>Path-style addressing (/bucket/key) when true, virtual-hosted (bucket.host) when false; null picks
    /// path style for IP-address and localhost endpoints and virtual-hosted style otherwise.</summary>
    public bool? ForcePathStyle { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    public TimeSpan FirstByteTimeout { get; init; } = DefaultFirstByteTimeout;

    /// <summary>The stall window (see <see cref="StallMinBytesPerSecond"/>).</summary>
    public TimeSpan StallTimeout { get; init; } = DefaultStallTimeout;

    /// <summary>Minimum average rate over the stall window, in bytes per second, in either direction.</summary>
    public double StallMinBytesPerSecond { get; init; } = 1;

    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>Most connections open at once per host; more concurrent requests wait for one.</summary>
    public int MaxConnectionsPerHost { get; init; } = 256;

    /// <summary>Retry behaviour (attempts, backoff, budget).</summary>
    public RetryOptions Retry { get; init; } = new();

    /// <summary>
    /// Bytes per second over all of this client's connections, both directions (the bytes of request and response
    /// bodies and heads as they cross the socket); null: unlimited. Give several clients the same limiter to share one
    /// limit.
    /// </summary>
    public TokenBucketLimiter? BandwidthLimit { get; init; }

    /// <summary>Requests per second over all of this client's requests, every attempt counted (retries too); null: unlimited.</summary>
    public TokenBucketLimiter? RequestRateLimit { get; init; }

    /// <summary>For https: a PEM file of CA certificates to trust in addition to (not instead of) the system store.</summary>
    public string? CaBundlePath { get; init; }

    /// <summary>For https: accept any server certificate. Tests only.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>
    /// The HTTP version spoken (default <see cref="HttpProtocol.Http11"/>): <see cref="HttpProtocol.Http2"/> is h2c
    /// with prior knowledge on http:// and h2 by ALPN on https://, through .NET's HTTP/2 implementation over the
    /// client's own engine connections; <see cref="HttpProtocol.Auto"/> takes h2 where the TLS handshake offers it.
    /// </summary>
    public HttpProtocol Protocol { get; init; } = HttpProtocol.Http11;

    /// <summary>Sign the SHA-256 of bodies sent from memory (otherwise UNSIGNED-PAYLOAD, as over TLS SDKs do).
    /// For object uploads <see cref="PayloadSigning"/>, when set, decides instead.</summary>
    public bool SignPayload { get; init; }

    /// <summary>
    /// How PutObject and UploadPart send their bodies (docs/client.md, "Payload modes"); null: as
    /// <see cref="SignPayload"/> says (UNSIGNED-PAYLOAD, or the SHA-256 of a body in memory).
    /// </summary>
    public PayloadSigning? PayloadSigning { get; init; }

    /// <summary>The checksum a trailer mode sends when the request names none (S3 needs one in the trailer; the
    /// AWS SDKs' default is CRC32).</summary>
    public Sluice.S3.Checksums.ChecksumAlgorithm TrailerChecksum { get; init; } = Sluice.S3.Checksums.ChecksumAlgorithm.Crc32;

    /// <summary>
    /// Direct placement (S3 over RDMA's protocol with the same-host shared-memory provider, docs/placement.md): Http
    /// (the default) never asks; Shm registers a shared-memory region with the server and fails if it cannot; Auto
    /// registers when the server offers it and uses HTTP otherwise. Declined requests go over HTTP either way.
    /// </summary>
    public PlacementMode Placement { get; init; } = PlacementMode.Http;

    /// <summary>The server's placement socket; null: the default both sides use (the temp directory's sluice-placement.sock).</summary>
    public string? PlacementSocket { get; init; }

    /// <summary>Size of the shared-memory region registered for placement (buffers are carved from it): 256 MiB.</summary>
    public long PlacementRegionBytes { get; init; } = 256L << 20;

    /// <summary>Where the options came from (for diagnostics), e.g. "env", "profile default".</summary>
    public string? Source { get; init; }
}
