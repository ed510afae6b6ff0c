namespace Sluice.Client;

/// <summary>
/// A token bucket shared by everything that draws from it: <see cref="S3ClientOptions.BandwidthLimit"/> (a token is a
/// byte sent or received, on any connection) and <see cref="S3ClientOptions.RequestRateLimit"/> (a token is a request
/// attempt). The bucket refills at <see cref="TokensPerSecond"/> up to <see cref="Burst"/>. A taker never waits for
/// tokens to appear before taking them: it takes them at once, possibly into debt, and waits until the debt would be
/// repaid — so one caller's large take delays the callers after it, and the average rate over any long stretch is
/// the configured one whatever the sizes of the takes. Thread-safe.
/// </summary>
public sealed class TokenBucketLimiter
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    // Guarded by _lock.
    private double _tokens;
    private long _last;

    /// <param name="tokensPerSecond">The rate.</param>
    /// <param name="burst">Tokens that may be taken at once after a quiet spell (default: one second's worth, at least 1).</param>
    /// <param name="timeProvider">The clock (tests inject one; default the system's).</param>
    public TokenBucketLimiter(double tokensPerSecond, double? burst = null, TimeProvider? timeProvider = null)
    {
        if (!(tokensPerSecond > 0) || double.IsInfinity(tokensPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(tokensPerSecond), tokensPerSecond, "must be a positive rate");
        }

        double b = burst ?? Math.Max(1, tokensPerSecond);
        if (!(b >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(burst), burst, "must be at least 1");
        }

        TokensPerSecond = tokensPerSecond;
        Burst = b;
        _time = timeProvider ?? TimeProvider.System;
        _tokens = b;
        _last = _time.GetTimestamp();
    }

    public double TokensPerSecond { get; }

    public double Burst { get; }

    /// <summary>Takes <paramref name="tokens"/> now and returns how long the caller must wait before using them (zero: at once).</summary>
    public TimeSpan Reserve(long tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(Burst, _tokens + _time.GetElapsedTime(_last, now).TotalSeconds * TokensPerSecond);
            _last = now;
            _tokens -= tokens;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / TokensPerSecond);
        }
    }

    /// <summary>Takes <paramref name="tokens"/> and waits until they are covered; completes at once (no allocation) when they are.</summary>
    public ValueTask WaitAsync(long tokens, CancellationToken cancellationToken = default)
    {
        TimeSpan wait = Reserve(tokens);
        return wait == TimeSpan.Zero ? ValueTask.CompletedTask : new ValueTask(Task.Delay(wait, _time, cancellationToken));
    }
}
