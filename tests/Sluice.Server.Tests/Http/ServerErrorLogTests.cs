using System.Net;
using System.Security.Cryptography;
using Sluice.Server.Tests.Handlers;

namespace Sluice.Server.Tests.Http;

/// <summary>
/// The server's error log: a failure of the server (here a stored object whose file was damaged behind its back)
/// gets one line naming the request, while client errors and healthy requests write nothing.
/// </summary>
public sealed class ServerErrorLogTests : IAsyncLifetime
{
    private const string AccessKey = "AKIDERRORLOG", Secret = "error/log+secret";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-errorlog-" + Guid.NewGuid().ToString("N"));
    private readonly StringWriter _log = new();
    private SluiceServer? _server;
    private S3TestClient? _client;

    public async Task InitializeAsync()
    {
        _server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = _directory,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 1,
            OpenObjectCacheSize = 0,
            ErrorLog = _log,
        });
        _client = new S3TestClient(_server.Endpoint, AccessKey, Secret);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server != null) await _server.StopAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_damaged_object_is_logged_once_with_its_request_and_client_errors_are_not()
    {
        var c = _client!;
        Assert.Equal(200, (await c.SendAsync("PUT", "/logs")).Status);
        var body = RandomNumberGenerator.GetBytes(100_000);
        Assert.Equal(200, (await c.PutObjectAsync("logs", "damaged/key", body)).Status);
        Assert.Equal(200, (await c.GetObjectAsync("logs", "damaged/key")).Status);
        Assert.Equal(404, (await c.GetObjectAsync("logs", "missing")).Status);
        Assert.Equal(404, (await c.SendAsync("GET", "/no-such-bucket", "list-type=2")).Status);
        Assert.Equal("", Logged());

        // The object's file loses its header: the server cannot answer with the object and says so.
        string file = Directory.EnumerateFiles(Path.Combine(_directory, "logs"), "*", SearchOption.AllDirectories)
            .OrderByDescending(f => new FileInfo(f).Length).First();
        await File.WriteAllBytesAsync(file, new byte[10]);
        var get = await c.GetObjectAsync("logs", "damaged/key", ("Range", "bytes=0-9"));
        Assert.Equal(500, get.Status);
        Assert.Equal("InternalError", get.ErrorCode);

        string[] lines = Logged().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        Assert.Contains(" sluice: 500 InternalError GET /logs/damaged/key ", line);
        Assert.Contains("corrupt stored object", line);
        Assert.Contains(get.Header("x-amz-request-id")!, line);
    }

    [Fact]
    public async Task A_body_that_fails_after_the_response_started_is_logged_and_the_connection_closed()
    {
        var c = _client!;
        Assert.Equal(200, (await c.SendAsync("PUT", "/logs")).Status);
        var body = RandomNumberGenerator.GetBytes(4 << 20);
        Assert.Equal(200, (await c.PutObjectAsync("logs", "short", body)).Status);
        string file = Directory.EnumerateFiles(Path.Combine(_directory, "logs"), "*", SearchOption.AllDirectories)
            .OrderByDescending(f => new FileInfo(f).Length).First();
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
            stream.SetLength(Sluice.Server.Storage.ObjectHeader.DefaultBodyOffset + (100 << 10)); // the header stays, most of the body goes

        // The head (200, Content-Length 4 MiB) is out before the file runs short: the client gets a truncated body.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => c.GetObjectAsync("logs", "short"));
        // One line per attempt (HttpClient may retry a GET whose connection closed), each naming the request.
        string[] lines = Logged().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            Assert.Contains(" sluice: --- InternalError GET /logs/short ", line);
            Assert.Contains("after the response started", line);
        });
    }

    private string Logged()
    {
        lock (_log) return _log.ToString();
    }
}
