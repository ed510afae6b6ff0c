namespace Sluice.Server.Index;

/// <summary>
/// A partition's request budget under the S3 limits emulation: two token buckets (reads, writes) refilled at the
/// budget's rate and holding at most one second of it, so a partition absorbs a short burst as S3 does and refuses
/// a sustained excess. Only the emulation creates one; with it off no request touches a budget.
/// </summary>
internal sealed class PartitionBudget
{
    /// <summary>
    /// Seconds of budget a bucket holds. One second: S3 promises its rates per second and absorbs bursts of about
    /// that size; more would hide a key-naming problem from a short rehearsal, less would throttle a client that
    /// merely starts many requests at once.
    /// </summary>
    public const double BurstSeconds = 1.0;

    private readonly object _lock = new();
    private readonly double _readsPerTick, _writesPerTick, _readCapacity, _writeCapacity;
    private readonly long _frequency;
    private double _readTokens, _writeTokens;
    private long _refilledAt;

    public PartitionBudget(double readsPerSecond, double writesPerSecond, long now, long timestampFrequency)
    {
        _frequency = timestampFrequency;
        _readsPerTick = readsPerSecond / timestampFrequency;
        _writesPerTick = writesPerSecond / timestampFrequency;
        // At least one request: a scaled-down budget below one per second still lets a request through now and then.
        _readCapacity = Math.Max(1, readsPerSecond * BurstSeconds);
        _writeCapacity = Math.Max(1, writesPerSecond * BurstSeconds);
        _readTokens = _readCapacity;
        _writeTokens = _writeCapacity;
        _refilledAt = now;
    }

    /// <summary>
    /// Takes one request from the read or write budget; false when it is spent, with the milliseconds until a
    /// request would be admitted (for x-amz-retry-after).
    /// </summary>
    public bool TryTake(bool write, long now, out long retryAfterMilliseconds)
    {
        lock (_lock)
        {
            long elapsed = now - _refilledAt;
            if (elapsed > 0)
            {
                _readTokens = Math.Min(_readCapacity, _readTokens + (elapsed * _readsPerTick));
                _writeTokens = Math.Min(_writeCapacity, _writeTokens + (elapsed * _writesPerTick));
                _refilledAt = now;
            }

            ref double tokens = ref write ? ref _writeTokens : ref _readTokens;
            if (tokens >= 1)
            {
                tokens--;
                retryAfterMilliseconds = 0;
                return true;
            }

            double perTick = write ? _writesPerTick : _readsPerTick;
            double ticks = (1 - tokens) / perTick;
            retryAfterMilliseconds = Math.Max(1, (long)Math.Ceiling(ticks * 1000 / _frequency));
            return false;
        }
    }
}
