namespace Sluice.Cli.Bench;

/// <summary>What `sluice bench` was asked to do, after defaults are applied.</summary>
internal sealed record BenchSettings
{
    public required IReadOnlyList<string> Workloads { get; init; }
    public required IReadOnlyList<long> Sizes { get; init; }

    /// <summary>Objects to prepare; null picks per size (500 small, at most 1 GiB worth of large ones).</summary>
    public int? Objects { get; init; }

    /// <summary>Requests in flight; null picks 32 for objects under 1 MiB, 8 above.</summary>
    public int? Concurrency { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Operations per workload and size (the run ends at this count or the duration, whichever comes first).</summary>
    public long? Count { get; init; }
    public required string Keys { get; init; }
    public required string Bucket { get; init; }
    public bool Quiet { get; init; }

    public const long LargeObject = 1 << 20;

    public int ObjectsFor(long size) => Objects ?? (size < LargeObject ? 500 : (int)Math.Clamp((1L << 30) / size, 4, 64));

    public int ConcurrencyFor(long size) => Concurrency ?? (size < LargeObject ? 32 : 8);
}
