namespace Sluice.Client.Transfer;

/// <summary>How one object is cut into parts: part size, count (the last part may be shorter) and parts in flight.</summary>
public readonly record struct PartPlan(long ObjectSize, long PartSize, int PartCount, int Concurrency)
{
    /// <summary>Offset of part <paramref name="index"/> (0-based).</summary>
    public long OffsetOf(int index) => index * PartSize;

    /// <summary>Length of part <paramref name="index"/> (0-based): PartSize, or the remainder for the last part.</summary>
    public long LengthOf(int index) => Math.Min(PartSize, ObjectSize - OffsetOf(index));
}
