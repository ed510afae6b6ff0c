using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>`sluice bench compare A.json B.json`: the figures of two runs side by side, with B/A ratios.</summary>
public static class BenchComparison
{
    private static readonly (string Name, Func<WorkloadResult, double?> Value)[] Metrics =
    [
        ("ops/s", r => r.OpsPerSecond),
        ("GiB/s", r => r.GiBPerSecond),
        ("p50 ms", r => r.Latency.P50),
        ("p90 ms", r => r.Latency.P90),
        ("p99 ms", r => r.Latency.P99),
        ("p99.9 ms", r => r.Latency.P999 > 0 ? r.Latency.P999 : null), // absent from reports older than it
        ("max ms", r => r.Latency.Max),
        ("TTFB p50 ms", r => r.Ttfb?.P50),
        ("errors", r => r.Errors.Values.Sum()),
        ("client CPU s/GiB", r => r.ClientCpuSecondsPerGiB),
        ("client CPU ms/op", r => r.ClientCpuMsPerOp),
        ("client peak RSS MiB", r => r.ClientPeakRssBytes / 1048576.0),
        ("syscalls/req", r => r.SyscallsPerRequest),
        ("server CPU ms/op", r => r.ServerCpuMsPerOp),
        ("server peak RSS MiB", r => r.ServerPeakRssBytes / 1048576.0),
    ];

    /// <summary>The comparison as text: one table per workload present in both runs; workloads in only one are listed.</summary>
    public static string Render(BenchReport a, BenchReport b, string nameA = "A", string nameB = "B")
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var text = new System.Text.StringBuilder();
        text.Append("A: ").Append(nameA).Append(" (").Append(Describe(a.Config)).Append(")\n")
            .Append("B: ").Append(nameB).Append(" (").Append(Describe(b.Config)).Append(")\n");
        foreach (var ra in a.Results)
        {
            var rb = b.Results.FirstOrDefault(r => r.Name == ra.Name);
            if (rb is null) continue;
            var table = new TextTable([ra.Name, "A", "B", "B/A"]);
            foreach (var (name, value) in Metrics)
            {
                double? va = value(ra), vb = value(rb);
                if (va is null && vb is null) continue;
                table.Add([name, Format(va), Format(vb), va is > 0 && vb is not null ? (vb.Value / va.Value).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-"]);
            }
            text.Append('\n').Append(table);
        }
        var onlyA = a.Results.Select(r => r.Name).Except(b.Results.Select(r => r.Name)).ToList();
        var onlyB = b.Results.Select(r => r.Name).Except(a.Results.Select(r => r.Name)).ToList();
        if (onlyA.Count > 0) text.Append("\nonly in A: ").Append(string.Join(", ", onlyA)).Append('\n');
        if (onlyB.Count > 0) text.Append("\nonly in B: ").Append(string.Join(", ", onlyB)).Append('\n');
        if (!a.Results.Any(ra => b.Results.Any(rb => rb.Name == ra.Name))) text.Append("\nno workload in common\n");
        return text.ToString();
    }

    private static string Describe(BenchConfig c) =>
        $"{(c.EmbeddedServer ? "embedded server" : c.Endpoint)}, io {c.Io}, concurrency {(c.Concurrency > 0 ? c.Concurrency.ToString(CultureInfo.InvariantCulture) : "auto")}, keys {c.Keys}";

    private static string Format(double? value) => value switch
    {
        null => "-",
        >= 1000 => value.Value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.Value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
