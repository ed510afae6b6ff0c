namespace Sluice.Cli.Bench;

/// <summary>Latency percentiles of one workload, in milliseconds.</summary>
public sealed record LatencySummary(double P50, double P90, double P99, double Max, double Mean)
{
    /// <summary>The 99.9th percentile (absent, so 0, in reports written before it was measured).</summary>
    public double P999 { get; init; }

    /// <summary>Summarises a histogram of microseconds.</summary>
    public static LatencySummary From(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return new(histogram.Percentile(50) / 1000.0, histogram.Percentile(90) / 1000.0, histogram.Percentile(99) / 1000.0,
            histogram.Max / 1000.0, histogram.Mean / 1000.0)
        {
            P999 = histogram.Percentile(99.9) / 1000.0,
        };
    }
}
