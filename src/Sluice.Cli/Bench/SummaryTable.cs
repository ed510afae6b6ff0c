using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>
/// The results as the terminal shows them: one row per workload and size, and under a mixed workload one indented
/// row per operation. The default view fits 100 columns and is followed by a legend; --wide adds the CPU, memory
/// and system-call columns (which the HTML report always shows). Every figure is in --json.
/// </summary>
public static class SummaryTable
{
    /// <summary>The width the default view keeps within.</summary>
    public const int MaxWidth = 100;

    private static readonly string[] Narrow = ["workload", "ops/s", "MiB/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "TTFB ms", "errors"];

    private static readonly string[] Extra =
        ["client CPU s/GiB", "client CPU ms/op", "client peak RSS", "syscalls/req", "conns", "server CPU ms/op", "server peak RSS"];

    // Dropped in this order while the default view is wider than MaxWidth (a very long size range in the name).
    private static readonly string[] Optional = ["p90 ms", "TTFB ms", "max ms"];

    /// <summary>The legend printed under the default view (each line within <see cref="MaxWidth"/>).</summary>
    public const string Legend =
        "ops/s, MiB/s: requests and payload per second, measured after the warm-up\n" +
        "p50 ms .. max ms: request latency, 50th/90th/99th/99.9th percentile and slowest, in milliseconds\n" +
        "TTFB ms: median time to the first byte of GET responses; errors: failed requests (codes in --json)\n" +
        "indented rows: each operation of a mixed workload; --wide adds CPU, memory and system calls\n";

    /// <summary>Column titles of the wide view (the HTML report's table).</summary>
    public static IReadOnlyList<string> WideColumns => [.. Narrow, .. Extra];

    /// <summary>The table as text: the default view, or all columns when <paramref name="wide"/>.</summary>
    public static string Render(IReadOnlyList<WorkloadResult> results, bool wide)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = Rows(results, wide).ToList();
        var columns = wide ? WideColumns.ToList() : [.. Narrow];
        string text = Table(columns, rows);
        foreach (string drop in wide ? [] : Optional)
        {
            if (Width(text) <= MaxWidth) break;
            int i = columns.IndexOf(drop);
            columns.RemoveAt(i);
            foreach (var row in rows) row.RemoveAt(i);
            text = Table(columns, rows);
        }
        return text;
    }

    /// <summary>The wide rows (workload rows and their per-operation rows), as the HTML table shows them.</summary>
    public static IEnumerable<List<string>> Rows(IReadOnlyList<WorkloadResult> results, bool wide)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var r in results)
        {
            var row = new List<string>
            {
                r.Name, Rate(r.OpsPerSecond), Rate(r.MiBPerSecond), Ms(r.Latency.P50), Ms(r.Latency.P90), Ms(r.Latency.P99),
                Ms(r.Latency.P999), Ms(r.Latency.Max), r.Ttfb is { } t ? Ms(t.P50) : "-", Count(r.Errors),
            };
            if (wide)
            {
                row.AddRange(
                [
                    r.ClientCpuSecondsPerGiB is { } g ? F(g, 2) : "-", F(r.ClientCpuMsPerOp, 3), Units.FormatSize(r.ClientPeakRssBytes),
                    r.SyscallsPerRequest is { } s ? F(s, 2) : "-", r.ConnectionsOpened is { } c ? c.ToString(CultureInfo.InvariantCulture) : "-", r.ServerCpuMsPerOp is { } m ? F(m, 3) : "-",
                    r.ServerPeakRssBytes is { } p ? Units.FormatSize(p) : "-",
                ]);
            }
            yield return row;
            foreach (var o in r.ByOperation ?? [])
            {
                var sub = new List<string>
                {
                    $"  {o.Operation} {(o.Share * 100).ToString("F0", CultureInfo.InvariantCulture)}%", Rate(o.OpsPerSecond), o.Bytes > 0 ? Rate(o.MiBPerSecond) : "-",
                    Ms(o.Latency.P50), Ms(o.Latency.P90), Ms(o.Latency.P99), Ms(o.Latency.P999), Ms(o.Latency.Max),
                    o.Ttfb is { } ot ? Ms(ot.P50) : "-", Count(o.Errors),
                };
                if (wide) sub.AddRange(Extra.Select(_ => ""));
                yield return sub;
            }
        }
    }

    /// <summary>Notes on how runs ended that the figures alone do not say (--autoterm), one line each.</summary>
    public static string Notes(IReadOnlyList<WorkloadResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var text = new System.Text.StringBuilder();
        foreach (var r in results.Where(r => r.AutoTerminated))
            text.Append(CultureInfo.InvariantCulture, $"{r.Name}: throughput was stable, --autoterm ended it after {r.Seconds:F1} s measured\n");
        foreach (var r in results.Where(r => r.ThrottledRequests > 0))
        {
            text.Append(CultureInfo.InvariantCulture, $"{r.Name}: {r.ThrottledRequests} requests throttled (503 SlowDown), {r.ThrottledRetries} retried");
            if (r.ThrottledPrefixes is { Count: > 0 } prefixes)
            {
                text.Append("; prefixes settled at ");
                text.AppendJoin(", ", prefixes.Take(5).Select(p => string.Create(CultureInfo.InvariantCulture,
                    $"{p.Prefix} {Rate(p.RequestsPerSecond)} req/s (lowest {Rate(p.LowestRequestsPerSecond)})")));
                if (prefixes.Count > 5) text.Append(CultureInfo.InvariantCulture, $" and {prefixes.Count - 5} more");
            }
            text.Append('\n');
        }
        foreach (var r in results.Where(r => r.Agents > 0).Take(1))
            text.Append(CultureInfo.InvariantCulture, $"figures merged from {r.Agents} agents, each running {r.Concurrency} requests in flight\n");
        return text.ToString();
    }

    private static string Table(IReadOnlyList<string> columns, IEnumerable<List<string>> rows)
    {
        var table = new TextTable(columns);
        foreach (var row in rows) table.Add(row);
        return table.ToString();
    }

    private static int Width(string text) => text.Split('\n').Max(l => l.Length);

    /// <summary>A rate: "12345", "950", "4.7", "0.25".</summary>
    internal static string Rate(double value) => value switch
    {
        >= 100 => F(value, 0),
        >= 10 => F(value, 1),
        _ => F(value, 2),
    };

    /// <summary>Milliseconds: two decimals under 100, one under 1,000, none above (at most six characters to 100 s).</summary>
    internal static string Ms(double value) => value switch
    {
        >= 1000 => F(value, 0),
        >= 100 => F(value, 1),
        _ => F(value, 2),
    };

    private static string Count(IReadOnlyDictionary<string, long> errors) => errors.Values.Sum().ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
