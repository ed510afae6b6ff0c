namespace Sluice.Cli.Bench;

/// <summary>The figures of one operation kind within a mixed workload (the per-operation breakdown).</summary>
public sealed record OperationResult
{
    /// <summary>get, put, head, delete, list or multipart.</summary>
    public required string Operation { get; init; }

    /// <summary>Measured requests of this kind, successful or not.</summary>
    public long Operations { get; init; }

    /// <summary>This kind's share of the workload's measured requests (0..1).</summary>
    public double Share { get; init; }

    /// <summary>Payload bytes its successful requests moved.</summary>
    public long Bytes { get; init; }

    /// <summary>Requests per second.</summary>
    public double OpsPerSecond { get; init; }

    /// <summary>Payload MiB per second.</summary>
    public double MiBPerSecond { get; init; }

    /// <summary>Latency percentiles (ms).</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Time to first byte (ms), for GET.</summary>
    public LatencySummary? Ttfb { get; init; }

    /// <summary>Failures by S3 error code (or exception type).</summary>
    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    /// <summary>Per-second throughput, warm-up included.</summary>
    public required IReadOnlyList<TimelinePoint> Timeline { get; init; }

    /// <summary>The latency distribution.</summary>
    public required IReadOnlyList<LatencyBucket> Latencies { get; init; }
}
