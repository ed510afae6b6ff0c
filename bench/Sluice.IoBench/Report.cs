using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Sluice.IoBench;

/// <summary>
/// The markdown report: machine, command, a table of medians per scenario with the io_uring/managed ratio and the
/// goal each ratio is held to, the strace breakdown, and every run's raw numbers.
/// </summary>
internal sealed partial class Report(BenchOptions options, List<RunRecord> runs, Dictionary<string, StraceSummary> syscalls)
{
    private const string Managed = EngineVariant.ManagedKey, UringPool = EngineVariant.UringPoolKey;

    /// <summary>The io_uring variant compared with managed: reactor clients unless --clients pool was asked for.</summary>
    private string Uring => options.ClientsOnReactor ? EngineVariant.UringKey : EngineVariant.UringPoolKey;

    /// <summary>An extra io_uring column (thread-pool clients) in the reqresp table, when it was measured.</summary>
    private bool _poolColumn;

    // Goals of the I/O core, as ratios io_uring / managed.
    private const double GoalRequestsPerCpu = 1.3, GoalSyscallsPerRequest = 0.25;
    private const double GoalStreamThroughput = 1.0, GoalStreamCpuPerGib = 0.8;

    /// <summary>System calls listed per engine in the strace breakdown.</summary>
    private const int TopSyscalls = 6;

    private readonly StringBuilder _md = new();

    public string ToMarkdown()
    {
        var o = options;
        Line("## Sluice.IO: io_uring engine vs managed fallback");
        Line();
        Line($"- Machine: {Environment.ProcessorCount} cores (nproc), {CpuModel()}, Linux {Kernel()}, " +
             $"{RuntimeInformation.FrameworkDescription}");
        foreach (var description in runs.Select(r => r.Fields["description"]).Distinct())
            Line($"- Engine: {description}");
        Line($"- Command: `dotnet run -c Release --project bench/Sluice.IoBench -- {string.Join(' ', o.Arguments)}`");
        Line($"- {o.Repeat} run(s) per engine, each engine in its own process, engines alternating which goes first; " +
             "tables show medians. Buffers: " + (o.ArrayBuffers ? "pinned managed arrays." : "the engine's native pool.") +
             (o.ClientsOnReactor
                 ? " io_uring client loops run on their connection's reactor; the io_uring/pool column keeps them on the thread pool."
                 : " io_uring client loops stay on the thread pool (--clients pool)."));
        if (runs.Any(r => r.Scenario == "reqresp")) ReqResp();
        if (runs.Any(r => r.Scenario == "stream")) Stream();
        if (runs.Any(r => r.Scenario == "files")) Files();
        if (runs.Any(r => r.Scenario == "sendfile")) SendFile();
        if (syscalls.Count > 0) Syscalls();
        if (runs.Count > 0) Raw();
        return _md.ToString();
    }

    private void ReqResp()
    {
        var o = options;
        var rr = runs.Where(r => r.Scenario == "reqresp").ToList();
        _poolColumn = Uring != UringPool && rr.Any(r => r.Engine == UringPool);
        string length = o.Requests > 0 ? $"{o.Requests:N0} requests" : $"{o.Duration.TotalSeconds:G} s";
        Line();
        Line($"### reqresp: {o.Connections} connections, {o.MessageSize} B request and reply, {length} after {o.Warmup.TotalSeconds:G} s warm-up");
        Line();
        Header();
        Row("requests/s", rr, r => r.RequestsPerSecond, "N0");
        Row("CPU s per 1M requests", rr, r => r.CpuPerMillion, "F2");
        Row("— user / sys CPU s per 1M", rr, r => r.UserPerMillion, "F2", r => r.SysPerMillion);
        Row("requests per CPU-second", rr, r => r.RequestsPerCpuSecond, "N0", goal: (GoalRequestsPerCpu, true));
        Row("context switches per request", rr, r => r.SwitchesPerRequest, "F3");
        Row("io_uring_enter per request (engine counter)", rr, r => r.EntersPerRequest, "F3", ratio: false);
        Row("SQEs per request (engine counter)", rr, r => r.SqesPerRequest, "F2", ratio: false);
        if (syscalls.Count > 0)
        {
            double? Total(string key) => syscalls.TryGetValue(key, out var s) ? s.PerRequestOf(s.Total) : null;
            Cells("system calls per request (strace, separate runs)", Total(Uring), Total(Managed), "F2",
                (GoalSyscallsPerRequest, false), pool: Total(UringPool));
        }
        else
        {
            Line($"| system calls per request (strace) | not measured | not measured | | ≤ {GoalSyscallsPerRequest:0.##}x | run with --strace |" +
                 (_poolColumn ? " | |" : ""));
        }
        _poolColumn = false;
    }

