using System.Net;
using System.Text.RegularExpressions;
using Sluice.Cli.Bench;
using Sluice.Cli.Tests.Bench;
using Sluice.Server;

namespace Sluice.Cli.Tests.Commands;

/// <summary>`sluice bench` as a user runs it: the real executable, its own embedded server or a given endpoint.</summary>
public class BenchCommandTests
{
    /// <summary>A printed figure: "12345", "950.3" or "0.25" depending on its size.</summary>
    private const string Number = @"[0-9][0-9.,]*";

    private static readonly string[] ShortRun = ["bench", "-d", "2s", "-s", "4KiB", "--objects", "40", "-c", "4", "--quiet"];

    [Fact]
    public async Task A_short_run_on_the_embedded_server_prints_the_table_and_writes_json_and_a_drawn_report()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sluice-bench-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string json = Path.Combine(dir, "run.json"), html = Path.Combine(dir, "run.html");
            var run = SluiceProcess.Run([.. ShortRun, "-w", "put", "-w", "get", "--json", json, "--report", html]);
            Assert.True(run.ExitCode == 0, run.StdErr);
            Assert.Matches(new Regex(@"^workload\s+ops/s\s+MiB/s\s+p50 ms", RegexOptions.Multiline), run.StdOut);
            Assert.Matches(new Regex($@"^put 4KiB\s+{Number}\s", RegexOptions.Multiline), run.StdOut);
            Assert.Matches(new Regex($@"^get 4KiB\s+{Number}\s", RegexOptions.Multiline), run.StdOut);

            var report = BenchReport.Load(json);
            Assert.True(report.Config.EmbeddedServer);
            Assert.Equal(["put 4KiB", "get 4KiB"], report.Results.Select(r => r.Name));
            foreach (var r in report.Results)
            {
                Assert.True(r.Operations > 0, r.Name);
                Assert.Empty(r.Errors);
                Assert.Equal(r.Operations * 4096, r.Bytes);
                Assert.True(r.ServerCpuSeconds > 0 && r.ServerPeakRssBytes > 0, "server figures come from the child process");
                Assert.True(r.ClientCpuSeconds > 0 && r.ClientPeakRssBytes > 0);
                // The timeline also holds the (default, 1 s) warm-up's requests, which the figures leave out.
                Assert.Equal(1, r.WarmupSeconds);
                Assert.True(r.Timeline.Sum(p => p.Operations) > r.Operations, "the warm-up is in the timeline");
                Assert.Equal(r.Operations, r.Latencies.Sum(b => b.Count));
                Assert.True(r.Latency.P50 <= r.Latency.P99 && r.Latency.P99 <= r.Latency.Max);
            }

            if (File.Exists(ChromiumFactAttribute.Path))
            {
                string dom = await HtmlReportTests.DumpDomAsync(html);
                Assert.Contains("data-charts-drawn=\"4\"", dom);
            }

