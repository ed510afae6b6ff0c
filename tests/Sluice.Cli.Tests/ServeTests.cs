using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sluice.S3.Auth;

namespace Sluice.Cli.Tests;

/// <summary>`sluice serve` as a real process: announces its endpoint, answers signed requests, stops on SIGTERM.</summary>
public class ServeTests
{
    private const string AccessKey = "AKIDCLISERVE", Secret = "cli/serve+secret";

    [Fact]
    public async Task Serve_answers_signed_requests_and_exits_zero_on_sigterm()
    {
        await ServeAsync(["--access-key", AccessKey, "--secret-key", Secret], async (endpoint, line, data) =>
        {
            Assert.Contains("credentials from options", line);
            using var http = new HttpClient();
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/served", AccessKey, Secret)).StatusCode);
            using var list = await SendAsync(http, endpoint, HttpMethod.Get, "/", AccessKey, Secret);
            Assert.Equal(200, (int)list.StatusCode);
            Assert.Contains("<Name>served</Name>", await list.Content.ReadAsStringAsync());
            using var unsigned = await http.GetAsync(endpoint);
            Assert.Equal(403, (int)unsigned.StatusCode);
            return () => Assert.True(Directory.Exists(Path.Combine(data, "served")));
        });
    }

    /// <summary>
    /// `--emulate-s3-limits` with a budget so small that one write spends it for minutes (the test cannot be slow enough
    /// to see it refill): the second PUT to the partition is 503 SlowDown with x-amz-retry-after, and `sluice partitions`
    /// (the real executable) shows the throttled request.
    /// </summary>
    [Fact]
    public async Task Serve_emulating_s3_limits_answers_slowdown_and_sluice_partitions_shows_it()
    {
        await ServeAsync(["--access-key", AccessKey, "--secret-key", Secret, "--emulate-s3-limits=aws", "--partition-rate", "0.000001"],
            async (endpoint, line, data) =>
            {
                Assert.Contains("sluice: emulating S3 limits (aws): each partition takes 0 writes/s and 0.01 reads/s, then 503 SlowDown; a partition hot for 60 s splits", line);
                using var http = new HttpClient();
                Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/limited", AccessKey, Secret)).StatusCode);
                Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/limited/a", AccessKey, Secret, body: [1])).StatusCode);
                using var refused = await SendAsync(http, endpoint, HttpMethod.Put, "/limited/b", AccessKey, Secret, body: [2]);
                Assert.Equal(503, (int)refused.StatusCode);
                Assert.Contains("<Code>SlowDown</Code><Message>Please reduce your request rate.</Message>", await refused.Content.ReadAsStringAsync());
                Assert.True(long.Parse(refused.Headers.GetValues("x-amz-retry-after").Single(), System.Globalization.CultureInfo.InvariantCulture) > 60_000);

                var shown = SluiceProcess.Run(new Dictionary<string, string?>
                {
                    ["AWS_ENDPOINT_URL"] = endpoint.ToString(),
                    ["AWS_ACCESS_KEY_ID"] = AccessKey,
                    ["AWS_SECRET_ACCESS_KEY"] = Secret,
                    ["AWS_PROFILE"] = null,
                    ["AWS_CONFIG_FILE"] = Path.Combine(data, "no-config"),
                    ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(data, "no-credentials"),
                }, null, "partitions", "s3://limited");
                Assert.True(shown.ExitCode == 0, shown.StdErr);
                string[] lines = shown.StdOut.TrimEnd('\n').Split('\n');
                Assert.Equal("s3://limited: 1 partitions, 1 keys; S3 limits emulation 'aws': 0 writes/s, 0.01 reads/s per partition", lines[0]);
                Assert.Matches(@"^\(start\)\s+\(end\)\s+1\s+\S+\s+\S+\s+1\s+\S+$", lines[2]);
                return () => { };
            }, bannerLines: 2);

        Assert.Equal(Program.ExitUsage, SluiceProcess.Run("serve", "--memory", "--partition-rate", "0.1").ExitCode);
        Assert.Equal(Program.ExitUsage, SluiceProcess.Run("serve", "--memory", "--emulate-s3-limits=azure").ExitCode);
        Assert.Equal(Program.ExitUsage, SluiceProcess.Run("serve", "--memory", "--emulate-s3-limits", "--partition-rate", "0").ExitCode);
    }

