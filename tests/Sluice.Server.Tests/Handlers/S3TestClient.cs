using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Auth;
using Sluice.Server.Http;
using Sluice.Server.Index;
using Sluice.Server.Kestrel;
using Sluice.Server.Tests.Kestrel;

namespace Sluice.Server.Tests.Handlers;

/// <summary>A response as the tests look at it: status, headers (lower-case names) and the body bytes.</summary>
internal sealed record S3Response(int Status, Dictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;

    /// <summary>The S3 error code of an XML error body.</summary>
    public string? ErrorCode => System.Text.RegularExpressions.Regex.Match(Text, "<Code>([^<]*)</Code>") is { Success: true } m
        ? m.Groups[1].Value : null;
}

/// <summary>
/// Sends requests signed with Sluice's SigV4 signer over HttpClient — through a socket (SocketsHttpHandler, HTTP/1.1,
/// or HTTP/2 only when given <see cref="HttpVersion.Version20"/>), or in-process through the server's
/// <see cref="SluiceServer.CreateInProcessFront"/> when given that handler: the
/// signer adds x-amz-date, x-amz-content-sha256 and Authorization; the signed headers are exactly the ones given
/// plus host.
/// </summary>
internal sealed class S3TestClient : IDisposable
{
    public const string Region = "us-east-1";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _accessKey, _secret;
    private readonly Version _version;

    public S3TestClient(Uri endpoint, string accessKey, string secret, HttpMessageHandler? front = null, Version? version = null)
    {
        _http = new HttpClient(front ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        _version = version ?? HttpVersion.Version11;
        _endpoint = endpoint;
        _accessKey = accessKey;
        _secret = secret;
    }

    /// <summary>Percent-encodes a key for a path (RFC 3986 unreserved kept, '/' kept).</summary>
    public static string EncodeKey(string key) => string.Join("/", key.Split('/').Select(Uri.EscapeDataString));

    public Task<S3Response> SendAsync(string method, string path, string? query = null, byte[]? body = null,
        IEnumerable<(string Name, string Value)>? headers = null, bool sign = true, bool unsignedPayload = false,
        string? secret = null, string? accessKey = null, string? payloadHash = null,
        Func<SigV4SigningResult, byte[]>? bodyFromSeed = null)
    {
        body ??= [];
        var list = new SigV4HeaderList();
        list.Add("Host", $"{_endpoint.Host}:{_endpoint.Port}");
        foreach (var (n, v) in headers ?? []) list.Add(n, v);
        if (sign)
        {
            payloadHash ??= unsignedPayload ? "UNSIGNED-PAYLOAD" : Convert.ToHexStringLower(SHA256.HashData(body));
            var seed = new SigV4Signer(accessKey ?? _accessKey, secret ?? _secret, Region)
                .SignHeaders(list, method, path, query, payloadHash, DateTimeOffset.UtcNow);
            if (bodyFromSeed != null) body = bodyFromSeed(seed);
        }
        return SendRawAsync(method, path, query, body, list);
    }

    private async Task<S3Response> SendRawAsync(string method, string path, string? query, byte[] body, SigV4HeaderList list)
    {
        var uri = new Uri($"{_endpoint.Scheme}://{_endpoint.Host}:{_endpoint.Port}{path}{(query != null ? "?" + query : "")}");
        using var request = new HttpRequestMessage(new HttpMethod(method), uri)
        {
            Version = _version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact, // h2c by prior knowledge; never a silent downgrade
        };
        if (body.Length > 0 || method is "PUT" or "POST") request.Content = new ByteArrayContent(body);
        for (int i = 0; i < list.Count; i++)
        {
            string name = list.GetNameString(i), value = list.GetValueString(i);
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        using var response = await _http.SendAsync(request);
        Assert.Equal(_version, response.Version);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in response.Headers.Concat(response.Content.Headers))
            headers[h.Key.ToLowerInvariant()] = string.Join(",", h.Value);
        return new S3Response((int)response.StatusCode, headers, bytes);
    }

    public Task<S3Response> PutObjectAsync(string bucket, string key, byte[] body, params (string, string)[] headers) =>
        SendAsync("PUT", $"/{bucket}/{EncodeKey(key)}", body: body, headers: headers);

    public Task<S3Response> GetObjectAsync(string bucket, string key, params (string, string)[] headers) =>
        SendAsync("GET", $"/{bucket}/{EncodeKey(key)}", headers: headers);

    public static byte[] Md5(byte[] body)
    {
        using var digest = new Sluice.S3.Checksums.Md5Digest();
        digest.Append(body);
        var hash = new byte[16];
        digest.GetHashAndReset(hash);
        return hash;
    }

    public static string Md5Base64(byte[] body) => Convert.ToBase64String(Md5(body));

    public static string Md5ETag(byte[] body) => "\"" + Convert.ToHexStringLower(Md5(body)) + "\"";

    public static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// The fronts a handler test runs through — HTTP/1.1 on each engine, in-process (no socket), and Kestrel: HTTP/1.1 and
/// h2c (the server's own <see cref="SluiceServerOptions.ListenHttp2"/> listener) and HTTP/2 over TLS (ALPN, a test CA)
/// — times the stores behind them: disk, and memory (a front name with <see cref="MemorySuffix"/>).
/// </summary>
internal static class Fronts
{
    /// <summary>Appended to a front's name: its server runs the memory store.</summary>
    public const string MemorySuffix = "/memory";

    public const string InProcess = "inprocess";
    public const string KestrelHttp1 = "kestrel-h1";
    public const string KestrelH2c = "kestrel-h2c";
    public const string KestrelTls = "kestrel-tls";

    private static readonly string[] Names = ["uring", "managed", InProcess, KestrelHttp1, KestrelH2c, KestrelTls];

    /// <summary>Every front × every store: the same assertions for all.</summary>
    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string front in Names) data.Add(front);
            foreach (string front in Names) data.Add(front + MemorySuffix);
            return data;
        }
    }

    /// <summary>Every front on the disk store: tests that restart the server or look at its files.</summary>
    public static TheoryData<string> OnDisk => new(Names);

    /// <summary>The front without the store suffix.</summary>
    public static string FrontOf(string front) =>
        front.EndsWith(MemorySuffix, StringComparison.Ordinal) ? front[..^MemorySuffix.Length] : front;

    public static bool InMemory(string? front) => front != null && front.EndsWith(MemorySuffix, StringComparison.Ordinal);

    /// <summary>The engine a front's server runs on (null: the best available).</summary>
    public static string? Engine(string? front) => front == null ? null : FrontOf(front) is "uring" or "managed" ? FrontOf(front) : null;
}