            var compare = SluiceProcess.Run("bench", "compare", json, json);
            Assert.Equal(0, compare.ExitCode);
            // The rate's format depends on its size (a decimal below 1,000 ops/s on a slow machine): any number will do.
            Assert.Matches(new Regex($@"^ops/s\s+{Number}\s+{Number}\s+1\.00x$", RegexOptions.Multiline), compare.StdOut);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_endpoint_run_uses_that_server_and_leaves_nothing_behind()
    {
        string data = Path.Combine(Path.GetTempPath(), "sluice-bench-ep-" + Guid.NewGuid().ToString("N"));
        await using var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = data,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { ["AKIDBENCH"] = "bench/secret" },
            Reactors = 2,
        });
        try
        {
            var env = new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = "AKIDBENCH", ["AWS_SECRET_ACCESS_KEY"] = "bench/secret",
                ["AWS_ENDPOINT_URL"] = null, ["AWS_PROFILE"] = null,
            };
            var run = SluiceProcess.Run(env, null, [.. ShortRun, "--endpoint", server.Endpoint.ToString(), "-w", "mixed", "-w", "list", "-w", "delete", "--keys", "hashed"]);
            Assert.True(run.ExitCode == 0, run.StdErr);
            foreach (string w in new[] { "mixed", "list", "delete" }) Assert.Matches(new Regex($@"^{w} 4KiB\s+{Number}\s", RegexOptions.Multiline), run.StdOut);
            // The bench bucket and every object are gone: only the data directory's own entries remain.
            Assert.DoesNotContain(Directory.EnumerateDirectories(data), d => Path.GetFileName(d).StartsWith("sluice-bench-", StringComparison.Ordinal));
        }
        finally
        {
            await server.StopAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Throttling_is_absorbed_and_reported_with_the_rate_each_prefix_settled_at()
    {
        string data = Path.Combine(Path.GetTempPath(), "sluice-bench-thr-" + Guid.NewGuid().ToString("N"));
        string json = Path.Combine(Path.GetTempPath(), $"sluice-bench-thr-{Guid.NewGuid():N}.json");
        await using var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = data,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { ["AKIDBENCH"] = "bench/secret" },
            Reactors = 2,
        });
        try
        {
            var env = new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = "AKIDBENCH", ["AWS_SECRET_ACCESS_KEY"] = "bench/secret",
                ["AWS_ENDPOINT_URL"] = null, ["AWS_PROFILE"] = null,
            };
            Assert.Equal(0, SluiceProcess.Run(env, null, "mb", "--endpoint", server.Endpoint.ToString(), "s3://thrbench").ExitCode);
            // The first five object PUTs are answered 503 SlowDown, as a hot S3 partition would; bucket calls pass.
            var throttle = new Sluice.Client.Tests.Faults.ScriptedThrottle("/thrbench/sluice-bench-", times: 5, retryAfterMs: 1);
            await using var proxy = new Sluice.Client.Tests.Faults.FaultProxy(server.LocalEndPoint, _ => Sluice.Client.Tests.Faults.Fault.None,
                answer: throttle.Answer);
            var run = SluiceProcess.Run(env, null, "bench", "--endpoint", proxy.Endpoint.ToString(), "--bucket", "thrbench", "--retries", "10",
                "-n", "30", "-d", "60s", "-s", "4KiB", "-w", "put", "-c", "4", "--keys", "hashed", "--json", json);
            Assert.True(run.ExitCode == 0, run.StdErr);
            Assert.Equal(5, throttle.Answered);
            WorkloadResult r = Assert.Single(BenchReport.Load(json).Results);
            Assert.Equal((30L, 5L, 5L), (r.Operations, r.ThrottledRequests, r.ThrottledRetries));
            Assert.Empty(r.Errors); // every 503 absorbed by the client's backoff
            Assert.NotNull(r.ThrottledPrefixes);
            // Each hash prefix is a prefix of its own; two of them throttled within a second also give the job's prefix
            // (their parent) a shared rate (PrefixRateLimiter.SiblingWindow), which a slow machine may not reach.
            var hashPrefixes = r.ThrottledPrefixes.Where(p => p.Prefix.Count(c => c == '/') == 3).ToList();
            Assert.All(hashPrefixes, p => Assert.Matches("^thrbench/sluice-bench-[0-9a-f]+/put-[0-9A-Za-z]+/[0-9a-f]{4}$", p.Prefix));
            Assert.All(r.ThrottledPrefixes.Except(hashPrefixes), p => Assert.Matches("^thrbench/sluice-bench-[0-9a-f]+/put-[0-9A-Za-z]+$", p.Prefix));
            Assert.All(r.ThrottledPrefixes, p => Assert.InRange(p.LowestRequestsPerSecond, 1, 1750));
            Assert.Equal(5, hashPrefixes.Sum(p => p.Throttles));
            Assert.Matches(new Regex(@"^put \S+: 5 requests throttled \(503 SlowDown\), 5 retried; prefixes settled at thrbench/", RegexOptions.Multiline), run.StdOut);
        }
        finally
        {
            await server.StopAsync();
            Directory.Delete(data, recursive: true);
            File.Delete(json);
        }
    }

    [Fact]
    public void Count_ends_each_workload_after_exactly_that_many_operations()
    {
        string json = Path.Combine(Path.GetTempPath(), $"sluice-bench-count-{Guid.NewGuid():N}.json");
        try
        {
            var run = SluiceProcess.Run("bench", "-n", "25", "-d", "60s", "-s", "4KiB", "-w", "put", "-w", "delete", "--objects", "40", "-c", "4", "--quiet", "--json", json);
            Assert.True(run.ExitCode == 0, run.StdErr);
            var report = BenchReport.Load(json);
            Assert.Equal(25, report.Config.Count);
            Assert.All(report.Results, r => Assert.Equal(25, r.Operations));
            Assert.All(report.Results, r => Assert.True(r.Seconds < 30, $"{r.Name} ran {r.Seconds:F1}s: the count did not end it"));
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task A_mix_of_random_sizes_is_broken_down_by_operation_saved_and_analyzed_to_the_same_figures()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sluice-bench-mix-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string json = Path.Combine(dir, "run.json"), ops = Path.Combine(dir, "run.csv.gz"), html = Path.Combine(dir, "run.html");
            var run = SluiceProcess.Run("bench", "-d", "2s", "--warmup", "1s", "-s", "4KiB..64KiB", "--objects", "30", "-c", "4",
                "--mix", "get=60,put=25,head=10,delete=5", "--json", json, "--save-ops", ops, "--report", html);
            Assert.True(run.ExitCode == 0, run.StdErr);
            string[] lines = run.StdOut.TrimEnd().Split('\n');
            Assert.All(lines, line => Assert.True(line.Length <= 100, $"wider than 100 columns: {line}"));
            Assert.Matches(new Regex(@"^workload\s+ops/s\s+MiB/s\s+p50 ms\s+p90 ms\s+p99 ms\s+p99\.9 ms\s+max ms\s+TTFB ms\s+errors$"), lines[0]);
            string row = Assert.Single(lines, l => l.StartsWith("mixed 4KiB..64KiB ", StringComparison.Ordinal));
            foreach (string op in new[] { "get", "put", "head", "delete" }) Assert.Matches(new Regex($@"^  {op} [0-9]+%\s+{Number}\s", RegexOptions.Multiline), run.StdOut);
            Assert.Contains(lines, l => l.StartsWith("p50 ms .. max ms: ", StringComparison.Ordinal)); // the legend

            var result = Assert.Single(BenchReport.Load(json).Results);
            Assert.Equal("get=60,put=25,head=10,delete=5", result.Mix);
            Assert.Equal("4KiB..64KiB", result.Size);
            Assert.Equal(["get", "put", "head", "delete"], result.ByOperation!.Select(o => o.Operation));
            Assert.Equal(result.Operations, result.ByOperation!.Sum(o => o.Operations));
            Assert.NotNull(result.Ttfb);
            Assert.True(result.Latency.P99 <= result.Latency.P999 && result.Latency.P999 <= result.Latency.Max);

            var (_, records) = OpsFile.Load(ops);
            var all = Assert.Single(records);
            Assert.Equal(result.Operations, all.Count(r => r.StartMicros >= 1_000_000));
            Assert.Contains(all, r => r.StartMicros < 1_000_000); // the warm-up's requests are saved, and marked by their start
            Assert.All(all, r => Assert.InRange(r.Size, 4096, 65536));
            Assert.True(all.Select(r => r.Size).Distinct().Count() > 5, "sizes are drawn at random");
            Assert.All(all.Where(r => r.Op == OpKind.Get && r.Error is null), r => Assert.InRange(r.TtfbMicros, 0, r.DurationMicros));
            Assert.All(all.Where(r => r.Op == OpKind.Get && r.Error is null), r => Assert.Equal(r.Size, r.Bytes));
            Assert.All(all.Where(r => r.Op != OpKind.Get), r => Assert.Equal(-1, r.TtfbMicros));

            // analyze recomputes the run's own figures from the saved requests.
            var analyze = SluiceProcess.Run("bench", "analyze", ops, "--segment", "500ms");
            Assert.True(analyze.ExitCode == 0, analyze.StdErr);
            Assert.Contains(row, analyze.StdOut.Split('\n'));
            // 2 s in whole 500 ms segments (a fifth if the end's timer fired late on a loaded machine).
            Assert.Matches(new Regex(@"^mixed 4KiB\.\.64KiB\s+[45]\s+ops/s\s", RegexOptions.Multiline), analyze.StdOut);
            Assert.Matches(new Regex(@"^  delete\s+[45]\s+ops/s\s", RegexOptions.Multiline), analyze.StdOut);

            if (File.Exists(ChromiumFactAttribute.Path))
            {
                string dom = await HtmlReportTests.DumpDomAsync(html);
                Assert.Contains("data-charts-drawn=\"5\"", dom); // requests by operation, and a latency chart per operation
                Assert.Contains("<rect class=\"warmup\"", dom);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Autoterm_ends_a_run_once_its_throughput_is_stable()
    {
        string json = Path.Combine(Path.GetTempPath(), $"sluice-bench-autoterm-{Guid.NewGuid():N}.json");
        try
        {
            // Within 100 % of their mean, any two busy seconds agree: the run must end long before its minute.
            var run = SluiceProcess.Run("bench", "-d", "60s", "--warmup", "0", "--autoterm", "--autoterm-window", "2s", "--autoterm-pct", "100",
                "-w", "get", "-s", "4KiB", "--objects", "10", "-c", "2", "--json", json);
            Assert.True(run.ExitCode == 0, run.StdErr);
            var result = Assert.Single(BenchReport.Load(json).Results);
            Assert.True(result.AutoTerminated);
            Assert.True(result.Seconds < 50, $"ran {result.Seconds:F1} s");
            Assert.Contains("get 4KiB: throughput was stable, --autoterm ended it after", run.StdOut);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void Analyze_refuses_a_file_that_is_not_an_ops_file()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "op,start\n");
            var r = SluiceProcess.Run("bench", "analyze", path);
            Assert.Equal(Program.ExitFailure, r.ExitCode);
            Assert.Matches("^sluice: bench analyze: .*not a sluice bench ops file", r.StdErr.Trim());
            var bad = SluiceProcess.Run("bench", "analyze", path, "--segment", "never");
            Assert.Equal(Program.ExitUsage, bad.ExitCode);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("unknown workload", "bench", "-w", "teleport")]
    [InlineData("a mix that deletes more than it puts", "bench", "--mix", "get=10,delete=5")]
    [InlineData("an unknown operation in the mix", "bench", "--mix", "get=10,teleport=5")]
    [InlineData("a bad warm-up", "bench", "--warmup", "soon")]
    [InlineData("a backwards size range", "bench", "-s", "16MiB..4KiB")]
    [InlineData("an agent without a port", "bench", "--agents", "localhost")]
    [InlineData("an autoterm band of nothing", "bench", "--autoterm", "--autoterm-pct", "0")]
    [InlineData("an autoterm window of one second", "bench", "--autoterm", "--autoterm-window", "1s")]
    [InlineData("bad size", "bench", "-s", "lots")]
    [InlineData("bad duration", "bench", "-d", "soon")]
    [InlineData("zero concurrency", "bench", "-c", "0")]
    [InlineData("zero count", "bench", "-n", "0")]
    public void Bad_bench_arguments_are_one_line_usage_errors(string why, params string[] args)
    {
        var r = SluiceProcess.Run(args);
        Assert.True(r.ExitCode == Program.ExitUsage, why + ": " + r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void An_unreachable_endpoint_and_a_bad_report_file_fail_with_one_line()
    {
        var env = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "k", ["AWS_SECRET_ACCESS_KEY"] = "s" };
        var r = SluiceProcess.Run(env, null, "bench", "--endpoint", "http://127.0.0.1:1", "-d", "1s", "-s", "4KiB");
        Assert.Equal(Program.ExitFailure, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string notJson = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notJson, "{\"hello\": 1}");
            var c = SluiceProcess.Run("bench", "compare", notJson, notJson);
            Assert.Equal(Program.ExitFailure, c.ExitCode);
            Assert.Matches("^sluice: bench compare: .*not a sluice bench report", c.StdErr.Trim());
        }
        finally
        {
            File.Delete(notJson);
        }
    }
}
