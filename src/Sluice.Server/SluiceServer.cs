using System.Net;
using Microsoft.Extensions.Logging;
using Sluice.IO;
using Sluice.S3.Auth;
using Sluice.Server.Auth;
using Sluice.Server.Exchange;
using Sluice.Server.Handlers;
using Sluice.Server.Http;
using Sluice.Server.InProcess;
using Sluice.Server.Kestrel;
using Sluice.Server.Index;
using Sluice.Server.Observability;
using Sluice.Server.Routing;
using Sluice.Server.Service;
using Sluice.Server.Storage;
using Sluice.Server.Storage.Memory;

namespace Sluice.Server;

/// <summary>
/// The embedded S3 server: the I/O engine, the store (<see cref="DiskStorage"/> on
/// <see cref="SluiceServerOptions.DataDirectory"/>, or <see cref="MemoryStorage"/> with
/// <see cref="SluiceServerOptions.InMemory"/>) and the HTTP/1.1 front serving <see cref="S3RequestHandler"/> (and, with
/// <see cref="SluiceServerOptions.ListenHttp2"/>, the Kestrel front serving the same handler over HTTP/2). Start it with
/// <see cref="StartAsync"/>; <see cref="StopAsync"/> lets requests in flight finish, then flushes the indexes and
/// releases the directory.
/// </summary>
public sealed class SluiceServer : IAsyncDisposable
{
    private readonly IoEngine _engine;
    private readonly IObjectStorage _storage;

    /// <summary>The disk store's object store (tests read its open-object cache counters); null for the memory store.</summary>
    internal ObjectStore? Store => (_storage as DiskStorage)?.Store;
    private readonly HttpServer _http;
    private readonly KestrelFront? _kestrel;
    private readonly S3RequestHandler _handler;
    private readonly TimeSpan _grace;
    private ServerTelemetry? _telemetry;
    private PrometheusEndpoint? _metrics;
    private Placement.ShmPlacementProvider? _placement;
    private Lifecycle.LifecycleWorker? _lifecycle;
    private PartitionPolicyWorker? _partitions;

    private static readonly Action<ILogger, Exception?> LifecycleFailed =
        LoggerMessage.Define(LogLevel.Error, new EventId(20, "LifecycleFailed"), "lifecycle pass failed (tried again at the next interval)");

    private static readonly Action<ILogger, Exception?> PartitionPolicyFailed =
        LoggerMessage.Define(LogLevel.Error, new EventId(21, "PartitionPolicyFailed"), "partition policy pass failed (tried again at the next interval)");
    private int _stopped;

    private SluiceServer(IoEngine engine, IObjectStorage storage, S3RequestHandler handler, HttpServer http,
        KestrelFront? kestrel, TimeSpan grace, string credentialsSource, IndexRepair startupRepair, bool tls)
    {
        _handler = handler;
        StartupRepair = startupRepair;
        _engine = engine;
        _storage = storage;
        _http = http;
        _kestrel = kestrel;
        _grace = grace;
        CredentialsSource = credentialsSource;
        Endpoint = new Uri($"{(tls ? "https" : "http")}://{HostFor(http.LocalEndPoint)}:{http.LocalEndPoint.Port}");
    }

    /// <summary>The host clients reach <paramref name="local"/> by: loopback for a wildcard address.</summary>
    internal static string HostFor(IPEndPoint local) =>
        local.Address.Equals(IPAddress.Any) ? "127.0.0.1"
            : local.Address.Equals(IPAddress.IPv6Any) ? "[::1]" : new IPEndPoint(local.Address, 0).ToString()[..^2];

    /// <summary>
    /// The base URL clients use (path-style), e.g. http://127.0.0.1:9000, or https://127.0.0.1:9000 with
    /// <see cref="SluiceServerOptions.TlsCertificate"/>.
    /// </summary>
    public Uri Endpoint { get; }

    /// <summary>
    /// The Kestrel listener's base URL (<see cref="SluiceServerOptions.ListenHttp2"/>; the real port when started on
    /// port 0), e.g. http://127.0.0.1:9443; null when it is not listening. See <see cref="Http2Protocols"/>.
    /// </summary>
    public Uri? Http2Endpoint => _kestrel?.Endpoint;

    /// <summary>What <see cref="Http2Endpoint"/> speaks, e.g. "HTTP/1.1 and HTTP/2 (h2c by prior knowledge)"; null without it.</summary>
    public string? Http2Protocols => _kestrel?.Describe();

