namespace Sluice.Server.Index;

/// <summary>
/// One key range [<see cref="LowKey"/>, <see cref="HighKey"/>) of a bucket and its current sorted run. The range
/// never changes: a split retires this partition and publishes two new ones, so a reader holding an old map
/// still sees a consistent, gap-free cover of the key space. The run lives in a <see cref="PartitionCell"/>, which
/// also holds the partition's write lock.
/// </summary>
internal sealed class KeyPartition
{
    private PartitionBudget? _budget;

    public KeyPartition(byte[] lowKey, byte[]? highKey, PartitionData data, PartitionHeat? heat = null)
        : this(lowKey, highKey, new PartitionCell(data), heat)
    {
    }

    public KeyPartition(byte[] lowKey, byte[]? highKey, PartitionCell cell, PartitionHeat? heat = null)
    {
        LowKey = lowKey;
        HighKey = highKey;
        Cell = cell;
        Heat = heat ?? new PartitionHeat();
    }

    /// <summary>Inclusive low bound; empty for the first partition.</summary>
    public byte[] LowKey { get; }

    /// <summary>Exclusive high bound; null for the last partition.</summary>
    public byte[]? HighKey { get; }

    /// <summary>The run and the write lock (shared with the partition this one replaced when an empty neighbour merged in).</summary>
    public PartitionCell Cell { get; }

    public PartitionData Data => Cell.Data;

    /// <summary>Request counters and rates (kept across splits and merges: see <see cref="PartitionHeat.Divide"/>).</summary>
    public PartitionHeat Heat { get; }

    public long Reads => Heat.Reads;

    public long Writes => Heat.Writes;

    /// <summary>The request budget of the S3 limits emulation; null until the emulation first admits a request here.</summary>
    public PartitionBudget? Budget => Volatile.Read(ref _budget);

    /// <summary>Replaces the run; callers hold the cell's lock.</summary>
    public void Publish(PartitionData data) => Cell.Publish(data);

    /// <summary>The budget, made on first use (one per partition, for as long as the partition lives).</summary>
    public PartitionBudget GetOrCreateBudget(S3LimitsProfile profile, long now, long timestampFrequency)
    {
        PartitionBudget? budget = Volatile.Read(ref _budget);
        if (budget != null) return budget;
        Interlocked.CompareExchange(ref _budget, new PartitionBudget(profile.ReadsPerSecond, profile.WritesPerSecond, now, timestampFrequency), null);
        return _budget!;
    }

    public void CountRead(ReadOnlySpan<byte> key) => Heat.CountRead(key);

    public void CountWrite(ReadOnlySpan<byte> key) => Heat.CountWrite(key);
}
