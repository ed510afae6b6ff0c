using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_within_one_sub_bucket_of_the_exact_values()
    {
        var random = new Random(1234);
        var values = new long[50_000];
        var histogram = new LatencyHistogram();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (long)Math.Pow(10, random.NextDouble() * 7); // 1 µs .. 10 s, log-uniform
            histogram.Record(values[i]);
        }
        Array.Sort(values);
        foreach (double p in new[] { 1.0, 50, 90, 99, 99.9, 100 })
        {
            long exact = values[Math.Max(0, (int)Math.Ceiling(p / 100 * values.Length) - 1)];
            long reported = histogram.Percentile(p);
            Assert.InRange(reported, exact, exact + exact / LatencyHistogram.SubBuckets + 1);
        }
        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values.Length, histogram.Count);
        Assert.Equal(values.Average(), histogram.Mean, 6);
        Assert.Equal(values.Length, histogram.Buckets().Sum(b => b.Count));
    }

    [Fact]
    public void Every_value_lands_in_a_bucket_whose_edges_hold_it()
    {
        for (long v = 0; v < 1L << 36; v = v < 200 ? v + 1 : v + v / 7 + 1)
        {
            int index = LatencyHistogram.IndexOf(v);
            Assert.True(LatencyHistogram.UpperEdge(index) >= v, $"{v} above its bucket's edge");
            if (index > 0) Assert.True(LatencyHistogram.UpperEdge(index - 1) < v, $"{v} belongs to an earlier bucket");
        }
    }

    [Fact]
    public void Concurrent_recording_loses_nothing_and_histograms_add()
    {
        var a = new LatencyHistogram();
        Parallel.For(0, 8, w => { for (int i = 0; i < 100_000; i++) a.Record(i % 5000); });
        Assert.Equal(800_000, a.Count);
        var b = new LatencyHistogram();
        b.Record(7_000_000);
        b.Add(a);
        Assert.Equal(800_001, b.Count);
        Assert.Equal(7_000_000, b.Max);
        Assert.Equal(a.Percentile(50), b.Percentile(50));
        Assert.Equal(0, new LatencyHistogram().Percentile(99));
    }
}
