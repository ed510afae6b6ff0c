namespace Sluice.Client.Tests.Throttle;

/// <summary>The limiter behind --bwlimit and --tpslimit, on a clock that moves only when the test says: no real waiting.</summary>
public class TokenBucketLimiterTests
{
    [Fact]
    public void A_burst_goes_at_once_and_what_exceeds_it_waits_for_exactly_its_share_of_the_rate()
    {
        var clock = new ManualTimeProvider();
        var limiter = new TokenBucketLimiter(tokensPerSecond: 1000, burst: 1000, clock);
        Assert.Equal(TimeSpan.Zero, limiter.Reserve(600));
        Assert.Equal(TimeSpan.Zero, limiter.Reserve(400)); // the burst, used up
        Assert.Equal(TimeSpan.FromMilliseconds(500), limiter.Reserve(500)); // 500 tokens of debt at 1000/s
        Assert.Equal(TimeSpan.FromMilliseconds(1500), limiter.Reserve(1000)); // queued behind the first debt

        clock.Advance(TimeSpan.FromMilliseconds(1500)); // the debt is repaid, nothing more
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.Reserve(100));
        clock.Advance(TimeSpan.FromSeconds(60)); // a long quiet spell refills only up to the burst
        Assert.Equal(TimeSpan.Zero, limiter.Reserve(1000));
        Assert.Equal(TimeSpan.FromMilliseconds(1), limiter.Reserve(1));
    }

    [Fact]
    public void Over_any_stretch_the_tokens_taken_are_the_rate_times_the_time_plus_the_burst()
    {
        var clock = new ManualTimeProvider();
        var limiter = new TokenBucketLimiter(tokensPerSecond: 250, burst: 100, clock);
        // Takes of uneven sizes, each going when its wait is over: count what went within 10 simulated seconds.
        long taken = 0;
        var end = TimeSpan.FromSeconds(10);
        var elapsed = TimeSpan.Zero;
        for (int i = 0; ; i++)
        {
            int size = 1 + (i * 37 % 90);
            TimeSpan wait = limiter.Reserve(size);
            if (elapsed + wait > end) break;
            clock.Advance(wait);
            elapsed += wait;
            taken += size;
        }
        Assert.InRange(taken, 250 * 10 + 100 - 90, 250 * 10 + 100);
    }

    [Fact]
    public async Task WaitAsync_completes_at_once_within_the_burst_and_only_when_the_clock_reaches_the_debt_beyond_it()
    {
        var clock = new ManualTimeProvider();
        var limiter = new TokenBucketLimiter(tokensPerSecond: 10, burst: 1, clock); // --tpslimit 10
        Assert.True(limiter.WaitAsync(1).AsTask().IsCompletedSuccessfully);
        var second = limiter.WaitAsync(1).AsTask();
        var third = limiter.WaitAsync(1).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal(2, clock.PendingTimers);
        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await second;
        Assert.False(third.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await third;
    }

    [Fact]
    public void Nonsense_rates_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucketLimiter(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucketLimiter(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucketLimiter(5, burst: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucketLimiter(5).Reserve(-1));
    }
}
