using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>What `sluice bench` was asked to do, after defaults are applied.</summary>
internal sealed record BenchSettings
{
    public required IReadOnlyList<string> Workloads { get; init; }
    public required IReadOnlyList<SizeSpec> Sizes { get; init; }

    /// <summary>Objects to prepare; null picks per size (500 small, at most 1 GiB worth of large ones).</summary>
    public int? Objects { get; init; }

    /// <summary>Requests in flight; null picks 32 for objects under 1 MiB, 8 above.</summary>
    public int? Concurrency { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Time run before measuring, per workload and size.</summary>
    public TimeSpan Warmup { get; init; }

    /// <summary>Operations per workload and size (the run ends at this count or the duration, whichever comes first).</summary>
    public long? Count { get; init; }
    public required string Keys { get; init; }
    public required string Bucket { get; init; }

    /// <summary>The mixed workload's operations and weights.</summary>
    public string Mix { get; init; } = OpMix.DefaultMixed;

    public bool Quiet { get; init; }

    public const long LargeObject = 1 << 20;

    public int ObjectsFor(SizeSpec size) => Objects ?? (size.Mean < LargeObject ? 500 : (int)Math.Clamp((1L << 30) / size.Mean, 4, 64));

    public int ConcurrencyFor(SizeSpec size) => Concurrency ?? (size.Mean < LargeObject ? 32 : 8);

    /// <summary>The jobs of this run, in order (each size, each workload), their objects under <paramref name="root"/>.</summary>
    public IReadOnlyList<BenchJob> Jobs(string root) =>
    [
        .. Sizes.SelectMany(size => Workloads.Select(workload => new BenchJob
        {
            Name = $"{workload} {size.Label}",
            Workload = workload,
            Mix = workload == "mixed" ? Mix : OpMix.Only(KindOf(workload)).ToString(),
            Size = size.ToString(),
            Concurrency = ConcurrencyFor(size),
            Objects = ObjectsFor(size),
            WarmupSeconds = Warmup.TotalSeconds,
            DurationSeconds = Duration.TotalSeconds,
            Count = Count,
            Keys = Keys,
            Bucket = Bucket,
            Prefix = $"{root}{workload}-{size.ToString().Replace("..", "-", StringComparison.Ordinal)}/",
        })),
    ];

    private static OpKind KindOf(string workload) =>
        OpKinds.TryParse(workload, out var kind) ? kind : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"unknown workload '{workload}'"));
}
