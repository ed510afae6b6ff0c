namespace Sluice.Server.Index;

/// <summary>
/// The request budget a partition gets under the S3 limits emulation (<c>sluice serve --emulate-s3-limits</c>).
/// </summary>
/// <param name="Name">The profile's name on the command line.</param>
/// <param name="ReadsPerSecond">GET and HEAD requests per second one partition takes.</param>
/// <param name="WritesPerSecond">PUT, COPY, POST and DELETE requests per second one partition takes.</param>
public sealed record S3LimitsProfile(string Name, double ReadsPerSecond, double WritesPerSecond)
{
    /// <summary>AWS S3 today: at least 3,500 writes and 5,500 reads per second per partitioned prefix.</summary>
    public static S3LimitsProfile Aws { get; } = new("aws", 5500, 3500);

    /// <summary>The profiles by name.</summary>
    public static IReadOnlyList<S3LimitsProfile> All { get; } = [Aws];

    /// <summary>The profile named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static S3LimitsProfile? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>This budget times <paramref name="scale"/> (<c>--partition-rate</c>: a small machine cannot reach AWS's rates).</summary>
    public S3LimitsProfile Scaled(double scale)
    {
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), "a partition rate is a positive number");
        return this with { ReadsPerSecond = ReadsPerSecond * scale, WritesPerSecond = WritesPerSecond * scale };
    }
}
