namespace Sluice.Cli.Bench;

/// <summary>
/// Everything measured in one job, from its requests one at a time (live from the workers, or from the records of
/// agents or an ops file, so every path computes the same figures the same way): the totals and one
/// <see cref="OpStats"/> per operation kind. Requests that started during the warm-up only count in the timelines.
/// </summary>
public sealed class JobStats
{
    private readonly long _warmupMicros;
    private readonly OpStats[] _byKind;

    /// <summary>Figures for a job with this warm-up and <paramref name="slots"/> one-second timeline slots.</summary>
    public JobStats(double warmupSeconds, int slots, TimeProvider? clock = null)
    {
        WarmupSeconds = warmupSeconds;
        _warmupMicros = (long)(warmupSeconds * 1e6);
        Total = new OpStats(slots, clock);
        _byKind = [.. OpKinds.All.Select(_ => new OpStats(slots, clock))];
    }

    /// <summary>Seconds before measuring starts.</summary>
    public double WarmupSeconds { get; }

    /// <summary>All operations together.</summary>
    public OpStats Total { get; }

    /// <summary>One operation kind.</summary>
    public OpStats this[OpKind kind] => _byKind[(int)kind];

    /// <summary>Adds one request.</summary>
    public void Add(in OpRecord record)
    {
        bool measured = record.StartMicros >= _warmupMicros;
        Total.Add(record, measured);
        _byKind[(int)record.Op].Add(record, measured);
    }

    /// <summary>What a job is, before it is measured: the identity fields a result starts from.</summary>
    public static WorkloadResult Describe(BenchJob job, int agents)
    {
        ArgumentNullException.ThrowIfNull(job);
        var size = job.ParseSize();
        return new WorkloadResult
        {
            Name = job.Name, Workload = job.Workload, ObjectSize = size.Max, Size = size.Label, Mix = job.Mix,
            Concurrency = job.Concurrency, Agents = agents, Latency = new LatencySummary(0, 0, 0, 0, 0), Errors = new Dictionary<string, long>(),
            Timeline = [], Latencies = [],
        };
    }

    /// <summary>
    /// The result over <paramref name="seconds"/> measured seconds (after the warm-up), from <paramref name="job"/>'s
    /// identity (<see cref="Describe"/>, or a saved result being analysed again). Resource figures come from
    /// <paramref name="usage"/>, or stay the job's when null. A job of more than one operation kind gets a
    /// per-operation breakdown, in the order of <paramref name="kinds"/>.
    /// </summary>
    public WorkloadResult ToResult(WorkloadResult job, IReadOnlyList<OpKind> kinds, double seconds, ResourceUsage? usage, bool autoTerminated)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(kinds);
        long operations = Total.Operations, bytes = Total.Bytes;
        double span = WarmupSeconds + seconds, per = seconds > 0 ? 1 / seconds : 0, gib = bytes / (double)(1L << 30);
        var result = job with
        {
            WarmupSeconds = WarmupSeconds,
            Seconds = seconds,
            AutoTerminated = autoTerminated,
            Operations = operations,
            Bytes = bytes,
            OpsPerSecond = operations * per,
            GiBPerSecond = gib * per,
            MiBPerSecond = bytes / 1048576.0 * per,
            Latency = LatencySummary.From(Total.Latency),
            Ttfb = Total.Ttfb.Count > 0 ? LatencySummary.From(Total.Ttfb) : null,
            Errors = Copy(Total.Errors),
            Timeline = Total.Timeline.Points(span),
            Latencies = Buckets(Total.Latency),
            ByOperation = kinds.Count < 2 ? null :
            [
                .. kinds.Select(k => (Kind: k, Stats: this[k])).Select(o => new OperationResult
                {
                    Operation = o.Kind.Name(),
                    Operations = o.Stats.Operations,
                    Share = operations > 0 ? o.Stats.Operations / (double)operations : 0,
                    Bytes = o.Stats.Bytes,
                    OpsPerSecond = o.Stats.Operations * per,
                    MiBPerSecond = o.Stats.Bytes / 1048576.0 * per,
                    Latency = LatencySummary.From(o.Stats.Latency),
                    Ttfb = o.Stats.Ttfb.Count > 0 ? LatencySummary.From(o.Stats.Ttfb) : null,
                    Errors = Copy(o.Stats.Errors),
                    Timeline = o.Stats.Timeline.Points(span),
                    Latencies = Buckets(o.Stats.Latency),
                }),
            ],
        };
        if (usage is null) return result;
        double clientCpu = usage.ClientCpuSeconds;
        return result with
        {
            ClientCpuSeconds = clientCpu,
            ClientCpuSecondsPerGiB = bytes > 0 ? clientCpu / gib : null,
            ClientCpuMsPerOp = operations > 0 ? clientCpu * 1000 / operations : 0,
            ClientPeakRssBytes = usage.ClientPeakRssBytes,
            SyscallsPerRequest = operations > 0 && usage.EnterCalls is { } calls ? (double)calls / operations : null,
            ConnectionsOpened = usage.ConnectionsOpened,
            ServerCpuSeconds = usage.ServerCpuSeconds,
            ServerCpuMsPerOp = usage.ServerCpuSeconds is { } s && operations > 0 ? s * 1000 / operations : null,
            ServerCpuSecondsPerGiB = usage.ServerCpuSeconds is { } g && bytes > 0 ? g / gib : null,
            ServerPeakRssBytes = usage.ServerPeakRssBytes,
            ThrottledRequests = usage.ThrottledRequests,
            ThrottledRetries = usage.ThrottledRetries,
            ThrottledPrefixes = usage.ThrottledPrefixes,
        };
    }

    private static Dictionary<string, long> Copy(IReadOnlyDictionary<string, long> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    private static List<LatencyBucket> Buckets(LatencyHistogram histogram) =>
        [.. histogram.Buckets().Select(b => new LatencyBucket(b.UpperMicros / 1000.0, b.Count))];
}
