namespace Sluice.Cli.Bench;

/// <summary>
/// Operations, bytes and errors per one-second slot since the start of a run, for the throughput-over-time chart
/// and the live progress line. Fixed capacity, interlocked adds: workers record without locks or allocation.
/// </summary>
public sealed class BenchTimeline
{
    private readonly TimeProvider _clock;
    private readonly long _start;
    private readonly long[] _ops;
    private readonly long[] _bytes;
    private readonly long[] _errors;

    /// <summary>
    /// A timeline of at most <paramref name="seconds"/> slots starting now (later records land in the last), on
    /// <paramref name="clock"/> (the system's by default; tests step their own).
    /// </summary>
    public BenchTimeline(int seconds, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        _clock = clock ?? TimeProvider.System;
        _start = _clock.GetTimestamp();
        _ops = new long[seconds];
        _bytes = new long[seconds];
        _errors = new long[seconds];
    }

    /// <summary>Seconds since the timeline started.</summary>
    public double Elapsed => _clock.GetElapsedTime(_start).TotalSeconds;

    /// <summary>Records a finished operation that moved <paramref name="bytes"/>.</summary>
    public void Record(long bytes, bool failed)
    {
        int slot = Slot();
        Interlocked.Increment(ref _ops[slot]);
        Interlocked.Add(ref _bytes[slot], bytes);
        if (failed) Interlocked.Increment(ref _errors[slot]);
    }

    /// <summary>Records an operation that finished <paramref name="seconds"/> after the timeline's start.</summary>
    public void RecordAt(double seconds, long bytes, bool failed)
    {
        int slot = seconds <= 0 ? 0 : (int)Math.Min(seconds, _ops.Length - 1);
        Interlocked.Increment(ref _ops[slot]);
        Interlocked.Add(ref _bytes[slot], bytes);
        if (failed) Interlocked.Increment(ref _errors[slot]);
    }

    /// <summary>Slots recorded so far (the capacity).</summary>
    public int Capacity => _ops.Length;

    /// <summary>What finished during slot <paramref name="index"/> (0-based), so far.</summary>
    public TimelinePoint At(int index) =>
        new(index + 1, Volatile.Read(ref _ops[index]), Volatile.Read(ref _bytes[index]), Volatile.Read(ref _errors[index]));

    /// <summary>
    /// The slots up to <paramref name="seconds"/> (rounded up) as chart points, and any later slot that holds a record:
    /// the run's own clock starts a moment after the timeline's, so its last operations can land one slot further.
    /// </summary>
    public IReadOnlyList<TimelinePoint> Points(double seconds)
    {
        int n = Math.Clamp((int)Math.Ceiling(seconds), 1, _ops.Length);
        for (int i = _ops.Length - 1; i >= n; i--)
        {
            if (Volatile.Read(ref _ops[i]) == 0) continue;
            n = i + 1;
            break;
        }
        var points = new TimelinePoint[n];
        for (int i = 0; i < n; i++)
            points[i] = new TimelinePoint(i + 1, Volatile.Read(ref _ops[i]), Volatile.Read(ref _bytes[i]), Volatile.Read(ref _errors[i]));
        return points;
    }

    /// <summary>Totals over the last whole second (for the live line).</summary>
    public TimelinePoint LastSecond()
    {
        int slot = Math.Max(0, Slot() - 1);
        return new TimelinePoint(slot + 1, Volatile.Read(ref _ops[slot]), Volatile.Read(ref _bytes[slot]), Volatile.Read(ref _errors[slot]));
    }

    private int Slot() => Math.Min((int)Elapsed, _ops.Length - 1);
}