    /// <summary>The engine's registered buffers, which request bodies are received into (tests check none is left out).</summary>
    internal Sluice.IO.Buffers.NativeBufferPool Buffers => _engine.Buffers;

    /// <summary>The core every front hands requests to (tests start extra fronts over it).</summary>
    internal IExchangeHandler Handler => _handler;

    /// <summary>
    /// A message handler that takes an <see cref="HttpClient"/>'s requests to this server's core in-process, with no
    /// socket (<see cref="InProcessFront"/>): same signatures, same answers, same store as over <see cref="Endpoint"/>.
    /// Requests must still name a host (the URI's authority, e.g. <see cref="Endpoint"/>), which SigV4 signs.
    /// </summary>
    public HttpMessageHandler CreateInProcessFront() => new InProcessFront(_handler);

    /// <summary>The bound address (the real port when started on port 0).</summary>
    public IPEndPoint LocalEndPoint => _http.LocalEndPoint;

    /// <summary>Where metrics are served (GET /metrics; the real port when started on port 0); null when not served.</summary>
    public IPEndPoint? MetricsEndPoint => _metrics?.EndPoint;

    /// <summary>The shared-memory placement provider's socket (null: placement off).</summary>
    public string? PlacementSocket => _placement?.SocketPath;

    /// <summary>Placement regions registered now (0 with placement off).</summary>
    public int PlacementRegionCount => _placement?.RegionCount ?? 0;

    /// <summary>The lifecycle worker: its background loop runs passes; <see cref="Lifecycle.LifecycleWorker.RunOnceAsync"/>
    /// runs one now (tests, operators).</summary>
    public Lifecycle.LifecycleWorker Lifecycle => _lifecycle!;

    /// <summary>This server's "Sluice.Server" meter (tests tell it from other servers' in the same process).</summary>
    internal System.Diagnostics.Metrics.Meter? Meter => _telemetry?.Meter;

    /// <summary>Where the credentials came from: "options", "environment" or "development defaults".</summary>
    public string CredentialsSource { get; }

    /// <summary>What start-up reconciliation of the key indexes with the store changed (after an unclean stop).</summary>
    public IndexRepair StartupRepair { get; }

    /// <summary>
    /// Buckets whose key index cannot be written now (its file system is full or failing): they serve reads and answer
    /// writes 503 ServiceUnavailable until the index can be written again, which each write tries first.
    /// </summary>
    public IReadOnlyList<(string Bucket, Exception Cause)> ReadOnlyBuckets =>
        (_storage as DiskStorage)?.Indexes.ReadOnlyBuckets() ?? [];

    /// <summary>What stores the objects: "disk DIR" or "memory (limit N bytes)".</summary>
    public string StorageDescription => _storage.Description;

    /// <summary>The memory store's limit in bytes; 0 for the disk store.</summary>
    public long MemoryLimit => (_storage as MemoryStorage)?.Limit ?? 0;

    /// <summary>Body bytes the memory store holds now; 0 for the disk store.</summary>
    public long MemoryUsed => (_storage as MemoryStorage)?.Used ?? 0;

    /// <summary>The I/O engine in use ("uring" or "managed").</summary>
    public string EngineName => _engine.Name;

