namespace Sluice.Server.Index;

/// <summary>
/// One key range [<see cref="LowKey"/>, <see cref="HighKey"/>) of a bucket and its current sorted run. The range
/// never changes: a split retires this partition and publishes two new ones, so a reader holding an old map
/// still sees a consistent, gap-free cover of the key space.
/// </summary>
internal sealed class KeyPartition
{
    private PartitionData _data;

    // Request counters for a later request-rate split policy. Plain increments: lost updates under races only
    // make a rate estimate slightly low, and a locked add on every GET would cost more than it tells.
    private long _reads;
    private long _writes;

    public KeyPartition(byte[] lowKey, byte[]? highKey, PartitionData data)
    {
        LowKey = lowKey;
        HighKey = highKey;
        _data = data;
    }

    /// <summary>Inclusive low bound; empty for the first partition.</summary>
    public byte[] LowKey { get; }

    /// <summary>Exclusive high bound; null for the last partition.</summary>
    public byte[]? HighKey { get; }

    public PartitionData Data => Volatile.Read(ref _data);

    public long Reads => Volatile.Read(ref _reads);

    public long Writes => Volatile.Read(ref _writes);

    /// <summary>Replaces the run; callers hold the bucket's write lock.</summary>
    public void Publish(PartitionData data) => Volatile.Write(ref _data, data);

    public void CountRead() => _reads++;

    public void CountWrite() => _writes++;
}
