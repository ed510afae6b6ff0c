using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Sluice.Server;

/// <summary>How <see cref="SluiceServer.StartAsync"/> starts the embedded S3 server.</summary>
public sealed class SluiceServerOptions
{
    /// <summary>Access key of the development pair used when no credentials are configured anywhere.</summary>
    public const string DevAccessKey = "sluice";

    /// <summary>Secret key of the development pair (documented, local use only).</summary>
    public const string DevSecretKey = "sluice-dev-secret";

    /// <summary>Where buckets, objects and key indexes live (created if missing). Unused (may be null) with <see cref="InMemory"/>.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// Keep everything in memory instead (the memory store: full S3 semantics, no disk, nothing survives a stop),
    /// bounded by <see cref="MemoryLimit"/>. For test suites and throwaway development servers.
    /// </summary>
    public bool InMemory { get; init; }

    /// <summary>
    /// With <see cref="InMemory"/>: the most object and part bytes the store holds (default 1 GiB). A write that would
    /// pass it is refused with 507 XSluiceStorageFull and stores nothing.
    /// </summary>
    public long MemoryLimit { get; init; } = DefaultMemoryLimit;

    /// <summary>The memory store's limit when none is given: 1 GiB.</summary>
    public const long DefaultMemoryLimit = 1L << 30;

    /// <summary>Listen address; port 0 picks a free port (see <see cref="SluiceServer.Endpoint"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 9000);

    /// <summary>
    /// Access key → secret key. Null: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment when both are
    /// set, else the development pair <see cref="DevAccessKey"/> / <see cref="DevSecretKey"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Credentials { get; init; }

    /// <summary>
    /// Access key → the session token its requests must carry (signed, as x-amz-security-token), for keys of
    /// <see cref="Credentials"/> that stand for temporary credentials; a request without it, or with another, is
    /// refused (MissingSecurityHeader / InvalidToken). Keys not listed accept any signed token, as before.
    /// </summary>
    public IReadOnlyDictionary<string, string>? SessionTokens { get; init; }

    /// <summary>The region requests are signed for and GetBucketLocation reports.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Reactor threads; 0 = the engine's default.</summary>
    public int Reactors { get; init; }

    /// <summary>
    /// The users (<c>sluice serve --credentials</c> lines naming one): distinct principals and bucket owners, each
    /// signing with the <see cref="Credentials"/> keys its <see cref="Access.ServerUser.AccessKeys"/> names. The first
    /// owns buckets created before owners were recorded. Keys no user names — and all keys when this is null — act as
    /// <see cref="Access.ServerUser.Default"/>. Unsigned requests are always the anonymous principal, allowed only what
    /// an ACL (or a bucket policy) grants everyone.
    /// </summary>
    public IReadOnlyList<Access.ServerUser>? Users { get; init; }

    /// <summary>
    /// Development only, wide open: unsigned requests act as the first user with every right on every bucket
    /// (<c>sluice serve --anonymous-full-access</c>), instead of as the anonymous principal. Never on a shared network.
    /// </summary>
    public bool AnonymousFullAccess { get; init; }

    /// <summary>I/O engine: "uring", "managed", or null for the best available.</summary>
    public string? EngineMode { get; init; }

    /// <summary>Domains for virtual-hosted-style addressing (Host: bucket.domain); default "localhost".</summary>
    public IReadOnlyList<string>? VirtualHostDomains { get; init; }

    /// <summary>
    /// Small objects (≤ 1 MiB) kept open, with their parsed headers, for GET and HEAD of hot keys; 0 turns the cache
    /// off. Writes and deletes drop a key's entry before they return, so it never serves an older version.
    /// </summary>
    public int OpenObjectCacheSize { get; init; } = 1024;

    /// <summary>
    /// Where server-side failures are written, one line each: 5xx answers and exceptions that broke a request (time,
    /// request id, method, path, code, cause). `sluice serve` writes them to stderr; null (the default): nowhere.
    /// </summary>
    public TextWriter? ErrorLog { get; init; }

