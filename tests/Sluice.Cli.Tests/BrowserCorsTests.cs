using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Client;
using Sluice.Cli.Tests.Bench;

namespace Sluice.Cli.Tests;

/// <summary>
/// CORS as a browser enforces it: headless chromium loads a page from a small HTTP server on one loopback port and its
/// script PUTs and GETs an object through presigned URLs of `sluice serve` on another port — cross-origin requests,
/// with the browser's own preflight. Allowed by the bucket's rules, both succeed and the object is stored; without a
/// rule for the page's origin, the browser refuses them and nothing is stored. The page reports its results by POSTing
/// them back to its server, which the test awaits (the timeouts only guard against a hang).
/// </summary>
public sealed class BrowserCorsTests
{
    private const string AccessKey = "AKIDBROWSER", Secret = "browser/cors+secret";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    [ChromiumFact]
    public async Task A_cross_origin_put_and_get_succeed_when_the_rules_allow_the_origin_and_fail_when_not()
    {
        await using var serve = await ServeProcess.StartAsync();
        await using var client = new S3Client(new S3ClientOptions { Endpoint = serve.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });
        await using var pages = PageServer.Start();
        string origin = $"http://127.0.0.1:{pages.Port}";

        await client.CreateBucketAsync("browser-ok");
        var rules = new Sluice.S3.Cors.CorsConfiguration();
        var rule = new Sluice.S3.Cors.CorsRule { MaxAgeSeconds = 5 };
        rule.AllowedOrigins.Add(origin);
        rule.AllowedMethods.Add("GET");
        rule.AllowedMethods.Add("PUT");
        rule.AllowedHeaders.Add("content-type");
        rule.ExposeHeaders.Add("ETag");
        rules.Rules.Add(rule);
        await client.PutBucketCorsAsync("browser-ok", rules);

        var allowed = await RunPageAsync(pages, client, "browser-ok", "from-the-browser.txt");
        Assert.True(allowed.GetProperty("put").GetString() == "200", allowed.ToString());
        Assert.Equal("200", allowed.GetProperty("get").GetString());
        Assert.Equal("hello from a browser", allowed.GetProperty("body").GetString());
        Assert.Matches("^\"[0-9a-f]{32}\"$", allowed.GetProperty("etag").GetString()); // exposed by the rule
        var stored = new System.Buffers.ArrayBufferWriter<byte>();
        await client.GetObjectAsync(new Sluice.Client.Model.GetObjectRequest("browser-ok", "from-the-browser.txt"), stored);
        Assert.Equal("hello from a browser", Encoding.UTF8.GetString(stored.WrittenSpan));

        // The same page against a bucket whose rules name another origin, and one with no rules: refused by the browser.
        await client.CreateBucketAsync("browser-other");
        var other = new Sluice.S3.Cors.CorsConfiguration();
        var otherRule = new Sluice.S3.Cors.CorsRule();
        otherRule.AllowedOrigins.Add("http://somewhere.else.example");
        otherRule.AllowedMethods.Add("GET");
        otherRule.AllowedMethods.Add("PUT");
        other.Rules.Add(otherRule);
        await client.PutBucketCorsAsync("browser-other", other);
        await client.CreateBucketAsync("browser-none");
        foreach (string bucket in new[] { "browser-other", "browser-none" })
        {
            var refused = await RunPageAsync(pages, client, bucket, "never.txt");
            Assert.True(refused.GetProperty("put").GetString()!.StartsWith("error", StringComparison.Ordinal), refused.ToString());
            Assert.StartsWith("error", refused.GetProperty("get").GetString(), StringComparison.Ordinal);
            var e = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync(bucket, "never.txt"));
            Assert.Equal(404, e.StatusCode);
        }
    }

    /// <summary>Serves a page whose script PUTs then GETs the object through presigned URLs, and returns what it reported.</summary>
    private static async Task<JsonElement> RunPageAsync(PageServer pages, S3Client client, string bucket, string key)
    {
        Uri put = client.Presign("PUT", bucket, key, TimeSpan.FromMinutes(10));
        Uri get = client.Presign("GET", bucket, key, TimeSpan.FromMinutes(10));
        string page = $$"""
            <!doctype html><html><body><script>
            (async () => {
              const results = {};
              try {
                const r = await fetch({{JsonSerializer.Serialize(put.AbsoluteUri)}}, { method: 'PUT', body: 'hello from a browser', headers: { 'Content-Type': 'text/plain' } });
                results.put = String(r.status);
              } catch (e) { results.put = 'error: ' + e.message; }
              try {
                const r = await fetch({{JsonSerializer.Serialize(get.AbsoluteUri)}});
                results.get = String(r.status);
                results.body = await r.text();
                results.etag = r.headers.get('ETag');
              } catch (e) { results.get = 'error: ' + e.message; }
              await fetch('/result', { method: 'POST', body: JSON.stringify(results) });
            })();
            </script></body></html>
            """;
        var result = pages.Expect(page);
        string profile = Path.Combine(Path.GetTempPath(), "sluice-chromium-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo(ChromiumFactAttribute.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                     "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                     "--user-data-dir=" + profile, $"http://127.0.0.1:{pages.Port}/" })
            psi.ArgumentList.Add(a);
        using var browser = Process.Start(psi)!;
        var output = Task.WhenAll(browser.StandardOutput.ReadToEndAsync(), browser.StandardError.ReadToEndAsync());
        try
        {
            string reported;
            try
            {
                reported = await result.WaitAsync(Guard);
            }
            catch (TimeoutException)
            {
                if (!browser.HasExited) browser.Kill(entireProcessTree: true);
                var texts = await output;
                throw new Xunit.Sdk.XunitException("the page reported nothing; chromium said: " + texts[1]);
            }
            return JsonDocument.Parse(reported).RootElement.Clone();
        }
        finally
        {
            if (!browser.HasExited) browser.Kill(entireProcessTree: true);
            await browser.WaitForExitAsync();
            await output;
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>`sluice serve` in memory on a free loopback port, stopped (and awaited) at the end.</summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private ServeProcess(Process process, Uri endpoint)
        {
            _process = process;
            Endpoint = endpoint;
        }

        public Uri Endpoint { get; }

        public static async Task<ServeProcess> StartAsync()
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "serve", "--memory", "--listen", "127.0.0.1:0",
                         "--reactors", "2", "--access-key", AccessKey, "--secret-key", Secret })
                psi.ArgumentList.Add(a);
            var process = Process.Start(psi)!;
            _ = process.StandardError.ReadToEndAsync();
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var match = Regex.Match(line ?? "", @"serving S3 at (http://127\.0\.0\.1:\d+)/?");
            if (!match.Success)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new Xunit.Sdk.XunitException("sluice serve did not start: " + line);
            }
            _ = process.StandardOutput.ReadToEndAsync();
            return new ServeProcess(process, new Uri(match.Groups[1].Value));
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }

    /// <summary>
    /// A minimal HTTP/1.1 server on a free loopback port: GET / answers the current page, POST /result completes the
    /// current expectation with the body, anything else is 404. One request per connection.
    /// </summary>
    private sealed class PageServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _loop;
        private volatile string _page = "";
        private TaskCompletionSource<string> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private PageServer()
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _loop = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static PageServer Start() => new();

        /// <summary>Serves <paramref name="page"/> from now on; the task completes with the next reported result.</summary>
        public Task<string> Expect(string page)
        {
            _page = page;
            var next = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _result, next);
            return next.Task;
        }

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true) connections.Add(ServeAsync(await _listener.AcceptTcpClientAsync()));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // stopped
            }
            await Task.WhenAll(connections);
        }

        private async Task ServeAsync(TcpClient connection)
        {
            using var _ = connection;
            try
            {
                var stream = connection.GetStream();
                var head = new List<byte>();
                var buffer = new byte[8192];
                int end = -1;
                while (end < 0)
                {
                    int n = await stream.ReadAsync(buffer);
                    if (n == 0) return;
                    head.AddRange(buffer.AsSpan(0, n).ToArray());
                    end = Encoding.ASCII.GetString(head.ToArray()).IndexOf("\r\n\r\n", StringComparison.Ordinal);
                }
                string text = Encoding.ASCII.GetString(head.ToArray(), 0, end);
                string[] requestLine = text.Split("\r\n")[0].Split(' ');
                var length = Regex.Match(text, @"\r\nContent-Length:\s*(\d+)", RegexOptions.IgnoreCase);
                int bodyLength = length.Success ? int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
                var body = head.Skip(end + 4).ToList();
                while (body.Count < bodyLength)
                {
                    int n = await stream.ReadAsync(buffer);
                    if (n == 0) return;
                    body.AddRange(buffer.AsSpan(0, n).ToArray());
                }
                (int status, string type, byte[] content) = (requestLine[0], requestLine[1]) switch
                {
                    ("GET", "/") => (200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(_page)),
                    ("POST", "/result") => (204, "text/plain", Array.Empty<byte>()),
                    _ => (404, "text/plain", Array.Empty<byte>()),
                };
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {status} X\r\nContent-Type: {type}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(content);
                if (requestLine[0] == "POST" && requestLine[1] == "/result")
                    Volatile.Read(ref _result).TrySetResult(Encoding.UTF8.GetString(body.ToArray()));
            }
            catch (IOException)
            {
                // the browser went away
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _loop;
        }
    }
}