    private void Stream()
    {
        var o = options;
        Line();
        Line($"### stream: {FormatBytes(o.Bytes)} server → client per measurement, {FormatBytes(o.Chunk)} sends and receive buffers, " +
             $"after {o.Warmup.TotalSeconds:G} s warm-up");
        foreach (int streams in o.Streams)
        {
            var sr = runs.Where(r => r.Scenario == "stream" && r.Streams == streams).ToList();
            if (sr.Count == 0) continue;
            Line();
            Line($"{streams} connection(s):");
            Line();
            Header();
            Row("GiB/s", sr, r => r.GibPerSecond, "F2", goal: (GoalStreamThroughput, true));
            Row("CPU s per GiB", sr, r => r.CpuPerGib, "F3", goal: (GoalStreamCpuPerGib, false));
            Row("— user / sys CPU s per GiB", sr, r => r.UserPerGib, "F3", r => r.SysPerGib);
            Row("context switches per GiB", sr, r => r.SwitchesPerGib, "N0");
            Row("io_uring_enter per GiB (engine counter)", sr, r => r.EntersPerGib, "N0", ratio: false);
        }
    }

    private void Syscalls()
    {
        var o = options;
        long small = o.StraceRequests, large = Orchestrator.StraceLargeFactor * small;
        Line();
        Line($"System calls per request, all threads, from `strace -f -c`: a run of {large:N0} requests minus a run of " +
             $"{small:N0} (same setup, no timed warm-up), divided by the difference. strace slows every call, so " +
             "time-driven calls (futex, epoll_wait timeouts) weigh more than in an untraced run.");
        Line();
        Line("| engine | total per request | largest contributors per request |");
        Line("|---|---|---|");
        foreach (var (engine, s) in syscalls)
        {
            var top = s.Calls.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Take(TopSyscalls)
                .Select(kv => $"{kv.Key} {Format(s.PerRequestOf(kv.Value), "F2")}");
            Line($"| {engine} | {Format(s.PerRequestOf(s.Total), "F2")} | {string.Join(", ", top)} |");
        }
    }

    private void Raw()
    {
        Line();
        Line("<details><summary>Every run</summary>");
        Line();
        Line("| run | scenario | engine | wall s | requests or GiB | CPU s (user + sys) | io_uring_enter | context switches |");
        Line("|---|---|---|---|---|---|---|---|");
        foreach (var r in runs.OrderBy(r => r.Scenario).ThenBy(r => r.Streams).ThenBy(r => r.Workload).ThenBy(r => r.Variant)
                     .ThenBy(r => r.Placement)
                     .ThenBy(r => r.Engine).ThenBy(r => r.Run))
        {
            string what = r.Scenario switch
            {
                "reqresp" => Format(r.Requests, "N0"),
                "files" => $"{Format(r.GibiBytes, "F2")} GiB ({Format(r.Ops, "N0")} I/Os)",
                _ => Format(r.GibiBytes, "F2") + " GiB",
            };
            string name = r.Scenario switch
            {
                "reqresp" => "reqresp",
                "files" => $"files {r.Workload}",
                "sendfile" => $"sendfile {r.Variant}, {r.Placement}",
                _ => $"stream x{r.Streams}",
            };
            Line($"| {r.Run + 1} | {name} | {r.Engine} | {Format(r.Seconds, "F2")} | {what} | " +
                 $"{Format(r.Cpu, "F2")} ({Format(r.Number("user"), "F2")} + {Format(r.Number("sys"), "F2")}) | " +
                 $"{Format(r.Number("enters"), "N0")} | {Format(r.Number("switches"), "N0")} |");
        }
        Line();
        Line("</details>");
    }