    /// <summary>
    /// Where the server logs (category "Sluice.Server"): server-side failures as LogLevel.Error, event 1
    /// "ServerError", with fields Status, Code, Method, Path, RequestId, Detail and the exception; accept-pressure
    /// warnings as event 2 "AcceptPaused". Logged in addition to <see cref="ErrorLog"/> when both are set. Null: none.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// The server certificate with its private key (e.g. <c>X509Certificate2.CreateFromPemFile(cert, key)</c>): every
    /// listener then serves TLS only. Null (the default): cleartext.
    /// </summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>With <see cref="TlsCertificate"/>: how long a connection may take to finish its TLS handshake, on every
    /// listener, before it is closed (a client that connects and sends nothing holds no slot for longer).</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A second listener, served by Kestrel: HTTP/1.1 and HTTP/2 (h2c by prior knowledge in cleartext, negotiated by
    /// ALPN with <see cref="TlsCertificate"/>). Null (the default): none.
    /// </summary>
    public IPEndPoint? ListenHttp2 { get; init; }

    /// <summary>
    /// Where the access log goes, one line per request (time, request id, principal, operation, bucket, key, status,
    /// body bytes sent and received, latency; docs/server.md, "Observability"). Lines are queued and written by one
    /// task, which flushes whenever the queue runs empty: the writer needs no AutoFlush. A writer that falls
    /// 8192 lines behind loses lines (counted, and noted in the log). The server never closes the writer. Null (the
    /// default): nowhere.
    /// </summary>
    public TextWriter? AccessLog { get; init; }

    /// <summary>
    /// Where the server's metrics (the "Sluice.Server" meter) are served in Prometheus text format: GET /metrics.
    /// Port 0 picks a free port (<see cref="SluiceServer.MetricsEndPoint"/>). Null (the default): not served; the
    /// meter still reports to any in-process listener (MeterListener, an OpenTelemetry MeterProvider).
    /// </summary>
    public IPEndPoint? MetricsListen { get; init; }

    /// <summary>How long <see cref="SluiceServer.StopAsync"/> lets requests in flight finish.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a lifecycle "day" is: one day (S3's), or shorter to rehearse rules (`sluice serve --lifecycle-day
    /// SECONDS`): an Expiration of 3 days with a 2-second day expires objects 6 seconds after they are written.
    /// </summary>
    public TimeSpan LifecycleDay { get; init; } = TimeSpan.FromDays(1);

    /// <summary>SSE-KMS keys (<c>sluice serve --kms-keys FILE</c>, read by
    /// <see cref="Service.Encryption.SseKeyring.ReadKmsKeyFile"/>); null or empty: SSE-KMS requests answer 501.</summary>
    public IReadOnlyList<Service.Encryption.KmsKey>? KmsKeys { get; init; }

    /// <summary>Time between lifecycle passes; null: an hour, or a quarter of a shortened day.</summary>
    public TimeSpan? LifecycleInterval { get; init; }

    /// <summary>The clock lifecycle rules are judged by (tests move it); null: the system clock.</summary>
    public TimeProvider? LifecycleClock { get; init; }

    /// <summary>
    /// The S3 limits emulation: each key-range partition takes at most this profile's requests per second (times
    /// <see cref="PartitionRate"/>); the rest get 503 SlowDown with x-amz-retry-after. Null (the default): off.
    /// </summary>
    public Index.S3LimitsProfile? EmulateS3Limits { get; init; }

    /// <summary>Scales <see cref="EmulateS3Limits"/>' budget (0.01: a hundredth of AWS's rates, for a small machine).</summary>
    public double PartitionRate { get; init; } = 1;

    /// <summary>The background partition policy (heat splits, cold merges) and its clock.</summary>
    public Index.PartitionPolicySettings Partitions { get; init; } = new();

    /// <summary>Where bucket policies come from (the authorization stage's <see cref="Access.IBucketPolicySource"/> hook);
    /// null: no bucket has a policy. Tests give one; the policy engine plugs in here.</summary>
    internal Access.IBucketPolicySource? BucketPolicies { get; init; }

    /// <summary>
    /// Direct placement (S3 over RDMA's protocol, docs/placement.md): "shm" serves tokens of same-host clients that
    /// registered shared memory on <see cref="PlacementSocket"/>; null (the default): off, tokens declined.
    /// </summary>
    public string? Placement { get; init; }

    /// <summary>The Unix socket clients register shared memory on; null: <see cref="DefaultPlacementSocket"/>.</summary>
    public string? PlacementSocket { get; init; }

    /// <summary>The placement socket both the server and the client use unless told otherwise.</summary>
    public static string DefaultPlacementSocket => Path.Combine(Path.GetTempPath(), "sluice-placement.sock");

    /// <summary>Injected failures of every bucket's key-index writes (tests).</summary>
    internal Index.IndexFaults? IndexFaults { get; init; }
}
