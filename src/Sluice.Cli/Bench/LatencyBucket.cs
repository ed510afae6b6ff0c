namespace Sluice.Cli.Bench;

/// <summary>One bar of the latency distribution: how many requests took up to <see cref="UpToMs"/> milliseconds.</summary>
public sealed record LatencyBucket(double UpToMs, long Count);
