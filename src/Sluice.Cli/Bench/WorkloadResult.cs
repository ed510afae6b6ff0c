namespace Sluice.Cli.Bench;

/// <summary>The measured outcome of one workload at one object size.</summary>
public sealed record WorkloadResult
{
    /// <summary>Workload and size, e.g. "get 4KiB".</summary>
    public required string Name { get; init; }

    /// <summary>get, put, mixed, list, delete or multipart.</summary>
    public required string Workload { get; init; }

    /// <summary>Object size in bytes (the largest, for a range of sizes).</summary>
    public long ObjectSize { get; init; }

    /// <summary>The size as given: "4KiB" or a range "4KiB..16MiB" (null in reports older than ranges).</summary>
    public string? Size { get; init; }

    /// <summary>The operations and their weights, e.g. "get=60,head=25,put=15".</summary>
    public string? Mix { get; init; }

    /// <summary>Requests in flight (per agent when distributed).</summary>
    public int Concurrency { get; init; }

    /// <summary>Agents that ran it (0: this process).</summary>
    public int Agents { get; init; }

    /// <summary>Seconds run before measuring (their requests are in the timeline only).</summary>
    public double WarmupSeconds { get; init; }

    /// <summary>Measured wall time, after the warm-up.</summary>
    public double Seconds { get; init; }

    /// <summary>True when --autoterm ended the run because throughput had become stable.</summary>
    public bool AutoTerminated { get; init; }

    /// <summary>Operations completed (successful or not).</summary>
    public long Operations { get; init; }

    /// <summary>Payload bytes moved by successful operations.</summary>
    public long Bytes { get; init; }

    /// <summary>Operations per second.</summary>
    public double OpsPerSecond { get; init; }

    /// <summary>Payload GiB per second.</summary>
    public double GiBPerSecond { get; init; }

    /// <summary>Payload MiB per second.</summary>
    public double MiBPerSecond { get; init; }

    /// <summary>Latency percentiles (ms).</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Time to first byte of GET requests (ms); null when the workload made none.</summary>
    public LatencySummary? Ttfb { get; init; }

    /// <summary>Failed operations by S3 error code (or exception type).</summary>
    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    /// <summary>Throttling answers (503 SlowDown, ...) the client received; each retried one is not an error (null: not measured).</summary>
    public long? ThrottledRequests { get; init; }

    /// <summary>Of <see cref="ThrottledRequests"/>, those retried.</summary>
    public long? ThrottledRetries { get; init; }

    /// <summary>The prefixes the client slowed and the rate each settled at, slowest first (null: none).</summary>
    public IReadOnlyList<ThrottledPrefix>? ThrottledPrefixes { get; init; }

    /// <summary>CPU seconds the client process used.</summary>
    public double ClientCpuSeconds { get; init; }

    /// <summary>Client CPU seconds per GiB moved (null when no payload moved).</summary>
    public double? ClientCpuSecondsPerGiB { get; init; }

    /// <summary>Client CPU milliseconds per operation.</summary>
    public double ClientCpuMsPerOp { get; init; }

    /// <summary>Peak resident set of the client process so far (bytes).</summary>
    public long ClientPeakRssBytes { get; init; }

    /// <summary>io_uring_enter calls (or socket system calls on the fallback) per request, from the reactors' counters.</summary>
    public double? SyscallsPerRequest { get; init; }

    /// <summary>Connections the client had opened by the end of the run, since it started (preparation and earlier workloads included).</summary>
    public int? ConnectionsOpened { get; init; }

    /// <summary>CPU seconds of the embedded server (null for a remote endpoint).</summary>
    public double? ServerCpuSeconds { get; init; }

    /// <summary>Server CPU milliseconds per operation (embedded server only).</summary>
    public double? ServerCpuMsPerOp { get; init; }

    /// <summary>Server CPU seconds per GiB (embedded server only).</summary>
    public double? ServerCpuSecondsPerGiB { get; init; }

    /// <summary>Peak resident set of the embedded server process (bytes).</summary>
    public long? ServerPeakRssBytes { get; init; }

    /// <summary>Per-second throughput, warm-up included (its first <see cref="WarmupSeconds"/> are the warm-up).</summary>
    public required IReadOnlyList<TimelinePoint> Timeline { get; init; }

    /// <summary>The latency distribution.</summary>
    public required IReadOnlyList<LatencyBucket> Latencies { get; init; }

    /// <summary>One entry per operation kind for a workload of several (mixed); null for a single-operation workload.</summary>
    public IReadOnlyList<OperationResult>? ByOperation { get; init; }

    /// <summary>True when objects average 1 MiB or more: throughput then reads best in MiB/s, otherwise in ops/s.</summary>
    public bool IsLarge => Bytes > 0 && Operations > 0 ? Bytes / (double)Operations >= BenchSettings.LargeObject : ObjectSize >= BenchSettings.LargeObject;
}
