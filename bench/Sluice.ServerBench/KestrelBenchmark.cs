using System.Diagnostics;
using System.Net;

namespace Sluice.ServerBench;

/// <summary>
/// The Kestrel front against the io_uring front on one `sluice serve --listen-h2` (same process, same store): the
/// large GET with curl (HTTP/1.1 to each listener, --http2-prior-knowledge to Kestrel's) and small GET/PUT at N
/// connections — the raw HTTP/1.1 load generator against each listener, and HttpClient over h2c (one connection per
/// client, one request in flight each, as the HTTP/1.1 load) against Kestrel's. Server CPU per request is the figure
/// that compares fronts; the h2c client is a different (heavier) client, so its client CPU does not compare.
/// </summary>
internal static class KestrelBenchmark
{
    public const string LargeSection = "kestrel-large", SmallSection = "kestrel-small";
    public const string Baseline = "io_uring HTTP/1.1";
    private const string KestrelHttp1 = "Kestrel HTTP/1.1", KestrelH2c = "Kestrel h2c";

    public static void Run(Session session, Results results)
    {
        var o = session.Options;
        var server = session.Sluice.Values.First();
        var uring = new S3Requests(server.Port, sign: true);
        var kestrel = new S3Requests(server.Http2Port, sign: true);
        var kestrelEndPoint = new IPEndPoint(IPAddress.Loopback, server.Http2Port);
        string path = $"/{Session.Bucket}/{Session.LargeName}";
        var large = new (string Name, string Url, string? Option)[]
        {
            (Baseline, uring.Url(path), null),
            (KestrelHttp1, kestrel.Url(path), "--http1.1"),
            (KestrelH2c, kestrel.Url(path), "--http2-prior-knowledge"),
        };
        foreach (var t in large) LargeGetBenchmark.Curl(t.Url, 1, o.LargeBytes, t.Option); // page cache, JIT
        for (int run = 0; run < o.Runs; run++)
        {
            foreach (var t in large)
                results.Add(LargeSection, "GET 1 stream", t.Name, Measurement.Take(server, () => LargeGetBenchmark.Curl(t.Url, 1, o.LargeBytes, t.Option)));
        }

        foreach (int size in o.SmallSizes)
        {
            string name = $"/{Session.Bucket}/{Session.SmallName(size)}";
            byte[] body = new byte[size];
            Random.Shared.NextBytes(body);
            var warm = TimeSpan.FromSeconds(Math.Min(1, o.Duration.TotalSeconds));
            var gets = new (string Name, Func<TimeSpan, (long, long, long)> Load)[]
            {
                (Baseline, d => LoadGenerator.Run(server.EndPoint, _ => uring.Build("GET", name), o.Connections, d)),
                (KestrelHttp1, d => LoadGenerator.Run(kestrelEndPoint, _ => kestrel.Build("GET", name), o.Connections, d)),
                (KestrelH2c, d => H2c(kestrel, server.Http2Port, "GET", _ => name, null, o.Connections, d)),
            };
            var puts = new (string Name, Func<TimeSpan, (long, long, long)> Load)[]
            {
                (Baseline, d => LoadGenerator.Run(server.EndPoint,
                    c => uring.Build("PUT", $"/{Session.Bucket}/put-{size >> 10}k-{c}", contentLength: size, body: body), o.Connections, d)),
                (KestrelHttp1, d => LoadGenerator.Run(kestrelEndPoint,
                    c => kestrel.Build("PUT", $"/{Session.Bucket}/put-{size >> 10}k-{c}", contentLength: size, body: body), o.Connections, d)),
                (KestrelH2c, d => H2c(kestrel, server.Http2Port, "PUT", c => $"/{Session.Bucket}/put-{size >> 10}k-{c}", body, o.Connections, d)),
            };
            foreach (var t in gets.Concat(puts)) t.Load(warm);
            for (int run = 0; run < o.Runs; run++)
            {
                foreach (var t in gets) results.Add(SmallSection, $"GET {size >> 10} KiB", t.Name, Measurement.Take(server, () => t.Load(o.Duration)));
                foreach (var t in puts) results.Add(SmallSection, $"PUT {size >> 10} KiB", t.Name, Measurement.Take(server, () => t.Load(o.Duration)));
            }
        }
    }

    /// <summary>
    /// Closed loop over h2c: one HttpClient (one HTTP/2 connection) per simulated connection, each sending its signed
    /// request again and again until the duration is up; counts 200s.
    /// </summary>
    private static (long Bytes, long Requests, long Errors) H2c(S3Requests requests, int port, string method, Func<int, string> pathFor,
        byte[]? body, int connections, TimeSpan duration)
    {
        long total = 0, errors = 0, bytes = 0;
        var clock = Stopwatch.StartNew();
        async Task OneAsync(int c)
        {
            string path = pathFor(c);
            var headers = requests.Headers(method, path, contentLength: body?.Length ?? -1);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
            var uri = new Uri($"http://127.0.0.1:{port}{path}");
            long done = 0, failed = 0, received = 0;
            while (clock.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), uri)
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                if (body != null) request.Content = new ByteArrayContent(body);
                for (int i = 0; i < headers.Count; i++)
                {
                    string n = headers.GetNameString(i);
                    if (n.Equals("host", StringComparison.OrdinalIgnoreCase) || n.Equals("content-length", StringComparison.OrdinalIgnoreCase)) continue;
                    request.Headers.TryAddWithoutValidation(n, headers.GetValueString(i));
                }
                using var response = await http.SendAsync(request);
                var content = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode == HttpStatusCode.OK) done++;
                else failed++;
                received += content.Length;
            }
            Interlocked.Add(ref total, done);
            Interlocked.Add(ref errors, failed);
            Interlocked.Add(ref bytes, received);
        }
        Task.WaitAll(Enumerable.Range(0, connections).Select(c => Task.Run(() => OneAsync(c))).ToArray());
        return (bytes, total, errors);
    }
}
