using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class AutoTerminatorTests
{
    private static Func<int, TimelinePoint> Ops(params long[] perSecond) => i => new TimelinePoint(i + 1, perSecond[i], perSecond[i] * 4096, 0);

    [Fact]
    public void Stable_once_the_window_after_the_warm_up_agrees()
    {
        var auto = new AutoTerminator(warmupSeconds: 2, windowSeconds: 3, percent: 10, large: false);
        // Warm-up seconds (0, 1) are wild and never count; seconds 2..4 agree within 10 %.
        var slots = Ops(5, 900, 1000, 1050, 980, 400);
        Assert.False(auto.IsStable(4, slots)); // only seconds 2 and 3 are after the warm-up
        Assert.True(auto.IsStable(5, slots));
        Assert.False(auto.IsStable(6, slots)); // the 400 drags the last window out of the band
    }

    [Fact]
    public void A_stalled_second_or_a_drift_wider_than_the_band_is_not_stable()
    {
        var auto = new AutoTerminator(0, 3, 100, large: false);
        Assert.False(auto.IsStable(3, Ops(0, 10, 10))); // within 100 % of the mean, but a second with nothing done
        Assert.True(auto.IsStable(3, Ops(5, 10, 12)));
        var tight = new AutoTerminator(0, 4, 5, large: false);
        Assert.False(tight.IsStable(4, Ops(100, 104, 108, 112))); // a steady 4 %/s drift: 6 % off the mean at the ends
        Assert.True(tight.IsStable(4, Ops(100, 102, 99, 101)));
    }

    [Fact]
    public void Large_objects_are_judged_by_bytes()
    {
        var auto = new AutoTerminator(0, 2, 10, large: true);
        // Same request counts, very different payloads: not stable in MiB/s.
        Func<int, TimelinePoint> slots = i => new TimelinePoint(i + 1, 10, i == 0 ? 10L << 20 : 40L << 20, 0);
        Assert.False(auto.IsStable(2, slots));
        Assert.True(new AutoTerminator(0, 2, 10, large: false).IsStable(2, slots));
    }
}
