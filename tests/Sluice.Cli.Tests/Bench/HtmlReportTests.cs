using System.Diagnostics;
using System.Text.RegularExpressions;
using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

/// <summary>Skips when Debian's chromium is not installed (CI installs it).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Path = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Path)) Skip = "chromium is not installed (apt-get install chromium)";
    }
}

public class HtmlReportTests
{
    /// <summary>A report filled from real recordings of a short synthetic load (the page must draw what it is given).</summary>
    internal static BenchReport SampleReport(params string[] names)
    {
        var results = new List<WorkloadResult>();
        var random = new Random(42);
        foreach (string name in names)
        {
            var histogram = new LatencyHistogram();
            var timeline = new BenchTimeline(10);
            for (int i = 0; i < 5000; i++)
            {
                long micros = (long)(200 + 3000 * random.NextDouble() * random.NextDouble());
                histogram.Record(micros);
                timeline.Record(4096, failed: i % 1000 == 0);
            }
            results.Add(new WorkloadResult
            {
                Name = name,
                Workload = name.Split(' ')[0],
                ObjectSize = 4096,
                Concurrency = 8,
                Seconds = 3,
                Operations = histogram.Count,
                Bytes = histogram.Count * 4096,
                OpsPerSecond = histogram.Count / 3.0,
                GiBPerSecond = histogram.Count * 4096 / 3.0 / (1 << 30),
                Latency = LatencySummary.From(histogram),
                Errors = new Dictionary<string, long> { ["SlowDown"] = 5 },
                ClientCpuSeconds = 1.5,
                ClientCpuMsPerOp = 0.3,
                ClientPeakRssBytes = 80 << 20,
                Timeline = timeline.Points(3),
                Latencies = histogram.Buckets().Select(b => new LatencyBucket(b.UpperMicros / 1000.0, b.Count)).ToList(),
            });
        }
        return new BenchReport
        {
            Version = "test",
            StartedAt = DateTimeOffset.UtcNow,
            Config = new BenchConfig
            {
                Endpoint = "http://127.0.0.1:1", EmbeddedServer = true, Workloads = ["get", "put"], Sizes = [4096],
                Objects = 100, Concurrency = 8, DurationSeconds = 3, Keys = "sequential", Io = "uring", Machine = "test <machine> & co",
            },
            Results = results,
        };
    }

    [Fact]
    public void The_page_is_self_contained_and_escapes_text()
    {
        string html = HtmlReport.Render(SampleReport("get 4KiB", "put </script> 4KiB"));
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Contains("test &lt;machine&gt; &amp; co", html);
        Assert.Equal(2, Regex.Count(html, "</script>")); // two script elements; the name's "</script>" is escaped in both places
    }

    [ChromiumFact]
    public async Task Headless_chromium_draws_every_chart_with_axes_markers_and_the_warm_up()
    {
        var report = SampleReport("get 4KiB", "put 4KiB", "get 1MiB");
        // The third ran with a warm-up and ended inside its last second; the second is a mix of two operations.
        report = report with
        {
            Results =
            [
                report.Results[0],
                report.Results[1] with
                {
                    ByOperation =
                    [
                        Operation("get", report.Results[1]),
                        Operation("put", report.Results[1]),
                    ],
                },
                report.Results[2] with { WarmupSeconds = 1, Seconds = 1.5 },
            ],
        };
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sluice-report-{Guid.NewGuid():N}.html");
        HtmlReport.Save(report, path);
        try
        {
            string dom = await DumpDomAsync(path);
            // Two charts for each single-operation workload; the mix: requests by operation and a latency chart per operation.
            Assert.Contains("data-charts-drawn=\"7\"", dom);
            Assert.Equal(3 + 2, Regex.Count(dom, "<polyline class=\"series\" stroke=\"#[0-9a-f]{6}\" points=\"[0-9.]+,[0-9.]+ "));
            Assert.True(Regex.Count(dom, "<rect class=\"bar\"") >= 4 * 5, "latency bars are drawn");
            // Real axes: ticks with labels and gridlines on every chart, titled with units.
            Assert.True(Regex.Count(dom, "<line class=\"tick\"") >= 7 * 6, "ticks");
            Assert.True(Regex.Count(dom, "<line class=\"grid\"") >= 7 * 6, "gridlines");
            Assert.Equal(3, Regex.Count(dom, ">time since start \\(s\\)</text>"));
            Assert.Equal(4, Regex.Count(dom, ">latency \\(ms, log scale\\)</text>"));
            Assert.Contains(">requests/s</text>", dom);
            // p50, p90, p99 and p99.9 marked on every latency chart.
            Assert.Equal(4 * 4, Regex.Count(dom, "<line class=\"marker\""));
            Assert.Equal(4, Regex.Count(dom, ">p99\\.9 [0-9.]+ ms</text>"));
            // The warm-up shaded and the last, partial second hatched, on the third workload's chart.
            Assert.Equal(1, Regex.Count(dom, "<rect class=\"warmup\""));
            Assert.Equal(1, Regex.Count(dom, "<rect class=\"partial\""));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static OperationResult Operation(string name, WorkloadResult r) => new()
    {
        Operation = name, Operations = r.Operations / 2, Share = 0.5, OpsPerSecond = r.OpsPerSecond / 2, Latency = r.Latency,
        Errors = r.Errors, Timeline = r.Timeline, Latencies = r.Latencies,
    };

    internal static async Task<string> DumpDomAsync(string htmlPath)
    {
        string profile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sluice-chromium-{Guid.NewGuid():N}");
        var psi = new ProcessStartInfo(ChromiumFactAttribute.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                     "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", "file://" + htmlPath })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 90 s: " + await stderr);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
        string dom = await stdout;
        Assert.True(dom.Length > 0, "chromium printed no DOM: " + await stderr);
        return dom;
    }
}
