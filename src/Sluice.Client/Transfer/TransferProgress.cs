namespace Sluice.Client.Transfer;

/// <summary>
/// A snapshot of a transfer's progress. <see cref="TotalBytes"/> is -1 until the size is known (a download
/// learns it from its first response; a stream upload at its end). Rate is averaged since the start.
/// </summary>
public readonly record struct TransferProgress(
    string Name,
    long BytesDone,
    long TotalBytes,
    int PartsDone,
    int TotalParts,
    TimeSpan Elapsed,
    bool IsComplete)
{
    /// <summary>Bytes per second since the transfer started.</summary>
    public double BytesPerSecond => Elapsed > TimeSpan.Zero ? BytesDone / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left at the average rate; null when the total or the rate is unknown.</summary>
    public TimeSpan? Eta => TotalBytes >= 0 && BytesPerSecond > 0
        ? TimeSpan.FromSeconds(Math.Max(0, TotalBytes - BytesDone) / BytesPerSecond)
        : null;
}
