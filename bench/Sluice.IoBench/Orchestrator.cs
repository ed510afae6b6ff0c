using System.Globalization;

namespace Sluice.IoBench;

/// <summary>
/// Runs each engine in its own child process (so CPU accounting is per engine), alternating which engine goes
/// first in each repetition so slow drift on a shared machine does not favour one, then the strace runs, then
/// prints the report.
/// </summary>
internal static class Orchestrator
{
    /// <summary>Time a child may take beyond its expected length before it is killed.</summary>
    private static readonly TimeSpan ChildSlack = TimeSpan.FromSeconds(90);

    /// <summary>Slowest rate a stream child is allowed (a bound, not an expectation).</summary>
    private const double SlowestBytesPerSecond = 32 << 20;

    /// <summary>A files workload's stop: I/Os in flight complete, then (writes) the fsync.</summary>
    private static readonly TimeSpan FilesDrain = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The large strace run makes this many times the small run's requests. The small run doubles as warm-up (the
    /// JIT reaches its final code during it), so the difference is steady-state requests.
    /// </summary>
    public const int StraceLargeFactor = 3;

    public static int Run(BenchOptions o)
    {
        // The compared pair, plus (by default) io_uring with thread-pool clients as an extra reqresp column.
        EngineVariant[] engines = o.Engine != null
            ? [new(o.Engine, o.ClientsOnReactor)]
            : [new("uring", o.ClientsOnReactor), new("managed", true)];
        EngineVariant[] reqrespEngines = o.Engine == null && o.ClientsOnReactor ? [.. engines, new("uring", false)] : engines;
        string[] scenarios = o.IsAll ? ["reqresp", "stream", "files", "sendfile"] : [o.Scenario];
        bool strace = o.Strace ?? (o.IsAll && ChildRunner.StraceInstalled());
        if (strace && !ChildRunner.StraceInstalled())
            throw new ArgumentException("--strace needs strace (Debian: apt-get install -y strace)");
        // `reqresp --engine X --strace` asks only for the strace count of X.
        bool measure = o.Engine == null;
        bool fio = measure && (o.Fio ?? FioRunner.Installed());
        if (fio && !FioRunner.Installed()) throw new ArgumentException("--fio needs fio (Debian: apt-get install -y fio)");
        // fio runs in the files scenario as a third runner next to the two engines.
        EngineVariant[] fileRunners = fio ? [.. engines, new(EngineVariant.FioKey, true)] : engines;

        // The data files are made once and shared by every child (and fio), then deleted.
        using var filesData = measure && scenarios.Contains("files")
            ? Prepare(() => DataFile.Create(o.Directory, "files", o.FileSize, dropCache: true)) : null;
        using var sendFileData = measure && scenarios.Contains("sendfile")
            ? Prepare(() => DataFile.Create(o.Directory, "sendfile", o.SendFileSize, dropCache: false)) : null;

        var runs = new List<RunRecord>();
        for (int run = 0; measure && run < o.Repeat; run++)
        {
            foreach (string scenario in scenarios)
            {
                if (scenario == "files")
                {
                    // Workload by workload, so the three runners of one workload are measured minutes apart at most.
                    foreach (string workload in o.Workloads)
                    {
                        foreach (var runner in run % 2 == 0 ? fileRunners : [.. fileRunners.Reverse()])
                        {
                            if (runner.Engine == EngineVariant.FioKey)
                            {
                                runs.Add(new RunRecord(run, FioRunner.Run(o, workload, filesData!.Path)));
                                continue;
                            }
                            foreach (var fields in ChildRunner.Run(o.ChildArguments(scenario, runner, file: filesData!.Path,
                                workload: workload), Limit(o, scenario, workloads: 1)))
                                runs.Add(new RunRecord(run, fields));
                        }
                    }
                    continue;
                }
                var set = scenario == "reqresp" ? reqrespEngines : engines;
                var order = run % 2 == 0 ? set : [.. set.Reverse()];
                foreach (var engine in order)
                {
                    foreach (var fields in ChildRunner.Run(o.ChildArguments(scenario, engine, file: sendFileData?.Path),
                        Limit(o, scenario)))
                        runs.Add(new RunRecord(run, fields));
                }
            }
        }

        var syscalls = new Dictionary<string, StraceSummary>(StringComparer.Ordinal);
        if (strace && scenarios.Contains("reqresp"))
        {
            foreach (var engine in reqrespEngines) syscalls[engine.Key] = CountSyscalls(o, engine);
        }
        Console.WriteLine(new Report(o, runs, syscalls).ToMarkdown());
        return 0;
    }

    private static DataFile Prepare(Func<DataFile> create)
    {
        Console.Error.WriteLine("> creating a data file");
        return create();
    }

    public static TimeSpan Limit(BenchOptions o, string scenario, long requests = 0, int workloads = 0)
    {
        if (scenario == "files")
        {
            // A child started without --file first writes its own data file.
            var perWorkload = o.Warmup + o.FileDuration + FilesDrain;
            return perWorkload * (workloads > 0 ? workloads : o.Workloads.Length)
                + TimeSpan.FromSeconds(o.FileSize / SlowestBytesPerSecond) + ChildSlack;
        }
        if (scenario == "sendfile")
        {
            var perVariant = o.Warmup + TimeSpan.FromSeconds((o.Passes + 1) * o.SendFileSize / SlowestBytesPerSecond);
            return perVariant * 2 + TimeSpan.FromSeconds(o.SendFileSize / SlowestBytesPerSecond) + ChildSlack;
        }
        if (scenario == "reqresp")
        {
            long n = requests > 0 ? requests : o.Requests;
            var measured = n > 0 ? TimeSpan.FromSeconds(n / 1000.0) : o.Duration;
            return o.Warmup + measured + ChildSlack;
        }
        var perCount = o.Warmup + TimeSpan.FromSeconds(o.Bytes / SlowestBytesPerSecond);
        return perCount * o.Streams.Length + ChildSlack;
    }

    /// <summary>
    /// System calls per request from two strace runs that differ only in their request count (no warm-up, so
    /// both do the same setup): the difference divided by the difference in requests.
    /// </summary>
    private static StraceSummary CountSyscalls(BenchOptions o, EngineVariant engine)
    {
        long small = o.StraceRequests, large = StraceLargeFactor * small;
        string dir = Path.Combine(Path.GetTempPath(), $"sluice-iobench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            StraceSummary Count(long requests)
            {
                string file = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{engine.Engine}-{engine.ClientsOnReactor}-{requests}.strace"));
                ChildRunner.Run(o.ChildArguments("reqresp", engine, requests, TimeSpan.Zero),
                    Limit(o, "reqresp", requests), file);
                return StraceSummary.Parse(file);
            }
            var a = Count(small);
            var b = Count(large);
            return StraceSummary.PerRequest(a, b, large - small);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
