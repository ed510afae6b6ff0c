namespace Sluice.Client.Retry;

/// <summary>Full-jitter exponential backoff (the AWS architecture blog's recommendation: least contention).</summary>
internal static class Backoff
{
    /// <summary>The delay before retry number <paramref name="retry"/> (1 = first retry).</summary>
    public static TimeSpan Delay(RetryOptions options, int retry)
    {
        double cap = options.MaxDelay.TotalMilliseconds;
        double ceiling = Math.Min(cap, options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }
}