    [Fact]
    public async Task Serve_with_a_tls_certificate_announces_https_and_answers_over_tls()
    {
        using var ca = new Sluice.Server.Tests.Tls.TestCa();
        string dir = Path.Combine(Path.GetTempPath(), "sluice-serve-tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string cert = Path.Combine(dir, "cert.pem"), key = Path.Combine(dir, "key.pem");
            await File.WriteAllTextAsync(cert, ca.ServerCertificatePem);
            await File.WriteAllTextAsync(key, ca.ServerKeyPem);
            await ServeAsync(["--access-key", AccessKey, "--secret-key", Secret, "--tls-cert", cert, "--tls-key", key],
                async (endpoint, line, data) =>
                {
                    Assert.Equal("https", endpoint.Scheme);
                    using var http = new HttpClient(ca.Handler()); // trusts the test CA only
                    Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/secure", AccessKey, Secret)).StatusCode);
                    using var list = await SendAsync(http, endpoint, HttpMethod.Get, "/", AccessKey, Secret);
                    Assert.Contains("<Name>secure</Name>", await list.Content.ReadAsStringAsync());
                    return () => Assert.True(Directory.Exists(Path.Combine(data, "secure")));
                });

            var missing = SluiceProcess.Run("serve", "--data", Path.Combine(dir, "unused"), "--tls-cert", Path.Combine(dir, "none.pem"),
                "--tls-key", key);
            Assert.Equal(Program.ExitFailure, missing.ExitCode);
            Assert.StartsWith("sluice: --tls-cert/--tls-key: ", Assert.Single(missing.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

            var alone = SluiceProcess.Run("serve", "--data", Path.Combine(dir, "unused"), "--tls-cert", cert);
            Assert.Equal(Program.ExitUsage, alone.ExitCode);
            Assert.Contains("--tls-cert and --tls-key go together", Assert.Single(alone.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_writes_the_access_log_file_and_serves_metrics_where_its_banner_says()
    {
        string accessLog = Path.Combine(Path.GetTempPath(), "sluice-serve-access-" + Guid.NewGuid().ToString("N") + ".log");
        try
        {
            await ServeAsync(["--access-key", AccessKey, "--secret-key", Secret, "--access-log", accessLog, "--metrics", "127.0.0.1:0"],
                async (endpoint, line, _) =>
                {
                    var metrics = Regex.Match(line, @"; metrics at (http://127\.0\.0\.1:(\d+)/metrics)$");
                    Assert.True(metrics.Success, line);
                    Assert.NotEqual("0", metrics.Groups[2].Value);
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                    Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/logged", AccessKey, Secret)).StatusCode);
                    // The server counts a request once its response is out: scrape until it shows (bounded).
                    string text = "";
                    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    while (!Regex.IsMatch(text, @"^sluice_server_requests_total\{[^}]*operation=""CreateBucket""[^}]*\} 1$", RegexOptions.Multiline))
                    {
                        Assert.False(deadline.IsCancellationRequested, text);
                        text = await http.GetStringAsync(new Uri(metrics.Groups[1].Value), deadline.Token);
                    }
                    // After the stop (the log is written out then): the request's line, principal and all.
                    return () => Assert.Matches(
                        @$"^\S+Z [0-9A-F]{{16}} {AccessKey} CreateBucket logged - 200 0 0 \d+\.\d{{3}}$",
                        Assert.Single(File.ReadAllLines(accessLog)));
                });
        }
        finally
        {
            File.Delete(accessLog);
        }
    }

    [Fact]
    public async Task Serve_with_listen_h2_announces_and_answers_h2c_by_prior_knowledge()
    {
        await ServeAsync(["--access-key", AccessKey, "--secret-key", Secret, "--listen-h2", "127.0.0.1:0"], async (_, banner, _) =>
        {
            var lines = banner.Split('\n');
            Assert.Contains("(HTTP/1.1;", lines[0]);
            var match = Regex.Match(lines[1], @"^sluice: serving S3 at (http://127\.0\.0\.1:(\d+))/? \(HTTP/1\.1 and HTTP/2 \(h2c by prior knowledge\); Kestrel\)$");
            Assert.True(match.Success, lines[1]);
            var h2 = new Uri(match.Groups[1].Value);
            using var http = new HttpClient();
            using var put = await SendAsync(http, h2, HttpMethod.Put, "/over-h2", AccessKey, Secret, HttpVersion.Version20);
            Assert.Equal(200, (int)put.StatusCode);
            Assert.Equal(HttpVersion.Version20, put.Version);
            using var list = await SendAsync(http, h2, HttpMethod.Get, "/", AccessKey, Secret); // HTTP/1.1 on the same port
            Assert.Equal(HttpVersion.Version11, list.Version);
            Assert.Contains("<Name>over-h2</Name>", await list.Content.ReadAsStringAsync());
            return () => { };
        }, bannerLines: 2);
    }

    [Fact]
    public async Task Serve_with_memory_keeps_objects_in_memory_and_refuses_writes_past_its_limit_with_507()
    {
        await ServeAsync(["--access-key", AccessKey, "--secret-key", Secret, "--memory-limit", "1MiB"], async (endpoint, line, data) =>
        {
            Assert.Contains("in memory, limit 1MiB", line);
            using var http = new HttpClient();
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/mem", AccessKey, Secret)).StatusCode);
            var small = RandomNumberGenerator.GetBytes(300_000);
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/mem/small", AccessKey, Secret, body: small)).StatusCode);
            using var full = await SendAsync(http, endpoint, HttpMethod.Put, "/mem/big", AccessKey, Secret,
                body: RandomNumberGenerator.GetBytes(1 << 20));
            Assert.Equal(507, (int)full.StatusCode);
            Assert.Contains("<Code>XSluiceStorageFull</Code>", await full.Content.ReadAsStringAsync());
            using var get = await SendAsync(http, endpoint, HttpMethod.Get, "/mem/small", AccessKey, Secret);
            Assert.Equal(small, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(404, (int)(await SendAsync(http, endpoint, HttpMethod.Head, "/mem/big", AccessKey, Secret)).StatusCode);
            return () => Assert.False(Directory.Exists(data), "the memory store wrote a data directory");
        }, memory: true);
    }

    [Fact]
    public async Task Serve_with_a_short_lifecycle_day_expires_objects_by_the_rules_by_itself()
    {
        await ServeAsync(["--access-key", AccessKey, "--secret-key", Secret, "--lifecycle-day", "0.5"], async (endpoint, line, data) =>
        {
            using var http = new HttpClient();
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/life", AccessKey, Secret)).StatusCode);
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/life/tmp/x", AccessKey, Secret, body: [1])).StatusCode);
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/life/keep/y", AccessKey, Secret, body: [2])).StatusCode);
            byte[] rules = System.Text.Encoding.UTF8.GetBytes("<LifecycleConfiguration><Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter>" +
                "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>");
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/life", AccessKey, Secret, body: rules, query: "lifecycle")).StatusCode);
            // The server's own loop (a pass every eighth of a second here) removes tmp/x about half a second after it
            // was written; wait for that, bounded only against a hang.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((int)(await SendAsync(http, endpoint, HttpMethod.Head, "/life/tmp/x", AccessKey, Secret)).StatusCode != 404)
            {
                Assert.True(DateTime.UtcNow < deadline, "the lifecycle rule never expired tmp/x");
                await Task.Delay(50);
            }
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Head, "/life/keep/y", AccessKey, Secret)).StatusCode);
            return () => { };
        }, memory: true);
    }

    [Fact]
    public async Task Serve_takes_every_pair_of_a_credentials_file()
    {
        string file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, $"# test keys\n{AccessKey} {Secret}\n\nAKIDSECOND   second/secret\n");
        try
        {
            await ServeAsync(["--credentials", file], async (endpoint, line, _) =>
            {
                using var http = new HttpClient();
                Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Get, "/", AccessKey, Secret)).StatusCode);
                Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Get, "/", "AKIDSECOND", "second/secret")).StatusCode);
                Assert.Equal(403, (int)(await SendAsync(http, endpoint, HttpMethod.Get, "/", "AKIDSECOND", "wrong")).StatusCode);
                return () => { };
            });
            await File.WriteAllTextAsync(file, "only-one-field\n");
            var bad = SluiceProcess.Run("serve", "--data", Path.Combine(Path.GetTempPath(), "unused"), "--credentials", file);
            Assert.Equal(Program.ExitFailure, bad.ExitCode);
            Assert.Matches("^sluice: --credentials: .*:1: expected 'ACCESS_KEY SECRET_KEY \\[USER .*\\]'$", bad.StdErr.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Serve_credentials_name_users_who_own_their_buckets()
    {
        string file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "AKIDALICE alice/secret alice\nAKIDALICE2 alice2/secret alice\nAKIDBOB bob/secret bob - email=bob@example.com\n");
        try
        {
            await ServeAsync(["--credentials", file], async (endpoint, line, _) =>
            {
                using var http = new HttpClient();
                Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/alices", "AKIDALICE", "alice/secret")).StatusCode);
                // Two keys, one user: the second key sees (and owns) the first's bucket; bob neither.
                var mine = await (await SendAsync(http, endpoint, HttpMethod.Get, "/", "AKIDALICE2", "alice2/secret")).Content.ReadAsStringAsync();
                Assert.Contains("<Name>alices</Name>", mine, StringComparison.Ordinal);
                Assert.Contains("<DisplayName>alice</DisplayName>", mine, StringComparison.Ordinal);
                var bobs = await (await SendAsync(http, endpoint, HttpMethod.Get, "/", "AKIDBOB", "bob/secret")).Content.ReadAsStringAsync();
                Assert.DoesNotContain("alices", bobs, StringComparison.Ordinal);
                Assert.Equal(409, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/alices", "AKIDBOB", "bob/secret")).StatusCode);
                Assert.Equal(403, (int)(await SendAsync(http, endpoint, HttpMethod.Get, "/alices/x", "AKIDBOB", "bob/secret")).StatusCode);
                Assert.Equal(403, (int)(await http.GetAsync(new Uri(endpoint, "/alices?list-type=2"))).StatusCode); // anonymous
                return () => { };
            });
            await File.WriteAllTextAsync(file, "K1 S1 alice\nK2 S2 alice - admin\n");
            var bad = SluiceProcess.Run("serve", "--data", Path.Combine(Path.GetTempPath(), "unused"), "--credentials", file);
            Assert.Equal(Program.ExitFailure, bad.ExitCode);
            Assert.Matches("^sluice: --credentials: .*:2: user 'alice' is described differently on an earlier line$", bad.StdErr.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Serve_on_a_port_another_server_listens_on_exits_1_address_in_use()
    {
        await ServeAsync([], async (endpoint, _, _) =>
        {
            // SO_REUSEPORT lets sockets share a port: the second server must not join the first one's listeners.
            string data = Path.Combine(Path.GetTempPath(), "sluice-serve-" + Guid.NewGuid().ToString("N"));
            var second = SluiceProcess.Run("serve", "--data", data, "--listen", $"127.0.0.1:{endpoint.Port}", "--reactors", "2");
            try { Directory.Delete(data, recursive: true); } catch (DirectoryNotFoundException) { }
            Assert.Equal(Program.ExitFailure, second.ExitCode);
            Assert.Contains("address already in use", second.StdErr, StringComparison.OrdinalIgnoreCase);
            Assert.Single(second.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            return () => { };
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Serve_on_a_port_a_socket_listens_on_exits_1_address_in_use(bool reusePort)
    {
        using var other = new Socket(SocketType.Stream, ProtocolType.Tcp);
        if (reusePort) other.SetRawSocketOption(1, 15, BitConverter.GetBytes(1)); // SOL_SOCKET, SO_REUSEPORT
        other.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        other.Listen();
        int port = ((IPEndPoint)other.LocalEndPoint!).Port;
        string data = Path.Combine(Path.GetTempPath(), "sluice-serve-" + Guid.NewGuid().ToString("N"));
        var r = SluiceProcess.Run("serve", "--data", data, "--listen", $"127.0.0.1:{port}");
        try { Directory.Delete(data, recursive: true); } catch (DirectoryNotFoundException) { }
        Assert.Equal(Program.ExitFailure, r.ExitCode);
        Assert.Contains("address already in use", r.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("uring")]
    [InlineData("managed")]
    public async Task Serve_outlives_a_flood_of_connections_beyond_its_descriptor_limit(string engine)
    {
        // 256 descriptors, 400 connections: the server used to take them all, and the runtime, out of descriptors
        // for a new thread, reported "Out of memory." and aborted. Now accepting pauses at the budget instead.
        string data = Path.Combine(Path.GetTempPath(), "sluice-serve-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-c", "ulimit -n 256 && exec dotnet \"$@\"", "bash",
                     Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "serve", "--data", data,
                     "--listen", "127.0.0.1:0", "--reactors", "2", "--anonymous-full-access", "--engine", engine })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var flood = new List<Socket>();
        try
        {
            var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stderrLines = new List<string>();
            var stderr = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    lock (stderrLines) stderrLines.Add(line);
                    if (line.Contains("not accepting connections", StringComparison.Ordinal)) paused.TrySetResult();
                }
            });
            string? first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.NotNull(first);
            var match = Regex.Match(first, @"serving S3 at http://127\.0\.0\.1:(\d+)/?");
            Assert.True(match.Success, first);
            var endPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

            using var established = await ConnectAsync(endPoint);
            int status = await RequestAsync(established);

            for (int i = 0; i < 400; i++) flood.Add(await ConnectAsync(endPoint));
            var exited = process.WaitForExitAsync();
            var hangGuard = Task.Delay(TimeSpan.FromMinutes(2));
            var done = await Task.WhenAny(paused.Task, exited, hangGuard);
            Assert.True(done == paused.Task, process.HasExited
                ? $"the server died (exit {process.ExitCode}): {string.Join(" | ", stderrLines)}" : "no pause was logged");

            Assert.Equal(status, await RequestAsync(established)); // connections already open are still served
            Assert.False(process.HasExited);

            // One line for the episode so far: the flood still holds every descriptor the budget allows. (Once it
            // closes, the connections still queued in the backlog are accepted and may start a second episode.)
            lock (stderrLines) Assert.Single(stderrLines, l => l.Contains("not accepting connections", StringComparison.Ordinal));

            foreach (var s in flood) s.Dispose();
            flood.Clear();
            using (var fresh = await ConnectAsync(endPoint)) Assert.Equal(status, await RequestAsync(fresh));
            Assert.False(process.HasExited);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            await stderr;
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            foreach (var s in flood) s.Dispose();
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await s.ConnectAsync(endPoint, guard.Token);
        return s;
    }

    /// <summary>Sends an unsigned GET and reads the whole response; returns its status.</summary>
    private static async Task<int> RequestAsync(Socket s)
    {
        await s.SendAsync("GET /no-such-bucket HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            string text = System.Text.Encoding.ASCII.GetString(received.ToArray());
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = Regex.Match(text[..end], @"Content-Length: (\d+)", RegexOptions.IgnoreCase);
                if (received.Count >= end + 4 + (length.Success ? int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0))
                    return int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            int n = await s.ReceiveAsync(buffer, guard.Token);
            if (n == 0) throw new EndOfStreamException("the server closed the connection: " + text);
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Runs `sluice serve` on a free port with <paramref name="extra"/> arguments, hands the announced endpoint
    /// to <paramref name="use"/>, then stops it with SIGTERM and checks a clean exit 0 before the returned check.</summary>
    internal static async Task ServeAsync(string[] extra, Func<Uri, string, string, Task<Action>> use, int bannerLines = 1,
        bool memory = false)
    {
        string data = Path.Combine(Path.GetTempPath(), "sluice-serve-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] store = memory ? ["--memory"] : ["--data", data];
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "serve" }.Concat(store)
                     .Concat(["--listen", "127.0.0.1:0", "--reactors", "2"]).Concat(extra))
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(line);
            for (int i = 1; i < bannerLines; i++)
                line += "\n" + await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var match = Regex.Match(line, @"serving S3 at (https?://127\.0\.0\.1:(\d+))/?");
            Assert.True(match.Success, line);
            var check = await use(new Uri(match.Groups[1].Value), line, data);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Equal("", await stderr);
            check();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("serve", "--data", "/tmp/x", "--listen", "not-an-endpoint")]
    [InlineData("serve", "--data", "/tmp/x", "--access-key", "only-the-key")]
    [InlineData("serve", "--data", "/tmp/x", "--access-key", "k", "--secret-key", "s", "--credentials", "/tmp/f")]
    [InlineData("serve", "--memory", "--data", "/tmp/x")]
    [InlineData("serve", "--data", "/tmp/x", "--memory-limit", "1GiB")]
    [InlineData("serve", "--memory", "--memory-limit", "lots")]
    [InlineData("serve", "--memory", "--lifecycle-day", "0")]
    [InlineData("serve", "--memory", "--placement-socket", "/tmp/sluice-placement-test.sock")]
    [InlineData("serve", "--memory", "--partition-rate", "0.1")]
    public void Bad_serve_arguments_are_usage_errors(params string[] args)
    {
        var r = SluiceProcess.Run(args);
        Assert.Equal(Program.ExitUsage, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, Uri endpoint, HttpMethod method, string path,
        string accessKey, string secret, Version? version = null, byte[]? body = null, string? query = null)
    {
        var headers = new SigV4HeaderList();
        headers.Add("Host", $"{endpoint.Host}:{endpoint.Port}");
        new SigV4Signer(accessKey, secret, "us-east-1").SignHeaders(headers, method.Method, path, query,
            Convert.ToHexStringLower(SHA256.HashData(body ?? [])), DateTimeOffset.UtcNow);
        var request = new HttpRequestMessage(method, new Uri(endpoint, query == null ? path : path + "?" + query))
        {
            Version = version ?? HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact, // HTTP/2: prior knowledge, no upgrade or downgrade
            Content = body == null ? null : new ByteArrayContent(body),
        };
        for (int i = 0; i < headers.Count; i++)
        {
            if (headers.GetNameString(i).Equals("host", StringComparison.OrdinalIgnoreCase)) continue;
            request.Headers.TryAddWithoutValidation(headers.GetNameString(i), headers.GetValueString(i));
        }
        return http.SendAsync(request);
    }
}
