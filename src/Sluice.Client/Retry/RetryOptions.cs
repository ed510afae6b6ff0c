namespace Sluice.Client.Retry;

/// <summary>
/// Exponential backoff with full jitter (delay = random(0, min(MaxDelay, BaseDelay·2^attempt))) and a token-bucket
/// retry budget shared by the client, so a failing service is not hammered by every request's retries at once.
/// </summary>
public sealed record RetryOptions
{
    /// <summary>Attempts per request including the first; 1 disables retries.</summary>
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Budget tokens; a retry costs <see cref="RetryCost"/> (timeouts and stalls <see cref="TimeoutRetryCost"/>),
    /// a success returns <see cref="SuccessRefund"/>. An empty budget means no more retries until successes refill it.</summary>
    public int BudgetCapacity { get; init; } = 500;

    public int RetryCost { get; init; } = 5;

    public int TimeoutRetryCost { get; init; } = 10;

    public int SuccessRefund { get; init; } = 1;

    /// <summary>Extra backoff for a key prefix after 503 SlowDown on it: later requests under the same prefix wait too.</summary>
    public bool PerPrefixSlowDown { get; init; } = true;
}
