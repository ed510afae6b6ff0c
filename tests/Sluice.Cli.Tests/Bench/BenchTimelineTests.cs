using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class BenchTimelineTests
{
    [Fact]
    public async Task Points_cover_every_recorded_operation_even_past_the_runs_own_clock()
    {
        var timeline = new BenchTimeline(5);
        timeline.Record(10, failed: false);
        await Task.Delay(1100); // the next record lands in the second slot
        timeline.Record(20, failed: true);
        // A run whose own clock started later measures less than the timeline has seen.
        var points = timeline.Points(0.5);
        Assert.InRange(points.Count, 2, 5);
        Assert.Equal(2, points.Sum(p => p.Operations));
        Assert.Equal(30, points.Sum(p => p.Bytes));
        Assert.Equal(1, points.Sum(p => p.Errors));
        Assert.Equal(Enumerable.Range(1, points.Count), points.Select(p => p.Second));
        Assert.NotEqual(0, points[^1].Operations);
        // Slots with nothing recorded past the run's length are left out; within it they are zeros.
        Assert.Equal(4, timeline.Points(3.2).Count);
    }
}