    /// <summary>Opens the data directory, loads (or rebuilds) every bucket's key index and starts listening.</summary>
    public static async Task<SluiceServer> StartAsync(SluiceServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.InMemory) ArgumentException.ThrowIfNullOrEmpty(options.DataDirectory);
        // Before anything is opened: a certificate without its key is the operator's error, not every client's.
        var tls = options.TlsCertificate is { } certificate ? HttpServerOptions.ForCertificate(certificate) : null;
        var (credentials, source, accessKeys) = ResolveCredentials(options);
        var users = new Access.ServerUsers(options.Users, accessKeys);
        foreach (var user in options.Users ?? [])
            foreach (string key in user.AccessKeys)
                if (!accessKeys.Contains(key)) throw new ArgumentException($"user {user.Name}: access key {key} has no secret in the credentials");
        var engine = IoEngine.Create(new IoEngineOptions { Mode = options.EngineMode, ReactorCount = options.Reactors });
        IObjectStorage? storage = null;
        HttpServer? http = null;
        KestrelFront? kestrel = null;
        AccessLog? accessLog = null;
        ServerTelemetry? telemetry = null;
        Placement.ShmPlacementProvider? placement = null;
        try
        {
            var repair = default(IndexRepair);
            if (options.InMemory)
            {
                storage = new MemoryStorage(options.MemoryLimit);
            }
            else
            {
                var store = await ObjectStore.OpenAsync(engine, options.DataDirectory!, options.OpenObjectCacheSize, cancellationToken).ConfigureAwait(false);
                var indexes = new BucketIndexes(store, options.IndexFaults == null ? null : new KeyIndexOptions { Faults = options.IndexFaults });
                storage = new DiskStorage(store, indexes);
                repair = await indexes.OpenAllAsync(cancellationToken).ConfigureAwait(false);
            }
            var routerOptions = new S3RouterOptions();
            if (options.VirtualHostDomains != null)
            {
                routerOptions.VirtualHostDomains.Clear();
                foreach (var d in options.VirtualHostDomains) routerOptions.VirtualHostDomains.Add(d);
            }
            if (options.AccessLog != null) accessLog = new AccessLog(options.AccessLog);
            telemetry = new ServerTelemetry(accessLog, engine.Buffers);
            var objects = new ObjectService(storage, engine.Buffers);
            options.Partitions.Validate();
            var limits = options.EmulateS3Limits is { } profile
                ? new S3LimitsEmulation(profile.Scaled(options.PartitionRate), options.Partitions.Clock) : null;
            placement = options.Placement switch
            {
                null => null,
                "shm" => Placement.ShmPlacementProvider.Start(options.PlacementSocket ?? SluiceServerOptions.DefaultPlacementSocket, ErrorLogger(options)),
                var other => throw new ArgumentException($"unknown placement provider '{other}' (known: shm)"),
            };
            // Unsigned requests pass authentication as the anonymous principal: the authorization stage judges them.
            var handler = new S3RequestHandler(objects, new S3Router(routerOptions),
                new RequestAuthenticator(credentials, options.Region, allowAnonymous: true), options.Region)
            {
                Users = users,
                AnonymousFullAccess = options.AnonymousFullAccess,
                Telemetry = telemetry,
                Keys = new Service.Encryption.SseKeyring(options.InMemory ? null : options.DataDirectory, options.KmsKeys),
                LifecycleDay = options.LifecycleDay,
                Limits = limits,
                Placement = placement,
                SingleUser = options.Users is not { Count: > 0 },
            };
            // The bucket-policy hook: the handler's own policy cache (Put/DeleteBucketPolicy), unless a test gives one.
            handler.CreateAccessCache(options.BucketPolicies ?? handler.BucketPolicies);
            await handler.LoadExpirationRulesAsync().ConfigureAwait(false);
            var frontOptions = new HttpServerOptions { Logger = ErrorLogger(options), Tls = tls, HandshakeTimeout = options.TlsHandshakeTimeout };
            http = HttpServer.Start(engine, options.Listen, handler, frontOptions);
            var front = http;
            telemetry.AddConnections("http1", () => front.ActiveConnections);
            if (options.ListenHttp2 is { } h2)
            {
                kestrel = await KestrelFront.StartAsync(h2, handler, options.TlsCertificate, frontOptions, cancellationToken).ConfigureAwait(false);
                var second = kestrel;
                telemetry.AddConnections("kestrel", () => second.ActiveConnections);
            }
            var metrics = options.MetricsListen is { } metricsListen ? PrometheusEndpoint.Start(metricsListen, telemetry.Meter) : null;
            var interval = options.LifecycleInterval
                ?? (options.LifecycleDay < TimeSpan.FromDays(1) ? options.LifecycleDay / 4 : TimeSpan.FromHours(1));
            var errors = ErrorLogger(options);
            var lifecycle = new Lifecycle.LifecycleWorker(objects, options.LifecycleDay, interval, options.LifecycleClock,
                e => { if (errors != null) LifecycleFailed(errors, e); });
            lifecycle.Start();
            var partitionPolicy = new PartitionPolicy(options.Partitions, limits?.Budget ?? S3LimitsProfile.Aws);
            var partitions = new PartitionPolicyWorker(storage, partitionPolicy, options.Partitions.Interval,
                e => { if (errors != null) PartitionPolicyFailed(errors, e); });
            return new SluiceServer(engine, storage, handler, http, kestrel, options.ShutdownGrace, source, repair, tls != null)
            {
                _telemetry = telemetry,
                _metrics = metrics,
                _placement = placement,
                _lifecycle = lifecycle,
                _partitions = partitions,
            };
        }
        catch
        {
            if (http != null) await http.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            if (kestrel != null) await kestrel.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            if (accessLog != null) await accessLog.DisposeAsync().ConfigureAwait(false);
            telemetry?.Dispose();
            if (placement != null) await placement.DisposeAsync().ConfigureAwait(false);
            if (storage != null) await storage.DisposeAsync().ConfigureAwait(false);
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The caller's logger factory's "Sluice.Server" logger and/or the <see cref="SluiceServerOptions.ErrorLog"/> writer's.</summary>
    private static ILogger? ErrorLogger(SluiceServerOptions options)
    {
        var factory = options.LoggerFactory?.CreateLogger(ServerTelemetry.Name);
        var writer = options.ErrorLog is { } log ? new TextWriterErrorLogger(log) : null;
        return factory != null && writer != null ? new TeeLogger(factory, writer) : factory ?? (ILogger?)writer;
    }

    private static (SigV4CredentialStore, string, HashSet<string>) ResolveCredentials(SluiceServerOptions options)
    {
        var store = new SigV4CredentialStore();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string source;
        if (options.Credentials is { Count: > 0 } given)
        {
            foreach (var (key, secret) in given)
            {
                store.Add(new SigV4Credential(key, secret, options.SessionTokens?.GetValueOrDefault(key)));
                keys.Add(key);
            }
            source = "options";
        }
        else if (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 } envKey
            && Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } envSecret)
        {
            store.Add(new SigV4Credential(envKey, envSecret));
            keys.Add(envKey);
            source = "environment";
        }
        else
        {
            store.Add(new SigV4Credential(SluiceServerOptions.DevAccessKey, SluiceServerOptions.DevSecretKey));
            keys.Add(SluiceServerOptions.DevAccessKey);
            source = "development defaults";
        }
        return (store, source, keys);
    }

    /// <summary>
    /// A bucket's key-index partition map: ordered key ranges with key counts and read/write counters — what an
    /// operator or a request-rate split policy reads. NoSuchBucket as <see cref="Storage.S3StorageException"/>.
    /// </summary>
    public async ValueTask<IReadOnlyList<PartitionInfo>> GetPartitionMapAsync(string bucket, CancellationToken cancellationToken = default) =>
        (await _storage.GetKeyIndexAsync(bucket, cancellationToken).ConfigureAwait(false)).GetPartitionMap();

    /// <summary>The bucket's key index (tests change its partition map directly).</summary>
    internal ValueTask<BucketIndex> GetKeyIndexAsync(string bucket) => _storage.GetKeyIndexAsync(bucket);

    /// <summary>One pass of the background partition policy now (heat splits, cold merges), for every open bucket index.</summary>
    public Task RunPartitionPolicyAsync(CancellationToken cancellationToken = default) => _partitions!.RunOnceAsync(cancellationToken);

    /// <summary>The S3 limits emulation's per-partition budget; null when the emulation is off.</summary>
    public S3LimitsProfile? PartitionBudget => _handler.Limits?.Budget;

    /// <summary>Splits the partition holding <paramref name="key"/> at its middle key (the request-rate hook); false
    /// when it holds fewer than two keys.</summary>
    public async ValueTask<bool> SplitPartitionAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        (await _storage.GetKeyIndexAsync(bucket, cancellationToken).ConfigureAwait(false)).TrySplitPartition(System.Text.Encoding.UTF8.GetBytes(key));

    /// <summary>Stops accepting, lets requests in flight finish (up to the grace period), then closes everything.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        // The lifecycle loop first: a pass in progress ends before the store it deletes from closes.
        if (_lifecycle != null) await _lifecycle.DisposeAsync().ConfigureAwait(false);
        if (_partitions != null) await _partitions.DisposeAsync().ConfigureAwait(false);
        // Both fronts drain at once; each returns when its connections have ended (aborted past the grace period).
        await Task.WhenAll(_http.StopAsync(_grace), _kestrel?.StopAsync(_grace) ?? Task.CompletedTask).ConfigureAwait(false);
        // Every connection has ended (those past the grace period were aborted), so no request commits after the
        // indexes close; should one still be counted, the next start must reconcile, so the stop is not marked clean.
        bool drained = _http.ActiveConnections == 0 && (_kestrel?.ActiveConnections ?? 0) == 0;
        // No request is left to log or count: the access log's queue is written out, then metrics stop being served.
        if (_telemetry?.AccessLog is { } accessLog) await accessLog.DisposeAsync().ConfigureAwait(false);
        _metrics?.Dispose();
        if (_placement != null) await _placement.DisposeAsync().ConfigureAwait(false);
        _telemetry?.Dispose();
        if (_storage is DiskStorage disk) await disk.CloseAsync(cleanStop: drained).ConfigureAwait(false);
        else await _storage.DisposeAsync().ConfigureAwait(false);
        await _engine.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
