using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>
/// `sluice bench analyze FILE`: the figures of a saved run computed again from its requests (the same
/// <see cref="JobStats"/> a live run uses, so they match the run's own), and its throughput in segments.
/// </summary>
public static class BenchAnalyzer
{
    /// <summary>The report recomputed from <paramref name="records"/>, and each workload's (and operation's) segments.</summary>
    public static (BenchReport Report, IReadOnlyList<SegmentStats> Segments) Analyze(BenchReport saved, IReadOnlyList<IReadOnlyList<OpRecord>> records,
        TimeSpan segment)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(records);
        var results = new List<WorkloadResult>();
        var segments = new List<SegmentStats>();
        for (int i = 0; i < saved.Results.Count; i++)
        {
            var old = saved.Results[i];
            var mine = records[i];
            long lastEnd = mine.Count == 0 ? 0 : mine.Max(r => r.EndMicros);
            var stats = new JobStats(old.WarmupSeconds, (int)Math.Ceiling(Math.Max(old.WarmupSeconds + old.Seconds, lastEnd / 1e6)) + 2);
            foreach (var r in mine) stats.Add(r);
            var kinds = old.Mix is { } m && OpMix.TryParse(m, out var mix, out _) ? mix!.Kinds : mine.Select(r => r.Op).Distinct().Order().ToList();
            var result = stats.ToResult(old, kinds, old.Seconds, null, old.AutoTerminated);
            results.Add(result);
            bool large = result.IsLarge;
            segments.Add(SegmentStats.From(result.Name, mine, old.WarmupSeconds, old.Seconds, segment.TotalSeconds, large));
            if (kinds.Count > 1)
            {
                foreach (var kind in kinds)
                    segments.Add(SegmentStats.From("  " + kind.Name(), mine.Where(r => r.Op == kind), old.WarmupSeconds, old.Seconds, segment.TotalSeconds, large));
            }
        }
        return (saved with { Results = results }, segments);
    }

    /// <summary>The segments as a table (within 100 columns).</summary>
    public static string RenderSegments(IReadOnlyList<SegmentStats> segments, TimeSpan segment)
    {
        ArgumentNullException.ThrowIfNull(segments);
        string length = segment.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
        var table = new TextTable(["workload", "segments", "unit", "slowest", "median", "fastest"]);
        foreach (var s in segments)
        {
            table.Add([s.Name, s.Segments.ToString(CultureInfo.InvariantCulture), s.Unit, SummaryTable.Rate(s.Slowest),
                SummaryTable.Rate(s.Median), SummaryTable.Rate(s.Fastest)]);
        }
        return $"throughput in whole segments of {length} after the warm-up (requests counted where they finished):\n" + table;
    }
}
