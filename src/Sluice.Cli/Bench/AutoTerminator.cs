namespace Sluice.Cli.Bench;

/// <summary>
/// --autoterm: ends a run once its throughput has settled. Warp fits 25 points over the whole run and waits for the
/// last 7 to agree; this takes the plain reading of that idea over whole seconds: the run is stable when each of the
/// last <see cref="WindowSeconds"/> complete seconds after the warm-up is within ±<see cref="Percent"/> % of their
/// mean, in MiB/s for large objects and requests/s for small ones. A steady drift wider than that keeps it running,
/// as it should: a drift is something to measure.
/// </summary>
public sealed class AutoTerminator(double warmupSeconds, int windowSeconds, double percent, bool large)
{
    /// <summary>Seconds that must agree.</summary>
    public int WindowSeconds { get; } = Math.Max(2, windowSeconds);

    /// <summary>How far (percent of the mean) each of them may be from the mean.</summary>
    public double Percent { get; } = percent;

    /// <summary>
    /// True when the <paramref name="completed"/> first one-second slots (0-based: slot i covers [i, i+1) seconds
    /// since the start) end in a stable window; <paramref name="slot"/> reads one.
    /// </summary>
    public bool IsStable(int completed, Func<int, TimelinePoint> slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        int first = completed - WindowSeconds;
        // Only whole seconds after the warm-up count: the one the warm-up ends in is partly warm-up.
        if (first < (int)Math.Ceiling(warmupSeconds)) return false;
        Span<double> values = stackalloc double[WindowSeconds];
        double sum = 0;
        for (int i = 0; i < WindowSeconds; i++)
        {
            var p = slot(first + i);
            values[i] = large ? p.Bytes : p.Operations;
            if (values[i] <= 0) return false; // a stalled second is not stability
            sum += values[i];
        }
        double mean = sum / WindowSeconds, band = mean * Percent / 100;
        foreach (double v in values)
            if (Math.Abs(v - mean) > band) return false;
        return true;
    }
}
