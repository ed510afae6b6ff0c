using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class JobStatsTests
{
    internal static BenchJob Job(string mix = "get=50,put=50", string size = "4096") => new()
    {
        Name = "mixed 4KiB", Workload = "mixed", Mix = mix, Size = size, Concurrency = 4, Objects = 10, WarmupSeconds = 1,
        DurationSeconds = 2, Keys = "sequential", Bucket = "b", Prefix = "p/",
    };

    /// <summary>A request of <paramref name="op"/> starting at <paramref name="startMs"/> and taking <paramref name="ms"/>.</summary>
    internal static OpRecord Op(OpKind op, double startMs, double ms, string? error = null, long bytes = 4096) =>
        new(op, 0, 0, (long)(startMs * 1000), (long)(ms * 1000), op == OpKind.Get ? (long)(ms * 500) : -1, 4096, error is null ? bytes : 0, error);

    [Fact]
    public void Warm_up_requests_are_in_the_timeline_only_and_a_mix_is_broken_down_by_operation()
    {
        var stats = new JobStats(1, 5);
        stats.Add(Op(OpKind.Get, 100, 50)); // warm-up
        stats.Add(Op(OpKind.Put, 900, 200)); // started in the warm-up, finished after it: still warm-up
        stats.Add(Op(OpKind.Get, 1000, 10));
        stats.Add(Op(OpKind.Get, 1500, 20));
        stats.Add(Op(OpKind.Put, 2100, 30, error: "SlowDown"));
        stats.Add(Op(OpKind.Put, 2500, 40));
        var r = stats.ToResult(JobStats.Describe(Job(), agents: 0), [OpKind.Get, OpKind.Put], seconds: 2, new ResourceUsage { ClientCpuSeconds = 1 }, false);

        Assert.Equal(4, r.Operations);
        Assert.Equal(3 * 4096, r.Bytes);
        Assert.Equal(2, r.OpsPerSecond, 6);
        Assert.Equal(1, r.WarmupSeconds);
        Assert.Equal(2, r.Seconds);
        Assert.Equal(new Dictionary<string, long> { ["SlowDown"] = 1 }, r.Errors);
        Assert.Equal(6, r.Timeline.Sum(p => p.Operations)); // every request, warm-up included
        Assert.Equal([1, 3, 2], r.Timeline.Select(p => p.Operations)); // by the second each finished in
        Assert.Equal(40, r.Latency.Max);
        Assert.Equal(4, r.Latencies.Sum(b => b.Count));
        Assert.NotNull(r.Ttfb); // from the measured GETs
        Assert.Equal(250, r.ClientCpuMsPerOp);

        Assert.NotNull(r.ByOperation);
        var get = r.ByOperation!.Single(o => o.Operation == "get");
        var put = r.ByOperation!.Single(o => o.Operation == "put");
        Assert.Equal(2, get.Operations);
        Assert.Equal(0.5, get.Share);
        Assert.Equal(2, put.Operations);
        Assert.Equal(4096, put.Bytes);
        Assert.Single(put.Errors);
        Assert.Empty(get.Errors);
        Assert.Null(put.Ttfb);
        Assert.Equal(20, get.Latency.Max);
        Assert.Equal(3, put.Timeline.Sum(p => p.Operations));
    }

    [Fact]
    public void A_single_operation_job_has_no_breakdown_and_segments_leave_out_the_partial_end()
    {
        var stats = new JobStats(0, 5);
        var records = new List<OpRecord>();
        for (int i = 0; i < 25; i++) records.Add(Op(OpKind.Get, i * 100, 10)); // 10 a second for 2.5 s
        foreach (var r in records) stats.Add(r);
        var result = stats.ToResult(JobStats.Describe(Job("get=1"), 0), [OpKind.Get], 2.5, null, false);
        Assert.Null(result.ByOperation);
        Assert.Equal(10, result.OpsPerSecond, 6);

        var segments = SegmentStats.From("get", records, 0, 2.5, 1, large: false);
        Assert.Equal(2, segments.Segments); // the half second at the end is not a whole segment
        Assert.Equal(10, segments.Slowest);
        Assert.Equal(10, segments.Fastest);
        var halves = SegmentStats.From("get", records, 0, 2.5, 0.5, large: false);
        Assert.Equal(5, halves.Segments);
        Assert.Equal("ops/s", halves.Unit);
    }
}
