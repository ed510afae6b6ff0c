namespace Sluice.Server.Index;

/// <summary>
/// One entry of a bucket's partition map: the key range [<see cref="LowKey"/>, <see cref="HighKey"/>), how many
/// keys it holds, its request counts (kept across splits: each half takes its share) and decaying request rates.
/// </summary>
/// <param name="LowKey">Inclusive low bound (UTF-8); empty for the first partition.</param>
/// <param name="HighKey">Exclusive high bound (UTF-8); empty for the last partition (unbounded).</param>
/// <param name="KeyCount">Keys in the range when the map was read.</param>
/// <param name="Reads">Gets, heads and list pages that touched the range since the index opened (approximate).</param>
/// <param name="Writes">Puts and deletes applied to it, and writes the S3 limits emulation refused (approximate).</param>
public readonly record struct PartitionInfo(ReadOnlyMemory<byte> LowKey, ReadOnlyMemory<byte> HighKey, int KeyCount, long Reads, long Writes)
{
    /// <summary>Reads per second, decaying (as of the partition policy's last tick).</summary>
    public double ReadRate { get; init; }

    /// <summary>Writes per second, decaying (as of the partition policy's last tick).</summary>
    public double WriteRate { get; init; }

    /// <summary>Requests the S3 limits emulation answered 503 SlowDown (counted in <see cref="Reads"/>/<see cref="Writes"/> too).</summary>
    public long Throttled { get; init; }

    /// <summary>Throttled requests per second, decaying.</summary>
    public double ThrottledRate { get; init; }
}