    private void Header()
    {
        if (_poolColumn)
        {
            Line("| metric | io_uring | managed | io_uring/managed | goal | met? | io_uring, thread-pool clients | that/managed |");
            Line("|---|---|---|---|---|---|---|---|");
            return;
        }
        Line("| metric | io_uring | managed | io_uring/managed | goal | met? |");
        Line("|---|---|---|---|---|---|");
    }

    private void Row(string name, List<RunRecord> rows, Func<RunRecord, double> value, string format,
        Func<RunRecord, double>? second = null, (double Ratio, bool AtLeast)? goal = null, bool ratio = true)
    {
        double? u = Median(rows, Uring, value), m = Median(rows, Managed, value);
        if (second == null)
        {
            Cells(name, u, m, format, goal, ratio, Median(rows, UringPool, value));
            return;
        }
        double? u2 = Median(rows, Uring, second), m2 = Median(rows, Managed, second);
        string extra = _poolColumn ? $" {Pair(Median(rows, UringPool, value), Median(rows, UringPool, second), format)} | |" : "";
        Line($"| {name} | {Pair(u, u2, format)} | {Pair(m, m2, format)} | | | |{extra}");
    }

    private void Cells(string name, double? u, double? m, string format, (double Ratio, bool AtLeast)? goal,
        bool ratio = true, double? pool = null)
    {
        string r = "", goalText = "", met = "";
        string extra = _poolColumn ? $" {Opt(pool, format)} | {(ratio ? Ratio(pool, m) : "")} |" : "";
        if (ratio && u is { } a && m is { } b && b > 0)
        {
            double x = a / b;
            r = Ratio(a, b);
            if (goal is { } g)
            {
                goalText = (g.AtLeast ? "≥ " : "≤ ") + Format(g.Ratio, "0.##") + "x";
                met = (g.AtLeast ? x >= g.Ratio : x <= g.Ratio) ? "yes" : "**no**";
            }
        }
        Line($"| {name} | {Opt(u, format)} | {Opt(m, format)} | {r} | {goalText} | {met} |{extra}");
    }

    private static string Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? Format(x / y, "F2") + "x" : "";

    private static double? Median(List<RunRecord> rows, string engine, Func<RunRecord, double> value)
    {
        var v = rows.Where(r => r.Engine == engine).Select(value).Order().ToArray();
        if (v.Length == 0) return null;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static string Pair(double? a, double? b, string format) =>
        a is null || b is null ? "—" : $"{Format(a.Value, format)} / {Format(b.Value, format)}";

    private static string Opt(double? v, string format) => v is { } x ? Format(x, format) : "—";
    private static string Format(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string FormatBytes(long n) =>
        n % (1L << 30) == 0 ? $"{n >> 30} GiB" : n % (1 << 20) == 0 ? $"{n >> 20} MiB" : n % 1024 == 0 ? $"{n >> 10} KiB" : $"{n} B";

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? "unknown CPU";
        }
        catch (IOException) { return "unknown CPU"; }
    }

    private static string Kernel()
    {
        try { return File.ReadAllText("/proc/sys/kernel/osrelease").Trim(); }
        catch (IOException) { return Environment.OSVersion.VersionString; }
    }

    private void Line(string text = "") => _md.Append(text).Append('\n');
}
