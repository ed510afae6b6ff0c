namespace Sluice.Server.Index;

/// <summary>
/// The S3 limits emulation: each key-range partition admits requests within its <see cref="S3LimitsProfile"/>
/// budget and refuses the rest (the handler answers them 503 SlowDown with x-amz-retry-after). Refused requests count
/// as the partition's heat, so the partition policy splits a range that stays over budget, as S3 does.
/// </summary>
internal sealed class S3LimitsEmulation
{
    private readonly TimeProvider _clock;

    public S3LimitsEmulation(S3LimitsProfile budget, TimeProvider? clock)
    {
        ArgumentNullException.ThrowIfNull(budget);
        if (!(budget.ReadsPerSecond > 0) || !(budget.WritesPerSecond > 0))
            throw new ArgumentOutOfRangeException(nameof(budget), "a partition's budget is a positive rate");
        Budget = budget;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Each partition's budget (the profile scaled by the partition rate).</summary>
    public S3LimitsProfile Budget { get; }

    /// <summary>
    /// Takes one request for <paramref name="key"/> from its partition's budget; false, with the milliseconds until
    /// the partition admits one again, when the budget is spent (the request is counted as throttled).
    /// </summary>
    public bool TryAdmit(BucketIndex index, ReadOnlySpan<byte> key, bool write, out long retryAfterMilliseconds)
    {
        KeyPartition[] map = index.Map;
        KeyPartition partition = map[BucketIndex.FindPartition(map, key)];
        long now = _clock.GetTimestamp();
        PartitionBudget budget = partition.Budget ?? partition.GetOrCreateBudget(Budget, now, _clock.TimestampFrequency);
        if (budget.TryTake(write, now, out retryAfterMilliseconds)) return true;
        // Offered load: the refused request is heat too (that is what makes the policy split a throttled range).
        if (write) partition.CountWrite(key);
        else partition.CountRead(key);
        partition.Heat.CountThrottled();
        return false;
    }
}
