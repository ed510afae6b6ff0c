namespace Sluice.Cli.Bench;

/// <summary>
/// One workload at one object size, with every default resolved: what a local run executes and what the driver of a
/// distributed run sends each agent (as JSON), so both run exactly the same thing.
/// </summary>
public sealed record BenchJob
{
    /// <summary>Workload and size, e.g. "get 4KiB" or "mixed 4KiB..16MiB".</summary>
    public required string Name { get; init; }

    /// <summary>get, put, mixed, list, delete or multipart.</summary>
    public required string Workload { get; init; }

    /// <summary>The operations and weights (<see cref="OpMix"/> text; one operation for a plain workload).</summary>
    public required string Mix { get; init; }

    /// <summary>The object size in exact bytes (<see cref="SizeSpec"/> text: "4096" or "4096..16777216").</summary>
    public required string Size { get; init; }

    /// <summary>Requests in flight (per agent in a distributed run).</summary>
    public int Concurrency { get; init; }

    /// <summary>Objects prepared before the run for reads and deletes (per agent).</summary>
    public int Objects { get; init; }

    /// <summary>Seconds run before measuring.</summary>
    public double WarmupSeconds { get; init; }

    /// <summary>Seconds measured (the run may end sooner: --count, --autoterm, deletes running out).</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Measured operations after which the run ends (per agent).</summary>
    public long? Count { get; init; }

    /// <summary>Key naming scheme.</summary>
    public required string Keys { get; init; }

    /// <summary>The bucket.</summary>
    public required string Bucket { get; init; }

    /// <summary>The prefix under which this job (and, distributed, this agent) creates its objects.</summary>
    public required string Prefix { get; init; }

    /// <summary>The mix, parsed.</summary>
    public OpMix ParseMix() => OpMix.TryParse(Mix, out var mix, out string? error) ? mix! : throw new InvalidDataException($"mix '{Mix}': {error}");

    /// <summary>True when the job reads, lists or deletes, so objects are uploaded for it before the run.</summary>
    public bool NeedsObjects => ParseMix() is var mix && (mix.Has(OpKind.Get) || mix.Has(OpKind.Head) || mix.Has(OpKind.Delete) || mix.Has(OpKind.List));

    /// <summary>The size, parsed.</summary>
    public SizeSpec ParseSize() => SizeSpec.TryParse(Size, out var size) ? size : throw new InvalidDataException($"size '{Size}' is not a size");

    /// <summary>Timeline slots a run of this job can fill: warm-up, duration and a little slack for the last requests.</summary>
    public int TimelineSlots => (int)Math.Ceiling(WarmupSeconds + DurationSeconds) + 3;
}
