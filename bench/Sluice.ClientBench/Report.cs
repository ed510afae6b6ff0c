using System.Text;

namespace Sluice.ClientBench;

/// <summary>Medians per client and operation as markdown tables, with ratios against aws-c-s3 measured in the same run.</summary>
internal static class Report
{
    private const double GiB = 1L << 30;

    public static string Build(Orchestrator o, BenchOptions options, string uptimeBefore, string uptimeAfter, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.Append(F($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalMinutes:F1} min; medians of {options.Runs} runs; "));
        sb.Append(F($"large object {options.Size >> 20} MiB, part size {options.PartSize >> 20} MiB, {options.Concurrency} parts in flight; "));
        sb.AppendLine(F($"{options.Objects} small objects at {options.SmallConcurrency} in flight."));
        sb.AppendLine();
        sb.AppendLine(F($"- load before: `{uptimeBefore.Trim()}`"));
        sb.AppendLine(F($"- load after: `{uptimeAfter.Trim()}`"));
        sb.AppendLine(F($"- Sluice runner: {(options.SluiceRunner is { } r ? "`" + Path.GetFileName(Path.GetDirectoryName(r)) + "/" + Path.GetFileName(r) + "` (--sluice-runner)" : "published ReadyToRun as the CLI ships (src/Sluice.Cli/Publish.props)")}"));
        if (options.Clients.Contains(ClientKinds.SluiceCli))
            sb.AppendLine("- sluice cp: the published CLI (install.sh's build), timed whole: its GiB/s and CPU include process start-up");
        foreach (string note in o.Notes) sb.AppendLine("- " + note);
        sb.AppendLine();

        var large = o.Samples.Where(s => s.Scenario == "large").ToList();
        if (large.Count > 0 || o.Failures.Any(f => f.Scenario == "large"))
        {
            sb.AppendLine(F($"#### Large object ({options.Size >> 20} MiB)"));
            sb.AppendLine();
            sb.AppendLine("| Operation | Client | GiB/s | × aws-c-s3 | CPU s/GiB (transfer) | CPU s/GiB (process) | × aws-c-s3 CPU | Peak RSS MiB |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (string op in new[] { "get → /dev/null", "get → file", "put ← file" }) LargeRows(sb, o, options, large, "large", op);
            sb.AppendLine();
        }

        var nginx = o.Samples.Where(s => s.Scenario == "nginx").ToList();
        if (nginx.Count > 0 || o.Failures.Any(f => f.Scenario == "nginx"))
        {
            sb.AppendLine(F($"#### Large object ({options.Size >> 20} MiB) from nginx (static file, GET only)"));
            sb.AppendLine();
            sb.AppendLine("| Operation | Client | GiB/s | × aws-c-s3 | CPU s/GiB (transfer) | CPU s/GiB (process) | × aws-c-s3 CPU | Peak RSS MiB |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
            LargeRows(sb, o, options, nginx, "nginx", "get → /dev/null");
            sb.AppendLine();
        }

        foreach (string scenario in o.Samples.Select(s => s.Scenario).Where(s => s.StartsWith("small", StringComparison.Ordinal)).Distinct())
        {
            var small = o.Samples.Where(s => s.Scenario == scenario).ToList();
            sb.AppendLine(F($"#### {options.Objects} objects of {scenario[6..]}, {options.SmallConcurrency} in flight"));
            sb.AppendLine();
            sb.AppendLine("| Operation | Client | ops/s | × aws-c-s3 | CPU ms/op (phase) | CPU ms/op (process) | p50 ms | p99 ms | Peak RSS MiB |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (string op in new[] { "put", "get" })
            {
                var baseline = Medians(small, op, ClientKinds.AwsCrt);
                foreach (string client in options.Clients)
                {
                    var m = Medians(small, op, client);
                    if (m == null)
                    {
                        if ((Failed(o, scenario, op, client) ?? Failed(o, scenario, "put+get", client)) is { } why)
                            sb.AppendLine(F($"| {op} | {ClientKinds.Title(client)} | failed: {why} | | | | | | |"));
                        continue;
                    }
                    string ratio = baseline == null ? "" : F($"{m.OpsPerSecond / baseline.OpsPerSecond:F2}");
                    string p50 = m.P50 is { } a ? F($"{a:F1}") : "n/a", p99 = m.P99 is { } b ? F($"{b:F1}") : "n/a";
                    sb.AppendLine(F($"| {op} | {ClientKinds.Title(client)} | {m.OpsPerSecond:F0} | {ratio} | {m.CpuMsPerOp:F3} | {m.ProcessCpuMsPerOp:F3} | {p50} | {p99} | {m.Rss:F0} |"));
                }
            }
            sb.AppendLine();
        }

        var budget = o.Samples.Where(s => s.Scenario == "budget").ToList();
        if (budget.Count > 0 || o.Failures.Any(f => f.Scenario == "budget"))
        {
            sb.AppendLine(F($"#### {options.BudgetSize >> 30} GiB download to /dev/null (Sluice with every transfer default: 256 MiB part budget)"));
            sb.AppendLine();
            sb.AppendLine("| Client | GiB/s | CPU s/GiB (transfer) | CPU s/GiB (process) | Peak RSS MiB | Peak part budget in use MiB |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (string client in options.Clients)
            {
                var m = Medians(budget, "get → /dev/null", client);
                if (m == null)
                {
                    if (Failed(o, "budget", "get → /dev/null", client) is { } why) sb.AppendLine(F($"| {ClientKinds.Title(client)} | failed: {why} | | | | |"));
                    continue;
                }
                string peak = m.BudgetPeak is { } p ? F($"{p / (1 << 20):F0}") : "n/a";
                sb.AppendLine(F($"| {ClientKinds.Title(client)} | {m.GiBps:F2} | {m.CpuPerGiB:F2} | {m.ProcessCpuPerGiB:F2} | {m.Rss:F0} | {peak} |"));
            }
            sb.AppendLine();
        }

        if (o.Failures.Count > 0)
        {
            sb.AppendLine("Failures:");
            foreach (var f in o.Failures) sb.AppendLine(F($"- {f.Scenario} / {f.Op} / {f.Client} / run {f.Run}: {f.Message}"));
            sb.AppendLine();
        }

        sb.AppendLine("<details><summary>Every run</summary>");
        sb.AppendLine();
        sb.AppendLine("| Scenario | Operation | Client | Run | s | transfer CPU s | process CPU s | Peak RSS MiB |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var s in o.Samples)
            sb.AppendLine(F($"| {s.Scenario} | {s.Op} | {s.Client} | {s.Run} | {s.Seconds:F3} | {s.PhaseCpu:F3} | {s.ProcessCpu:F3} | {s.PeakRssMiB:F0} |"));
        sb.AppendLine();
        sb.AppendLine("</details>");
        return sb.ToString();
    }

    private static void LargeRows(StringBuilder sb, Orchestrator o, BenchOptions options, List<Sample> samples, string scenario, string op)
    {
        var baseline = Medians(samples, op, ClientKinds.AwsCrt);
        foreach (string client in options.Clients)
        {
            var m = Medians(samples, op, client);
            if (m == null)
            {
                if (Failed(o, scenario, op, client) is { } why) sb.AppendLine(F($"| {op} | {ClientKinds.Title(client)} | failed: {why} | | | | | |"));
                continue;
            }
            string ratio = baseline == null ? "" : F($"{m.GiBps / baseline.GiBps:F2}");
            string cpuRatio = baseline == null ? "" : F($"{m.CpuPerGiB / baseline.CpuPerGiB:F2}");
            sb.AppendLine(F($"| {op} | {ClientKinds.Title(client)} | {m.GiBps:F2} | {ratio} | {m.CpuPerGiB:F2} | {m.ProcessCpuPerGiB:F2} | {cpuRatio} | {m.Rss:F0} |"));
        }
    }

    private static string? Failed(Orchestrator o, string scenario, string op, string client) =>
        o.Failures.FirstOrDefault(f => f.Scenario == scenario && f.Op == op && f.Client == client)?.Message;

    private static Median? Medians(List<Sample> samples, string op, string client)
    {
        var s = samples.Where(x => x.Op == op && x.Client == client).ToList();
        if (s.Count == 0) return null;
        return new Median(
            GiBps: Stats.Median(s.Select(x => x.Bytes / x.Seconds / GiB)),
            CpuPerGiB: Stats.Median(s.Select(x => x.PhaseCpu / (x.Bytes / GiB))),
            ProcessCpuPerGiB: Stats.Median(s.Select(x => x.ProcessCpu / (x.Bytes / GiB))),
            OpsPerSecond: Stats.Median(s.Select(x => x.Ops / x.Seconds)),
            CpuMsPerOp: Stats.Median(s.Select(x => x.PhaseCpu * 1000 / Math.Max(1, x.Ops))),
            ProcessCpuMsPerOp: Stats.Median(s.Select(x => x.ProcessCpu * 1000 / Math.Max(1, x.Ops))),
            P50: s.All(x => x.P50Ms != null) ? Stats.Median(s.Select(x => x.P50Ms!.Value)) : null,
            P99: s.All(x => x.P99Ms != null) ? Stats.Median(s.Select(x => x.P99Ms!.Value)) : null,
            Rss: Stats.Median(s.Select(x => x.PeakRssMiB)),
            BudgetPeak: s.All(x => x.BudgetPeak != null) ? Stats.Median(s.Select(x => (double)x.BudgetPeak!.Value)) : null);
    }

    private static string F(FormattableString s) => ResultLine.Format(s);

    private sealed record Median(double GiBps, double CpuPerGiB, double ProcessCpuPerGiB, double OpsPerSecond, double CpuMsPerOp,
        double ProcessCpuMsPerOp, double? P50, double? P99, double Rss, double? BudgetPeak);
}
