namespace Sluice.Client.Retry;

/// <summary>One throttled prefix's state, as <see cref="PrefixRateLimiter.Snapshot"/> reports it.</summary>
/// <param name="Prefix">bucket or bucket/key-prefix (see <see cref="PrefixRateOptions"/>).</param>
/// <param name="Rate">The rate the prefix is held to now (requests per second).</param>
/// <param name="LowestRate">The lowest rate it was cut to.</param>
/// <param name="Throttles">Throttling answers received for it.</param>
/// <param name="Cuts">Multiplicative decreases applied (at most one per window of requests).</param>
/// <param name="Delayed">Requests that waited for its tokens.</param>
/// <param name="Limiting">False once the rate has climbed back to <see cref="PrefixRateOptions.StartRate"/>.</param>
public sealed record PrefixRateSnapshot(string Prefix, double Rate, double LowestRate, long Throttles, int Cuts, long Delayed, bool Limiting);
