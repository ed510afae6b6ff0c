using System.Diagnostics;

namespace Sluice.Client.Transfer;

/// <summary>
/// Counts bytes and parts done (from any thread, lock-free) and reports snapshots to an
/// <see cref="IProgress{T}"/> at most once per interval, plus a final report at completion.
/// </summary>
internal sealed class ProgressTracker
{
    private readonly IProgress<TransferProgress>? _sink;
    private readonly long _intervalTicks;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _bytes;
    private long _total;
    private int _parts;
    private int _totalParts;
    private long _lastReport;

    public ProgressTracker(string name, IProgress<TransferProgress>? sink, TimeSpan interval, long totalBytes = -1, int totalParts = 0)
    {
        Name = name;
        _sink = sink;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        _total = totalBytes;
        _totalParts = totalParts;
    }

    public string Name { get; }
    public long BytesDone => Interlocked.Read(ref _bytes);

    public void SetTotal(long totalBytes, int totalParts)
    {
        Interlocked.Exchange(ref _total, totalBytes);
        Interlocked.Exchange(ref _totalParts, totalParts);
    }

    /// <summary>Adds bytes without finishing a part (streaming receive).</summary>
    public void AddBytes(long bytes)
    {
        Interlocked.Add(ref _bytes, bytes);
        MaybeReport();
    }

    /// <summary>One more part is done (its bytes were counted with <see cref="AddBytes"/>).</summary>
    public void PartDone()
    {
        Interlocked.Increment(ref _parts);
        MaybeReport();
    }

    public TransferProgress Snapshot(bool complete = false) => new(Name, BytesDone, Interlocked.Read(ref _total),
        Volatile.Read(ref _parts), Volatile.Read(ref _totalParts), Stopwatch.GetElapsedTime(_start), complete);

    public void Complete() => _sink?.Report(Snapshot(complete: true));

    private void MaybeReport()
    {
        if (_sink is null) return;
        long now = Stopwatch.GetTimestamp(), last = Interlocked.Read(ref _lastReport);
        if (now - last < _intervalTicks) return;
        if (Interlocked.CompareExchange(ref _lastReport, now, last) != last) return; // another thread reports
        _sink.Report(Snapshot());
    }
}
