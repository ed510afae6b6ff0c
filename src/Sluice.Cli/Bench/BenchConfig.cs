namespace Sluice.Cli.Bench;

/// <summary>Everything that shaped a run, written with its results so two runs can be compared fairly.</summary>
public sealed record BenchConfig
{
    /// <summary>The S3 endpoint, or the embedded server's address.</summary>
    public required string Endpoint { get; init; }

    /// <summary>True when bench started its own server on a temporary directory.</summary>
    public bool EmbeddedServer { get; init; }

    /// <summary>Workloads run, in order (get, put, mixed, list, delete, multipart).</summary>
    public required IReadOnlyList<string> Workloads { get; init; }

    /// <summary>Object sizes in bytes, one run of each workload per size (the largest, for a range).</summary>
    public required IReadOnlyList<long> Sizes { get; init; }

    /// <summary>The sizes as given: "4KiB" or a range "4KiB..16MiB".</summary>
    public IReadOnlyList<string>? SizeSpecs { get; init; }

    /// <summary>The mixed workload's operations and weights, when it ran.</summary>
    public string? Mix { get; init; }

    /// <summary>Objects prepared per size (GET/list/delete) or the PUT key space.</summary>
    public int Objects { get; init; }

    /// <summary>Requests in flight.</summary>
    public int Concurrency { get; init; }

    /// <summary>Time limit per workload and size, in seconds (measured, after the warm-up).</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Time run before measuring, per workload and size, in seconds.</summary>
    public double WarmupSeconds { get; init; }

    /// <summary>True when --autoterm could end workloads early.</summary>
    public bool AutoTerm { get; init; }

    /// <summary>The agents (host:port) that generated the load; empty for a local run.</summary>
    public IReadOnlyList<string>? Agents { get; init; }

    /// <summary>Operations per workload and size, when limited by count.</summary>
    public long? Count { get; init; }

    /// <summary>Key naming: sequential, random, hashed or reversed.</summary>
    public required string Keys { get; init; }

    /// <summary>The client's I/O engine (uring or managed).</summary>
    public required string Io { get; init; }

    /// <summary>Processor count, OS and .NET version of the machine that ran it.</summary>
    public required string Machine { get; init; }
}
