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
            Assert.Matches(new Regex(@"^workload\s+ops/s\s+GiB/s\s+p50 ms", RegexOptions.Multiline), run.StdOut);
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
                Assert.Equal(r.Operations, r.Timeline.Sum(p => p.Operations));
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

    [Theory]
    [InlineData("unknown workload", "bench", "-w", "teleport")]
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
