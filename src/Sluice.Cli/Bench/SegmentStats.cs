namespace Sluice.Cli.Bench;

/// <summary>
/// Throughput of a run cut into equal segments (warp analyze's "split into N x 1s"): how many whole segments the
/// measured time held, and the slowest, median and fastest of them, in the unit that suits the objects.
/// </summary>
public sealed record SegmentStats(string Name, int Segments, string Unit, double Slowest, double Median, double Fastest)
{
    /// <summary>
    /// Segments of <paramref name="segmentSeconds"/> from the warm-up's end over <paramref name="measuredSeconds"/>:
    /// each request counts in the segment it finished in; a last segment cut short by the run's end is left out, as
    /// is everything before the warm-up's end. MiB/s when <paramref name="large"/>, otherwise requests/s.
    /// </summary>
    public static SegmentStats From(string name, IEnumerable<OpRecord> records, double warmupSeconds, double measuredSeconds,
        double segmentSeconds, bool large)
    {
        ArgumentNullException.ThrowIfNull(records);
        int segments = (int)Math.Floor(measuredSeconds / segmentSeconds + 1e-9);
        var values = new double[segments];
        long origin = (long)(warmupSeconds * 1e6), width = (long)(segmentSeconds * 1e6);
        foreach (var r in records)
        {
            if (r.StartMicros < origin || r.Error != null) continue;
            long i = (r.EndMicros - origin) / width;
            if (i < segments) values[i] += large ? r.Bytes / 1048576.0 : 1;
        }
        for (int i = 0; i < segments; i++) values[i] /= segmentSeconds;
        Array.Sort(values);
        string unit = large ? "MiB/s" : "ops/s";
        return segments == 0 ? new SegmentStats(name, 0, unit, 0, 0, 0)
            : new SegmentStats(name, segments, unit, values[0], values[(segments - 1) / 2], values[^1]);
    }
}
