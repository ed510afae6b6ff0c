using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class BenchTimelineTests
{
    /// <summary>A clock that moves only when the test says so.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Volatile.Read(ref _ticks);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [Fact]
    public void Points_cover_every_recorded_operation_even_past_the_runs_own_clock()
    {
        var clock = new SteppedClock();
        var timeline = new BenchTimeline(5, clock);
        timeline.Record(10, failed: false);
        clock.Advance(TimeSpan.FromSeconds(1.1)); // the next record lands in the second slot
        timeline.Record(20, failed: true);
        // A run whose own clock started later measures less than the timeline has seen.
        var points = timeline.Points(0.5);
        Assert.Equal(2, points.Count);
        Assert.Equal(2, points.Sum(p => p.Operations));
        Assert.Equal(30, points.Sum(p => p.Bytes));
        Assert.Equal(1, points.Sum(p => p.Errors));
        Assert.Equal(Enumerable.Range(1, points.Count), points.Select(p => p.Second));
        Assert.NotEqual(0, points[^1].Operations);
        // Slots with nothing recorded past the run's length are left out; within it they are zeros.
        Assert.Equal(4, timeline.Points(3.2).Count);
    }
}
