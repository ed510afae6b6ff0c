using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Auth;
using Sluice.Server.Index;

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
/// Sends requests signed with Sluice's SigV4 signer over HttpClient — through a socket (SocketsHttpHandler), or
/// in-process through the server's <see cref="SluiceServer.CreateInProcessFront"/> when given that handler: the
/// signer adds x-amz-date, x-amz-content-sha256 and Authorization; the signed headers are exactly the ones given
/// plus host.
/// </summary>
internal sealed class S3TestClient : IDisposable
{
    public const string Region = "us-east-1";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _accessKey, _secret;

    public S3TestClient(Uri endpoint, string accessKey, string secret, HttpMessageHandler? front = null)
    {
        _http = new HttpClient(front ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
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
        using var request = new HttpRequestMessage(new HttpMethod(method), uri);
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

/// <summary>The fronts a handler test runs through: HTTP/1.1 on each engine, and in-process (no socket).</summary>
internal static class Fronts
{
    public const string InProcess = "inprocess";

    public static TheoryData<string> All => new() { "uring", "managed", InProcess };
}

/// <summary>
/// An in-process server on a free loopback port over a temp data directory (removed at the end). Started with the
/// front <see cref="Fronts.InProcess"/>, its client reaches the core without a socket (the server still listens).
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string AccessKey = "AKIDHANDLERTEST", Secret = "handler/secret+KEY";

    private readonly bool _inProcess;

    private TestServer(string directory, SluiceServer server, IndexFaults? indexFaults, bool inProcess)
    {
        Directory = directory;
        IndexFaults = indexFaults;
        _inProcess = inProcess;
        Server = server;
        Client = NewClient(server);
    }

    private S3TestClient NewClient(SluiceServer server) =>
        new(server.Endpoint, AccessKey, Secret, _inProcess ? server.CreateInProcessFront() : null);

    public string Directory { get; }
    public SluiceServer Server { get; private set; }
    public S3TestClient Client { get; private set; }

    /// <summary>Injected key-index write failures, kept across restarts; null when none were asked for.</summary>
    public IndexFaults? IndexFaults { get; }

    public static async Task<TestServer> StartAsync(string? engine = null, string? directory = null, bool anonymous = false,
        IndexFaults? indexFaults = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "sluice-handlers-" + Guid.NewGuid().ToString("N"));
        bool inProcess = engine == Fronts.InProcess;
        var server = await SluiceServer.StartAsync(Options(directory, inProcess ? null : engine, anonymous, indexFaults));
        return new TestServer(directory, server, indexFaults, inProcess);
    }

    private static SluiceServerOptions Options(string directory, string? engine, bool anonymous, IndexFaults? indexFaults) => new()
    {
        IndexFaults = indexFaults,
        DataDirectory = directory,
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
        Reactors = 2,
        EngineMode = engine,
        AllowAnonymous = anonymous,
    };

    /// <summary>Stops the server and starts a new one on the same directory (a restart), running
    /// <paramref name="whileStopped"/> in between.</summary>
    public async Task RestartAsync(string? engine = null, Func<Task>? whileStopped = null)
    {
        await Server.StopAsync();
        Client.Dispose();
        if (whileStopped != null) await whileStopped();
        Server = await SluiceServer.StartAsync(Options(Directory, engine == Fronts.InProcess ? null : engine, false, IndexFaults));
        Client = NewClient(Server);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.StopAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