/// <summary>
/// An in-process server on a free loopback port over a temp data directory (removed at the end), and its client
/// through the front asked for: <see cref="Fronts.InProcess"/> reaches the core without a socket; the Kestrel fronts
/// through the server's Kestrel listener (HTTP/1.1 or h2c), or for TLS a Kestrel front the test starts over the
/// server's core (the server itself refuses TLS until its io_uring front has it). The io_uring listener always runs too.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string AccessKey = "AKIDHANDLERTEST", Secret = "handler/secret+KEY";

    /// <summary>With <c>users: true</c>: the second user's key (user "alt"); <see cref="AccessKey"/> is then user "main",
    /// and <see cref="AdminAccessKey"/> the administrator "root".</summary>
    public const string AltAccessKey = "AKIDALTUSER", AltSecret = "alt/secret+KEY", AdminAccessKey = "AKIDADMIN", AdminSecret = "admin/secret";

    public const string MainId = "main0000000000000000000000000000000000000000000000000000000000000";
    public const string AltId = "alt00000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The users of a server started with <c>users: true</c>.</summary>
    public static IReadOnlyList<Sluice.Server.Access.ServerUser> TwoUsers { get; } =
    [
        new("main", MainId) { AccessKeys = [AccessKey], Email = "main@example.com" },
        new("alt", AltId) { AccessKeys = [AltAccessKey], Email = "alt@example.com" },
        new("root", Sluice.Server.Access.ServerUser.CanonicalIdFor("root")) { AccessKeys = [AdminAccessKey], IsAdmin = true },
    ];

    private bool _users;

    private readonly string _front;
    private KestrelFront? _extra;

    private readonly bool _inMemory;

    private TestServer(string directory, SluiceServer server, IndexFaults? indexFaults, string front)
    {
        Directory = directory;
        IndexFaults = indexFaults;
        _front = Fronts.FrontOf(front);
        _inMemory = Fronts.InMemory(front);
        Server = server;
        Client = null!; // set by StartFrontAsync
    }

    public string Directory { get; }
    public SluiceServer Server { get; private set; }
    public S3TestClient Client { get; private set; }

    /// <summary>The base URL the client talks to (the front's listener; the HTTP/1.1 one for in-process).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Where raw HTTP/1.1 over a plain socket reaches the front (the io_uring listener for the TLS front).</summary>
    public IPEndPoint RawHttp1EndPoint => Endpoint.Scheme == "http" ? new IPEndPoint(IPAddress.Loopback, Endpoint.Port) : Server.LocalEndPoint;

    /// <summary>The HTTP version the front speaks (requests must ask for it exactly).</summary>
    public Version HttpVersion => _front is Fronts.KestrelH2c or Fronts.KestrelTls ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11;

    /// <summary>Injected key-index write failures, kept across restarts; null when none were asked for.</summary>
    public IndexFaults? IndexFaults { get; }

    public static async Task<TestServer> StartAsync(string? engine = null, string? directory = null, bool anonymous = false,
        IndexFaults? indexFaults = null, TimeProvider? lifecycleClock = null, IReadOnlyList<Service.Encryption.KmsKey>? kmsKeys = null,
        bool users = false, Sluice.Server.Access.IBucketPolicySource? policies = null, S3LimitsProfile? limits = null,
        PartitionPolicySettings? partitions = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "sluice-handlers-" + Guid.NewGuid().ToString("N"));
        string front = engine ?? "default";
        var server = await SluiceServer.StartAsync(Options(directory, front, anonymous, indexFaults, lifecycleClock, kmsKeys, users, policies, limits, partitions));
        var t = new TestServer(directory, server, indexFaults, front) { _kmsKeys = kmsKeys, _users = users, _limits = limits, _partitions = partitions };
        await t.StartFrontAsync();
        return t;
    }

    /// <summary>The SSE-KMS keys the server was started with (kept for a restart).</summary>
    private IReadOnlyList<Service.Encryption.KmsKey>? _kmsKeys;

    /// <summary>The S3 limits emulation and partition policy the server was started with (kept for a restart).</summary>
    private S3LimitsProfile? _limits;
    private PartitionPolicySettings? _partitions;

    /// <summary>The memory store's limit in the tests: room for every test's objects at once.</summary>
    public const long MemoryLimit = 1L << 30;

    private static SluiceServerOptions Options(string directory, string front, bool anonymous, IndexFaults? indexFaults,
        TimeProvider? lifecycleClock = null, IReadOnlyList<Service.Encryption.KmsKey>? kmsKeys = null, bool users = false,
        Sluice.Server.Access.IBucketPolicySource? policies = null, S3LimitsProfile? limits = null, PartitionPolicySettings? partitions = null) => new()
    {
        EmulateS3Limits = limits,
        Partitions = partitions ?? new PartitionPolicySettings(),
        BucketPolicies = policies,
        Users = users ? TwoUsers : null,
        KmsKeys = kmsKeys,
        LifecycleClock = lifecycleClock,
        IndexFaults = indexFaults,
        DataDirectory = Fronts.InMemory(front) ? null : directory,
        InMemory = Fronts.InMemory(front),
        MemoryLimit = MemoryLimit,
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        ListenHttp2 = Fronts.FrontOf(front) is Fronts.KestrelH2c or Fronts.KestrelHttp1 ? new IPEndPoint(IPAddress.Loopback, 0) : null,
        Credentials = users
            ? new Dictionary<string, string> { [AccessKey] = Secret, [AltAccessKey] = AltSecret, [AdminAccessKey] = AdminSecret }
            : new Dictionary<string, string> { [AccessKey] = Secret },
        Reactors = 2,
        EngineMode = Fronts.Engine(front),
        AnonymousFullAccess = anonymous,
    };

    /// <summary>Starts the test's own Kestrel front if the front needs one, and the client.</summary>
    private async Task StartFrontAsync()
    {
        HttpMessageHandler? handler = null;
        Endpoint = Server.Endpoint;
        switch (_front)
        {
            case Fronts.InProcess:
                handler = Server.CreateInProcessFront();
                break;
            case Fronts.KestrelH2c:
            case Fronts.KestrelHttp1:
                Endpoint = Server.Http2Endpoint!;
                break;
            case Fronts.KestrelTls:
                _extra = await KestrelFront.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Server.Handler, TestCa.Server, new HttpServerOptions());
                Endpoint = _extra.Endpoint;
                break;
        }
        handler ??= SocketHandler();
        Client = new S3TestClient(Endpoint, AccessKey, Secret, handler, HttpVersion);
    }

    /// <summary>A client through the same front signing with another access key (an unknown one signs nothing useful).</summary>
    public S3TestClient ClientFor(string accessKey, string secret) =>
        new(Endpoint, accessKey, secret, _front == Fronts.InProcess ? Server.CreateInProcessFront() : SocketHandler(), HttpVersion);

    /// <summary>A socket handler for the front: TLS trusts the test CA only.</summary>
    private SocketsHttpHandler SocketHandler()
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        if (_front == Fronts.KestrelTls) handler.SslOptions.RemoteCertificateValidationCallback = TestCa.Validate;
        return handler;
    }

    /// <summary>An HttpClient that reaches the front the way <see cref="Client"/> does (send requests with <see cref="HttpVersion"/>).</summary>
    public HttpClient NewHttpClient(TimeSpan timeout) =>
        new(_front == Fronts.InProcess ? Server.CreateInProcessFront() : SocketHandler()) { Timeout = timeout };

    /// <summary>Stops the server and starts a new one on the same directory (a restart), running
    /// <paramref name="whileStopped"/> in between.</summary>
    public async Task RestartAsync(string? engine = null, Func<Task>? whileStopped = null)
    {
        if (_inMemory) throw new InvalidOperationException("the memory store does not survive a restart: use Fronts.OnDisk");
        await StopFrontAsync();
        await Server.StopAsync();
        if (whileStopped != null) await whileStopped();
        Server = await SluiceServer.StartAsync(Options(Directory, engine ?? _front, false, IndexFaults, kmsKeys: _kmsKeys, users: _users,
            limits: _limits, partitions: _partitions));
        await StartFrontAsync();
    }

    private async Task StopFrontAsync()
    {
        Client.Dispose();
        if (_extra != null) await _extra.StopAsync(TimeSpan.FromSeconds(10));
        _extra = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopFrontAsync();
        await Server.StopAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
