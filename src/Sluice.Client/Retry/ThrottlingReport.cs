namespace Sluice.Client.Retry;

/// <summary>What throttling a client met so far (<see cref="S3Client.Throttling"/>): for progress lines, summaries and benchmarks.</summary>
/// <param name="ThrottledResponses">Throttling answers received (503 SlowDown, 429, throttling codes).</param>
/// <param name="ThrottledRetries">Of those, the ones retried.</param>
/// <param name="QuotaExhausted">Requests given up because the retry quota was empty (<see cref="RetryQuotaExceededException"/>).</param>
/// <param name="Prefixes">The prefixes whose rate was cut, slowest first.</param>
public sealed record ThrottlingReport(long ThrottledResponses, long ThrottledRetries, long QuotaExhausted, IReadOnlyList<PrefixRateSnapshot> Prefixes);
