namespace Sluice.Cli.Bench;

/// <summary>A key prefix the client slowed after throttling, and the rate it settled at by the end of the job.</summary>
/// <param name="Prefix">bucket/key-prefix (the client's PrefixRateOptions decide how much of the key).</param>
/// <param name="RequestsPerSecond">The rate the prefix was held to at the end (the client's AIMD limit).</param>
/// <param name="LowestRequestsPerSecond">The lowest it was cut to.</param>
/// <param name="Throttles">Throttling answers received for it (over the client's life).</param>
public sealed record ThrottledPrefix(string Prefix, double RequestsPerSecond, double LowestRequestsPerSecond, long Throttles);
