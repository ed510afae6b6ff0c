using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class SummaryTableTests
{
    /// <summary>A result with the widest figures a real run prints: 100k+ ops/s, GiB/s in MiB/s, latencies in seconds.</summary>
    private static WorkloadResult Extreme(string name, bool mixed)
    {
        var sample = HtmlReportTests.SampleReport(name).Results[0];
        var latency = new LatencySummary(1234.5, 23456.7, 99999.9, 123456.7, 4567.8) { P999 = 109999.9 };
        var op = new OperationResult
        {
            Operation = "multipart", Operations = 123_456_789, Share = 0.333, Bytes = 1L << 40, OpsPerSecond = 123_456.7, MiBPerSecond = 12_345.6,
            Latency = latency, Ttfb = latency, Errors = new Dictionary<string, long> { ["InternalError"] = 123_456 }, Timeline = [], Latencies = [],
        };
        return sample with
        {
            OpsPerSecond = 1_234_567.8, MiBPerSecond = 123_456.7, Latency = latency, Ttfb = latency,
            Errors = new Dictionary<string, long> { ["SlowDown"] = 9_999_999, ["IOException"] = 1 },
            ByOperation = mixed ? [op, op with { Operation = "delete" }] : null,
        };
    }

    [Fact]
    public void The_default_view_and_its_legend_fit_100_columns()
    {
        var results = new[] { Extreme("multipart 4KiB..16MiB", true), Extreme("get 32MiB", false), Extreme("mixed 1.5KiB..1023.5MiB", true) };
        string table = SummaryTable.Render(results, wide: false);
        foreach (string line in (table + SummaryTable.Legend).Split('\n')) Assert.True(line.Length <= SummaryTable.MaxWidth, $"{line.Length}: {line}");
        Assert.Contains("  multipart 33%", table);
        Assert.StartsWith("workload", table);
        Assert.Contains("p99.9 ms", table);
        Assert.Contains("errors", table);
        // Ordinary names keep every column.
        string ordinary = SummaryTable.Render([Extreme("mixed 4KiB..16MiB", true)], wide: false);
        Assert.Contains("p90 ms", ordinary);
        Assert.Contains("TTFB ms", ordinary);
        Assert.All(ordinary.Split('\n'), line => Assert.True(line.Length <= SummaryTable.MaxWidth, line));
    }

    [Fact]
    public void The_wide_view_adds_cpu_memory_and_syscalls()
    {
        string wide = SummaryTable.Render([HtmlReportTests.SampleReport("get 4KiB").Results[0]], wide: true);
        foreach (string column in new[] { "client CPU ms/op", "client peak RSS", "syscalls/req", "conns", "server peak RSS" }) Assert.Contains(column, wide);
    }
}
