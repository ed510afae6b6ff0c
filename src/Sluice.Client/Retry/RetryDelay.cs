using System.Globalization;

namespace Sluice.Client.Retry;

/// <summary>
/// The wait before a retry, as the AWS SDKs' 2026 standard mode computes it: full jitter over an exponential term
/// capped before the jitter, with a longer base for throttling, and the server's <c>x-amz-retry-after</c> (ms)
/// taking over when present, clamped to [backoff, backoff + <see cref="RetryOptions.MaxRetryAfterExtra"/>].
/// </summary>
public static class RetryDelay
{
    /// <summary>The delay before retry number <paramref name="retry"/> (1 = first retry).</summary>
    /// <param name="options">The policy.</param>
    /// <param name="retry">1 for the first retry.</param>
    /// <param name="throttled">The failure was throttling (<see cref="RetryOptions.ThrottleBaseDelay"/> applies).</param>
    /// <param name="jitter">A uniform random number in [0, 1) (the caller's source, so tests can fix it).</param>
    /// <param name="retryAfter">The server's <c>x-amz-retry-after</c>, when it sent a valid one.</param>
    public static TimeSpan Compute(RetryOptions options, int retry, bool throttled, double jitter, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        double baseMs = (throttled ? options.ThrottleBaseDelay : options.BaseDelay).TotalMilliseconds;
        // Cap first, then jitter: the jitter spreads over the capped range, so capped retries still spread out.
        double ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, baseMs * Math.Pow(2, Math.Min(retry - 1, 30)));
        double backoff = Math.Clamp(jitter, 0, 1) * ceiling;
        if (retryAfter is { } after && options.HonourRetryAfter)
        {
            backoff = Math.Clamp(after.TotalMilliseconds, backoff, backoff + options.MaxRetryAfterExtra.TotalMilliseconds);
        }

        return TimeSpan.FromMilliseconds(backoff);
    }

    /// <summary>Parses an <c>x-amz-retry-after</c> value: whole milliseconds, no sign. Anything else is ignored (null).</summary>
    public static TimeSpan? ParseRetryAfter(ReadOnlySpan<byte> value)
    {
        value = value.Trim(" \t"u8);
        return value.Length is > 0 and <= 9
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int ms)
            ? TimeSpan.FromMilliseconds(ms) : null;
    }
}
