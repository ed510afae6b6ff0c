namespace Sluice.Server.Index;

/// <summary>
/// One entry of a bucket's partition map: the key range [<see cref="LowKey"/>, <see cref="HighKey"/>), how many
/// keys it holds, and request counts since the partition was created (by a split or at load).
/// </summary>
/// <param name="LowKey">Inclusive low bound (UTF-8); empty for the first partition.</param>
/// <param name="HighKey">Exclusive high bound (UTF-8); empty for the last partition (unbounded).</param>
/// <param name="KeyCount">Keys in the range when the map was read.</param>
/// <param name="Reads">Gets and list pages that touched the partition (approximate).</param>
/// <param name="Writes">Puts and deletes applied to it (approximate).</param>
public readonly record struct PartitionInfo(ReadOnlyMemory<byte> LowKey, ReadOnlyMemory<byte> HighKey, int KeyCount, long Reads, long Writes);
