using System.Globalization;
using System.Text;

namespace Sluice.ServerBench;

/// <summary>Every run's measurement, keyed by section, test and server; reported as medians with ratios to a baseline.</summary>
internal sealed class Results
{
    private readonly List<(string Section, string Test, string Server, Measurement M)> _all = [];

    public void Add(string section, string test, string server, Measurement m)
    {
        lock (_all) _all.Add((section, test, server, m));
        Console.Error.WriteLine(Invariant($"  {section} {test} {server}: {m.Bytes / (double)(1L << 30):F2} GiB, {m.Requests} req, {m.Errors} errors in {m.Seconds:F2} s; server CPU {m.ServerCpu:F2} s, client CPU {m.ClientCpu:F2} s (load {Session.LoadAverage()})"));
    }

    public bool Any(string section) => _all.Any(r => r.Section == section);

    private List<(string Test, string Server, Measurement[] Runs)> Groups(string section) =>
        _all.Where(r => r.Section == section)
            .GroupBy(r => (r.Test, r.Server))
            .Select(g => (g.Key.Test, g.Key.Server, g.Select(r => r.M).ToArray()))
            .ToList();

    private static double Med(Measurement[] runs, Func<Measurement, double> value) => Measurement.Median(runs.Select(value));

    /// <summary>A ratio, or a dash when the baseline is missing or zero (CPU below the 10 ms tick of /proc).</summary>
    private static string Ratio(double value, Measurement[]? bases, Func<Measurement, double> metric)
    {
        if (bases == null) return "";
        double b = Med(bases, metric);
        return b > 0 ? Invariant($"{value / b:F2}") : "–";
    }

    /// <summary>Throughput sections (large GET, large PUT): GiB/s and CPU s/GiB against a baseline server.</summary>
    public string ThroughputTable(string section, string baseline, string baselineLabel)
    {
        var text = new StringBuilder();
        text.AppendLine($"| Test | Server | GiB/s | × {baselineLabel} | server CPU s/GiB | × {baselineLabel} | client CPU s/GiB | runs | errors |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var groups = Groups(section);
        foreach (var (test, server, runs) in groups)
        {
            var bases = groups.FirstOrDefault(g => g.Test == test && g.Server == baseline).Runs;
            double gib = Med(runs, m => m.GiBPerSecond), cpu = Med(runs, m => m.ServerCpuPerGiB);
            string ratio = Ratio(gib, bases, m => m.GiBPerSecond);
            string cpuRatio = Ratio(cpu, bases, m => m.ServerCpuPerGiB);
            text.AppendLine(Invariant(
                $"| {test} | {server} | {gib:F2} | {ratio} | {cpu:F2} | {cpuRatio} | {Med(runs, m => m.ClientCpuPerGiB):F2} | {runs.Length} | {runs.Sum(m => m.Errors)} |"));
        }
        return text.ToString();
    }

    /// <summary>Request-rate section: requests/s and CPU ms per request, against nginx for GET and io_uring for PUT.</summary>
    public string RequestTable(string section)
    {
        var text = new StringBuilder();
        text.AppendLine("| Test | Server | requests/s | × baseline | server CPU ms/req | client CPU ms/req | runs | errors |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var groups = Groups(section);
        foreach (var (test, server, runs) in groups)
        {
            string baseline = test.StartsWith("GET", StringComparison.Ordinal) ? "nginx" : "sluice-uring";
            var bases = groups.FirstOrDefault(g => g.Test == test && g.Server == baseline).Runs;
            double rate = Med(runs, m => m.RequestsPerSecond);
            string ratio = bases != null ? Invariant($"{rate / Med(bases, m => m.RequestsPerSecond):F2} ({baseline})") : "";
            text.AppendLine(Invariant(
                $"| {test} | {server} | {rate:N0} | {ratio} | {Med(runs, m => m.ServerCpuMsPerRequest):F3} | {Med(runs, m => m.ClientCpuMsPerRequest):F3} | {runs.Length} | {runs.Sum(m => m.Errors)} |"));
        }
        return text.ToString();
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
