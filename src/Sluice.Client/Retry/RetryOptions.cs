namespace Sluice.Client.Retry;

/// <summary>
/// The retry policy: the AWS SDKs' standard mode as revised in 2026 (AWS_NEW_RETRIES_2026) — exponential backoff with
/// full jitter, a separate base for throttling, the cap applied before the jitter, honouring the server's
/// <c>x-amz-retry-after</c>, and a retry quota (a token bucket shared by the client) — plus an adaptive request rate
/// per key prefix after throttling (<see cref="PrefixRate"/>).
/// </summary>
public sealed record RetryOptions
{
    /// <summary>Attempts per request including the first; 1 disables retries. (AWS standard mode: 3.)</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Backoff base for transient errors (5xx, resets, timeouts): retry n waits random(0, min(MaxDelay, BaseDelay·2^(n−1))).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Backoff base for throttling (503 SlowDown, 429, throttling codes): the server asked for less load, so wait longer.</summary>
    public TimeSpan ThrottleBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap on the exponential term, applied before the jitter.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Honour the server's <c>x-amz-retry-after</c> (milliseconds): the retry waits that long, clamped between the
    /// computed backoff and <see cref="MaxRetryAfterExtra"/> above it (as the SDKs clamp it: a server cannot make a
    /// client retry sooner than its own backoff, nor park it indefinitely). Invalid values are ignored.
    /// </summary>
    public bool HonourRetryAfter { get; init; } = true;

    /// <summary>How far above the computed backoff <c>x-amz-retry-after</c> may push a retry.</summary>
    public TimeSpan MaxRetryAfterExtra { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The retry quota's tokens: a retry withdraws its cost; with too few left the error is returned at once
    /// (<see cref="RetryQuotaExceededException"/>), so an outage does not multiply the load.</summary>
    public int BudgetCapacity { get; init; } = 500;

    /// <summary>Quota cost of retrying a transient (non-throttling) error.</summary>
    public int RetryCost { get; init; } = 14;

    /// <summary>Quota cost of retrying a timeout or stall (the 2026 behaviour treats them as any transient error).</summary>
    public int TimeoutRetryCost { get; init; } = 14;

    /// <summary>Quota cost of retrying a throttled request: discounted, the server explicitly said "try again later".</summary>
    public int ThrottleRetryCost { get; init; } = 5;

    /// <summary>Tokens a success on the first attempt returns to the quota. A success after retries returns the cost of
    /// its last retry instead (as the SDKs do).</summary>
    public int SuccessRefund { get; init; } = 1;

    /// <summary>After throttling, slow the throttled key prefix only (<see cref="PrefixRate"/>); other prefixes keep full speed.</summary>
    public bool PerPrefixSlowDown { get; init; } = true;

    /// <summary>How prefixes are formed and how their rate adapts after throttling.</summary>
    public PrefixRateOptions PrefixRate { get; init; } = new();

    /// <summary>The clock for backoff waits and prefix rates (tests inject one; default the system's).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
