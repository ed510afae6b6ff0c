namespace Sluice.Cli.Bench;

/// <summary>
/// One line of the driver–agent protocol (JSON, one message per line, over TCP). The driver opens with hello (its
/// clock, the agent's index, the target); the agent answers hello (its clock). Per job: prepare (the job) → ready
/// (or error); start (the agreed moment, on the agent's clock) → a tick per second, then done (count, seconds,
/// usage) followed by that many CSV record lines; the driver may send stop at any time during a run. bye ends the
/// session. Fields not used by a type stay null and are not written.
/// </summary>
public sealed record AgentMessage
{
    /// <summary>hello, prepare, ready, start, tick, stop, done, error or bye.</summary>
    public required string Type { get; init; }

    /// <summary>hello: the sender's Sluice version (they must match).</summary>
    public string? Version { get; init; }

    /// <summary>hello: the sender's wall clock, Unix milliseconds.</summary>
    public long? Clock { get; init; }

    /// <summary>hello (driver): this agent's index, written into its records.</summary>
    public int? Agent { get; init; }

    /// <summary>hello (driver): what to drive.</summary>
    public AgentTarget? Target { get; init; }

    /// <summary>prepare: the job, its prefix this agent's own.</summary>
    public BenchJob? Job { get; init; }

    /// <summary>start: when to start, Unix milliseconds on the agent's clock.</summary>
    public long? StartAt { get; init; }

    /// <summary>tick: the whole second (0-based since the start) it reports.</summary>
    public int? Second { get; init; }

    /// <summary>tick: requests finished in that second.</summary>
    public long? Operations { get; init; }

    /// <summary>tick: payload bytes moved in that second.</summary>
    public long? Bytes { get; init; }

    /// <summary>tick: failed requests in that second.</summary>
    public long? Errors { get; init; }

    /// <summary>done: records that follow, one CSV line each.</summary>
    public long? Records { get; init; }

    /// <summary>done: measured seconds (after the warm-up).</summary>
    public double? Seconds { get; init; }

    /// <summary>done: what the run cost the agent's process.</summary>
    public ResourceUsage? Usage { get; init; }

    /// <summary>error: what went wrong.</summary>
    public string? Message { get; init; }
}
