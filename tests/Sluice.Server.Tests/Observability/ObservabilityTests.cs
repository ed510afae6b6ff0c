using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Sluice.Server.Tests.Handlers;

namespace Sluice.Server.Tests.Observability;

/// <summary>
/// The server's observability through real fronts and real files: the access log's lines, the error log through
/// ILogger (and its TextWriter adapter), the "Sluice.Server" meter as a MeterListener sees it, and GET /metrics in
/// Prometheus text format. Counts are read after <see cref="SluiceServer.StopAsync"/>, which returns once every
/// request's accounting is done and the access log is written out, so nothing here waits on time.
/// </summary>
public sealed class ObservabilityTests
{
    private const string AccessKey = "AKIDOBSERVE", Secret = "observe/secret+KEY";

    /// <summary>
    /// The fronts these tests start themselves: both engines' HTTP/1.1, in-process, and Kestrel's h2c (the server's own
    /// --listen-h2 listener, HTTP/2 by prior knowledge).
    /// </summary>
    public static TheoryData<string> CoreFronts => new() { "uring", "managed", Fronts.InProcess, Fronts.KestrelH2c };

    private static SluiceServerOptions Options(string directory, TextWriter? accessLog = null, IPEndPoint? metrics = null,
        string? engine = null, TextWriter? errorLog = null, ILoggerFactory? loggerFactory = null) => new()
    {
        DataDirectory = directory,
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        ListenHttp2 = engine == Fronts.KestrelH2c ? new IPEndPoint(IPAddress.Loopback, 0) : null,
        Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
        Reactors = 1,
        EngineMode = Fronts.Engine(engine),
        AccessLog = accessLog,
        MetricsListen = metrics,
        ErrorLog = errorLog,
        LoggerFactory = loggerFactory,
        OpenObjectCacheSize = 0, // a damaged object's file is read again, not served from the cache
    };

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "sluice-observe-" + Guid.NewGuid().ToString("N"));

    private static S3TestClient Client(SluiceServer server, bool inProcess) =>
        new(server.Endpoint, AccessKey, Secret, inProcess ? server.CreateInProcessFront() : null);

    /// <summary>A client through <paramref name="front"/> of <paramref name="server"/>.</summary>
    private static S3TestClient Client(SluiceServer server, string front) => front switch
    {
        Fronts.InProcess => Client(server, inProcess: true),
        Fronts.KestrelH2c => new(server.Http2Endpoint!, AccessKey, Secret, version: HttpVersion.Version20),
        _ => Client(server, inProcess: false),
    };

    /// <summary>One access log line's ten fields.</summary>
    private sealed record AccessLine(DateTime Time, string RequestId, string Principal, string Operation, string Bucket,
        string Key, int Status, long Sent, long Received, string Latency)
    {
        public static AccessLine Parse(string line)
        {
            string[] f = line.Split(' ');
            Assert.True(f.Length == 10, $"not 10 fields: {line}");
            return new AccessLine(DateTime.Parse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), f[1], f[2],
                f[3], f[4], f[5], int.Parse(f[6], CultureInfo.InvariantCulture), long.Parse(f[7], CultureInfo.InvariantCulture),
                long.Parse(f[8], CultureInfo.InvariantCulture), f[9]);
        }
    }

    [Theory]
    [MemberData(nameof(CoreFronts))]
    public async Task The_access_log_has_one_parsed_line_per_request_with_its_fields(string front)
    {
        string directory = NewDirectory();
        string logFile = Path.Combine(Path.GetTempPath(), "sluice-access-" + Guid.NewGuid().ToString("N") + ".log");
        bool inProcess = front == Fronts.InProcess;
        bool socketHttp1 = front is "uring" or "managed"; // a malformed head reaches the HTTP/1.1 front's own answer
        const string key = "dir/a key\nwith a newline";
        var body = RandomNumberGenerator.GetBytes(10_000);
        var responses = new List<S3Response>();
        var log = new StreamWriter(logFile);
        var server = await SluiceServer.StartAsync(Options(directory, log, engine: inProcess ? null : front));
        try
        {
            using (var c = Client(server, front))
            {
                responses.Add(await c.SendAsync("PUT", "/logged"));
                responses.Add(await c.PutObjectAsync("logged", key, body));
                responses.Add(await c.GetObjectAsync("logged", key));
                responses.Add(await c.SendAsync("HEAD", "/logged/" + S3TestClient.EncodeKey(key)));
                responses.Add(await c.SendAsync("DELETE", "/logged/" + S3TestClient.EncodeKey(key)));
                responses.Add(await c.GetObjectAsync("logged", key));
                responses.Add(await c.SendAsync("GET", "/logged/x", secret: "not-the-secret"));
            }
            Assert.Equal([200, 200, 200, 200, 204, 404, 403], responses.Select(r => r.Status));
            if (socketHttp1) Assert.Equal(400, await SendMalformedHeadAsync(server.LocalEndPoint));
        }
        finally
        {
            await server.StopAsync();
            await log.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
        string[] text = await File.ReadAllLinesAsync(logFile);
        File.Delete(logFile);
        var lines = text.Select(AccessLine.Parse).ToList();
        Assert.Equal(socketHttp1 ? 8 : 7, lines.Count); // the key's newline did not break its line
        Assert.Equal(["CreateBucket", "PutObject", "GetObject", "HeadObject", "DeleteObject", "GetObject", "GetObject"],
            lines.Take(7).Select(l => l.Operation));
        Assert.Equal(responses.Select(r => r.Status), lines.Take(7).Select(l => l.Status));
        Assert.Equal(responses.Select(r => r.Header("x-amz-request-id")), lines.Take(7).Select(l => l.RequestId));
        Assert.Equal([AccessKey, AccessKey, AccessKey, AccessKey, AccessKey, AccessKey, "-"], lines.Take(7).Select(l => l.Principal));
        Assert.All(lines.Take(7), l =>
        {
            Assert.Equal("logged", l.Bucket);
            Assert.True(double.Parse(l.Latency, CultureInfo.InvariantCulture) >= 0, l.Latency);
            Assert.InRange(l.Time, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        });
        Assert.Equal("-", lines[0].Key);
        Assert.Equal("dir/a%20key%0Awith%20a%20newline", lines[1].Key);
        Assert.Equal(key, Uri.UnescapeDataString(lines[1].Key));
        Assert.Equal((0L, (long)body.Length), (lines[1].Sent, lines[1].Received)); // PUT: the body in
        Assert.Equal(((long)body.Length, 0L), (lines[2].Sent, lines[2].Received)); // GET: the body out
        Assert.Equal((0L, 0L), (lines[3].Sent, lines[3].Received));               // HEAD announces, sends nothing
        Assert.Equal(responses[5].Body.Length, lines[5].Sent);                    // the 404's XML error
        Assert.Equal("x", lines[6].Key);                       // a signature that does not verify names no principal
        if (socketHttp1)
        {
            // The front answered a malformed head itself: logged, with nothing routed.
            var malformed = lines[7];
            Assert.Equal((400, "-", "-", "-", "-", "-"),
                (malformed.Status, malformed.Principal, malformed.Operation, malformed.Bucket, malformed.Key, malformed.Latency));
        }
    }

    /// <summary>Sends a request line the parser refuses and returns the status of the front's answer.</summary>
    private static async Task<int> SendMalformedHeadAsync(IPEndPoint server)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server);
        await socket.SendAsync("NOT AN HTTP REQUEST\r\n\r\n"u8.ToArray());
        var response = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0) response.Write(buffer, 0, n); // the front closes after it
        var match = Regex.Match(Encoding.ASCII.GetString(response.ToArray()), @"^HTTP/1\.1 (\d{3}) ");
        Assert.True(match.Success);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Server_errors_are_logged_through_ILogger_with_fields_and_as_the_error_log_line()
    {
        string directory = NewDirectory();
        var logger = new CapturingLoggerFactory();
        var errorLog = new StringWriter();
        var server = await SluiceServer.StartAsync(Options(directory, errorLog: errorLog, loggerFactory: logger));
        S3Response get;
        try
        {
            using var c = Client(server, inProcess: false);
            Assert.Equal(200, (await c.SendAsync("PUT", "/logs")).Status);
            Assert.Equal(200, (await c.PutObjectAsync("logs", "damaged", RandomNumberGenerator.GetBytes(50_000))).Status);
            Assert.Equal(404, (await c.GetObjectAsync("logs", "missing")).Status);
            string file = Directory.EnumerateFiles(Path.Combine(directory, "logs"), "*", SearchOption.AllDirectories)
                .OrderByDescending(f => new FileInfo(f).Length).First();
            await File.WriteAllBytesAsync(file, new byte[10]);
            get = await c.GetObjectAsync("logs", "damaged");
            Assert.Equal(500, get.Status);
        }
        finally
        {
            await server.StopAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
        var entry = Assert.Single(logger.Entries);
        Assert.Equal("Sluice.Server", entry.Category);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal((1, "ServerError"), (entry.EventId.Id, entry.EventId.Name));
        Assert.Equal("500", entry.Fields["Status"]);
        Assert.Equal("InternalError", entry.Fields["Code"]);
        Assert.Equal("GET", entry.Fields["Method"]);
        Assert.Equal("/logs/damaged", entry.Fields["Path"]);
        Assert.Equal(get.Header("x-amz-request-id"), entry.Fields["RequestId"]);
        Assert.NotNull(entry.Exception);
        string line = Assert.Single(errorLog.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z sluice: 500 InternalError GET /logs/damaged \(request [0-9A-F]{16}\)", line);
        Assert.Contains(entry.Exception!.GetType().Name + ": ", line);
    }

    [Theory]
    [MemberData(nameof(CoreFronts))]
    public async Task A_MeterListener_sees_requests_by_operation_and_status_with_bytes_and_durations(string front)
    {
        string directory = NewDirectory();
        bool inProcess = front == Fronts.InProcess;
        var server = await SluiceServer.StartAsync(Options(directory, engine: inProcess ? null : front));
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, server.Meter)) l.EnableMeasurementEvents(instrument); // this server's only
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, TagsOf(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Enqueue((i.Name, v, TagsOf(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, TagsOf(tags))));
        listener.Start();
        var body = RandomNumberGenerator.GetBytes(70_000);
        try
        {
            using var c = Client(server, front);
            Assert.Equal(200, (await c.SendAsync("PUT", "/metered")).Status);
            Assert.Equal(200, (await c.PutObjectAsync("metered", "k", body)).Status);
            Assert.Equal(200, (await c.GetObjectAsync("metered", "k")).Status);
            Assert.Equal(404, (await c.GetObjectAsync("metered", "nope")).Status);
            listener.RecordObservableInstruments();
        }
        finally
        {
            await server.StopAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
        double Sum(string instrument, params (string Key, string Value)[] tags) => measurements
            .Where(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value)).Sum(m => m.Value);

        Assert.Equal(1, Sum("sluice.server.requests", ("operation", "PutObject"), ("status", "200")));
        Assert.Equal(1, Sum("sluice.server.requests", ("operation", "GetObject"), ("status", "200")));
        Assert.Equal(1, Sum("sluice.server.requests", ("operation", "GetObject"), ("status", "404")));
        Assert.Equal(4, Sum("sluice.server.requests"));
        Assert.Equal(body.Length, Sum("sluice.server.received", ("operation", "PutObject")));
        Assert.True(Sum("sluice.server.sent", ("operation", "GetObject")) > body.Length); // the body, then the 404's XML
        Assert.Equal(2, measurements.Count(m => m.Instrument == "sluice.server.request.duration" && m.Tags["operation"] == "GetObject"));
        Assert.All(measurements.Where(m => m.Instrument == "sluice.server.request.duration"), m => Assert.True(m.Value >= 0));
        Assert.Equal(0, Sum("sluice.server.requests.active")); // each +1 has its -1
        // Observed at the listener's request: the engine's buffer pool by size class, and the HTTP/1.1 front's connections.
        Assert.Contains(measurements, m => m.Instrument == "sluice.server.buffer_pool.capacity" && m.Tags["size"] == "4096" && m.Value > 0);
        Assert.Contains(measurements, m => m.Instrument == "sluice.server.buffer_pool.rented" && m.Tags.ContainsKey("size"));
        Assert.Contains(measurements, m => m.Instrument == "sluice.server.connections" && m.Tags["front"] == "http1");
        if (front == Fronts.KestrelH2c) // the client's HTTP/2 connection was open when the gauge was read
            Assert.Contains(measurements, m => m.Instrument == "sluice.server.connections" && m.Tags["front"] == "kestrel" && m.Value >= 1);
    }

    private static Dictionary<string, string?> TagsOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, string?>();
        foreach (var (k, v) in tags) d[k] = v?.ToString();
        return d;
    }

    [Fact]
    public async Task Metrics_are_served_in_Prometheus_text_format_on_the_metrics_address_and_stop_with_the_server()
    {
        string directory = NewDirectory(), other = NewDirectory();
        var server = await SluiceServer.StartAsync(Options(directory, metrics: new IPEndPoint(IPAddress.Loopback, 0)));
        IPEndPoint metrics = server.MetricsEndPoint!;
        Assert.NotEqual(0, metrics.Port);
        Assert.Equal(IPAddress.Loopback, metrics.Address);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var url = new Uri($"http://{metrics}/metrics");
        try
        {
            using (var c = Client(server, inProcess: false))
            {
                Assert.Equal(200, (await c.SendAsync("PUT", "/scraped")).Status);
                Assert.Equal(200, (await c.PutObjectAsync("scraped", "k", new byte[1234])).Status);
                Assert.Equal(200, (await c.GetObjectAsync("scraped", "k")).Status);
            }
            // Another server in the process has a meter of the same name: its requests are not this server's.
            var second = await SluiceServer.StartAsync(Options(other));
            using (var c = Client(second, inProcess: true)) Assert.Equal(200, (await c.SendAsync("GET", "/")).Status);
            await second.StopAsync();

            // A socket client has its response before the server's accounting for it ends: scrape until it shows.
            string text = "";
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!CounterLine(text, "GetObject", "200").Success)
            {
                Assert.False(deadline.IsCancellationRequested, "no GetObject count in /metrics:\n" + text);
                using var response = await http.GetAsync(url, deadline.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
                text = await response.Content.ReadAsStringAsync(deadline.Token);
            }
            Assert.Equal("1", CounterLine(text, "GetObject", "200").Groups[1].Value);
            Assert.Equal("1", CounterLine(text, "PutObject", "200").Groups[1].Value);
            Assert.False(CounterLine(text, "ListBuckets", "200").Success, text);
            Assert.Contains("# TYPE sluice_server_request_duration_seconds histogram", text);
            Assert.Matches(@"sluice_server_received_bytes_total\{[^}]*operation=""PutObject""[^}]*\} 1234\b", text);
            Assert.Matches(@"sluice_server_buffer_pool_capacity\{[^}]*size=""4096""[^}]*\} \d+", text);
        }
        finally
        {
            await server.StopAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
            try { Directory.Delete(other, recursive: true); } catch (IOException) { }
        }
        // Stopped with the server: nothing listens there any more.
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(url));
    }

    [Fact]
    public async Task A_metrics_address_in_use_fails_the_start_with_an_IOException_naming_it()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = (IPEndPoint)taken.LocalEndpoint;
        string directory = NewDirectory();
        try
        {
            var e = await Assert.ThrowsAsync<IOException>(() => SluiceServer.StartAsync(Options(directory, metrics: address)));
            Assert.Contains($"metrics: cannot listen on {address}", e.Message);
            // What the failed start had opened is closed again: the directory can be served by the next server.
            await (await SluiceServer.StartAsync(Options(directory))).StopAsync();
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private static Match CounterLine(string text, string operation, string status) => Regex.Match(text,
        $@"^sluice_server_requests_total\{{(?=[^}}]*operation=""{operation}"")(?=[^}}]*status=""{status}"")[^}}]*\}} (\d+)",
        RegexOptions.Multiline);

    /// <summary>A logger factory that keeps every entry with its structured fields.</summary>
    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public sealed record Entry(string Category, LogLevel Level, EventId EventId, Dictionary<string, string?> Fields, Exception? Exception);

        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyList<Entry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var fields = new Dictionary<string, string?>();
                if (state is IReadOnlyList<KeyValuePair<string, object?>> list)
                    foreach (var (k, v) in list) fields[k] = v?.ToString();
                entries.Enqueue(new Entry(category, logLevel, eventId, fields, exception));
            }
        }
    }
}
