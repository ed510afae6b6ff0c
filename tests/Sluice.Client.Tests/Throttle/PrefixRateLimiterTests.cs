using Sluice.Client.Retry;

namespace Sluice.Client.Tests.Throttle;

/// <summary>The AIMD per-prefix limiter and the retry delay, on a clock that moves only when told: no waiting, no timing.</summary>
public class PrefixRateLimiterTests
{
    private static readonly PrefixRateOptions Small = new() { StartRate = 100, MinRate = 5, Decrease = 0.5, Increase = 10, BurstSeconds = 0, Growth = 0, MinCutInterval = TimeSpan.Zero };

    [Fact]
    public void Prefixes_are_the_bucket_and_the_keys_leading_segments_or_characters()
    {
        var depth1 = new PrefixRateLimiter(new PrefixRateOptions());
        Assert.Equal("b/logs", depth1.PrefixOf("b", "logs/2026/12/08.gz"));
        Assert.Equal("b", depth1.PrefixOf("b", "flat-key-0001"));
        Assert.Equal("b", depth1.PrefixOf("b", null));
        Assert.Equal("b", depth1.PrefixOf("b", "/leading"));

        var depth2 = new PrefixRateLimiter(new PrefixRateOptions { Depth = 2 });
        Assert.Equal("b/logs/2026", depth2.PrefixOf("b", "logs/2026/12/08.gz"));
        Assert.Equal("b/logs", depth2.PrefixOf("b", "logs/08.gz")); // fewer segments: up to the last delimiter

        var chars = new PrefixRateLimiter(new PrefixRateOptions { Characters = 2 });
        Assert.Equal("b/a3", chars.PrefixOf("b", "a3f9-object"));
        Assert.Equal("b/z", chars.PrefixOf("b", "z"));

        var capped = new PrefixRateLimiter(new PrefixRateOptions { MaxLength = 4 });
        Assert.Equal("b/very", capped.PrefixOf("b", "verylongsegment/x"));
    }

    [Fact]
    public void A_queue_built_at_the_floor_is_priced_at_the_climbing_rate_not_the_floor()
    {
        // Cut to the floor (1/s), then 40 requests queue at once. At the floor's price the last would sleep ~40 s,
        // long after the rate (climbing 10/s each second) could carry them; priced at the climbing rate it earns its
        // token when 1·t + 10·t²/2 = 40, t ≈ 2.73 s.
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { MinRate = 1 }, clock);
        for (int i = 0; i < 10; i++) limiter.OnThrottled("b", "hot/x", limiter.Timestamp());
        Assert.Equal(1, limiter.RateOf("b/hot"));
        TimeSpan last = TimeSpan.Zero;
        for (int i = 0; i < 40; i++)
        {
            TimeSpan wait = limiter.Reserve("b", "hot/" + i);
            Assert.True(wait >= last, $"waits grow with the queue: {wait} after {last}");
            last = wait;
        }
        Assert.InRange(last.TotalSeconds, 2.0, 3.5);
    }

    [Fact]
    public void A_throttle_cuts_the_rate_once_per_window_down_to_the_floor()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { Increase = 0 }, clock);
        long sentBefore = limiter.Timestamp();
        Assert.Null(limiter.RateOf("b/hot"));

        clock.Advance(TimeSpan.FromMilliseconds(10));
        limiter.OnThrottled("b", "hot/1", sentBefore);
        Assert.Equal(50, limiter.RateOf("b/hot"));

        // More answers to requests that left before the cut: the same window, no further cut.
        clock.Advance(TimeSpan.FromMilliseconds(10));
        limiter.OnThrottled("b", "hot/2", sentBefore);
        limiter.OnThrottled("b", "hot/3", sentBefore);
        Assert.Equal(50, limiter.RateOf("b/hot"));

        // A request sent after the cut and throttled too: the new rate is still too high.
        long sentAfter = limiter.Timestamp();
        clock.Advance(TimeSpan.FromMilliseconds(10));
        limiter.OnThrottled("b", "hot/4", sentAfter);
        Assert.Equal(25, limiter.RateOf("b/hot"));

        for (int i = 0; i < 10; i++)
        {
            limiter.OnThrottled("b", "hot/x", limiter.Timestamp());
        }

        Assert.Equal(5, limiter.RateOf("b/hot")); // the floor
        PrefixRateSnapshot snap = Assert.Single(limiter.Snapshot());
        Assert.Equal("b/hot", snap.Prefix);
        Assert.Equal(14, snap.Throttles);
        Assert.Equal(12, snap.Cuts);
        Assert.Equal(5, snap.LowestRate);
        Assert.True(snap.Limiting);
        Assert.Equal(14, limiter.Throttles);
        Assert.Null(limiter.RateOf("b/cold"));
    }

    [Fact]
    public void The_rate_climbs_back_additively_and_a_recovered_prefix_is_not_limited()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small, clock);
        limiter.OnThrottled("b", "hot/1", limiter.Timestamp());
        Assert.Equal(50, limiter.RateOf("b/hot"));

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(70, limiter.RateOf("b/hot"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(80, limiter.RateOf("b/hot"));

        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(100, limiter.RateOf("b/hot")); // capped at the start rate
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "hot/k"));
        }

        PrefixRateSnapshot snap = Assert.Single(limiter.Snapshot());
        Assert.False(snap.Limiting);
        Assert.Equal(50, snap.LowestRate);
        Assert.Equal(0, snap.Delayed);
    }

    [Fact]
    public void Reservations_on_a_throttled_prefix_are_spaced_at_its_rate_and_other_prefixes_never_wait()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { Increase = 0 }, clock);
        limiter.OnThrottled("b", "hot/1", limiter.Timestamp()); // 50 requests/s, no burst: one token at most

        var waits = new List<TimeSpan>();
        for (int i = 0; i < 5; i++)
        {
            waits.Add(limiter.Reserve("b", "hot/" + i));
            Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "cold/" + i));
            Assert.Equal(TimeSpan.Zero, limiter.Reserve("other", "hot/" + i));
        }

        // Each taker waits one interval (20 ms) longer than the one before it; the first had a token.
        Assert.Equal(TimeSpan.Zero, waits[0]);
        for (int i = 1; i < 5; i++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(20 * i), waits[i]);
        }

        Assert.Equal(1, limiter.Count); // the cold prefix got no bucket
        Assert.Equal(4, Assert.Single(limiter.Snapshot()).Delayed);

        // Once the debt is repaid the next one goes at once again.
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "hot/late"));
    }

    [Fact]
    public void Throttles_from_two_children_in_one_window_give_their_parent_a_shared_rate()
    {
        // Hash-prefixed keys: each request is a prefix of its own, and one server partition spans them all.
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { Depth = 3, Increase = 0 }, clock);
        limiter.OnThrottled("b", "run/job/a1/obj-1", limiter.Timestamp());
        Assert.Null(limiter.RateOf("b/run/job")); // one child: nothing shared yet
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "run/job/ff/obj-2"));

        clock.Advance(TimeSpan.FromMilliseconds(300));
        limiter.OnThrottled("b", "run/job/c7/obj-3", limiter.Timestamp());
        Assert.Equal(50, limiter.RateOf("b/run/job")); // 100 × 0.5, as a first cut

        // A sibling never throttled itself now waits on the shared rate (50/s, one token, then 20 ms apart) ...
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "run/job/0e/obj-4"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.Reserve("b", "run/job/9d/obj-5"));
        // ... while other jobs and buckets go at once.
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "run/other/9d/obj-5"));
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b2", "run/job/9d/obj-5"));

        // Further throttles of the children cut the shared rate too, once per window.
        clock.Advance(TimeSpan.FromMilliseconds(100));
        limiter.OnThrottled("b", "run/job/51/obj-6", limiter.Timestamp());
        Assert.Equal(25, limiter.RateOf("b/run/job"));
    }

    [Fact]
    public void Throttles_of_one_child_or_of_children_far_apart_share_nothing()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { Increase = 0 }, clock);
        for (int i = 0; i < 5; i++)
        {
            limiter.OnThrottled("b", "hot/" + i, limiter.Timestamp());
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Null(limiter.RateOf("b")); // sequential keys under one prefix: only that prefix slows

        clock.Advance(TimeSpan.FromSeconds(5));
        limiter.OnThrottled("b", "warm/1", limiter.Timestamp());
        clock.Advance(PrefixRateLimiter.SiblingWindow);
        limiter.OnThrottled("b", "cool/1", limiter.Timestamp());
        Assert.Null(limiter.RateOf("b"));
        Assert.Equal(3, limiter.Count);
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "cold/1"));
    }

    [Fact]
    public void Character_prefixes_share_the_buckets_rate()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { Characters = 2, Increase = 0 }, clock);
        limiter.OnThrottled("b", "a3f9-x", limiter.Timestamp());
        limiter.OnThrottled("b", "7c01-y", limiter.Timestamp());
        Assert.Equal(50, limiter.RateOf("b"));
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "ee00-z"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.Reserve("b", "0000-z"));
    }

    [Fact]
    public void A_cut_rate_grows_back_by_a_fraction_a_second_and_cuts_are_spaced()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { StartRate = 1000, MinRate = 1, Growth = 0.25, MinCutInterval = TimeSpan.FromMilliseconds(500) }, clock);
        limiter.OnThrottled("b", "hot/0", limiter.Timestamp());
        Assert.Equal(500, limiter.RateOf("b/hot"));

        // Answers to requests sent after the cut, within the interval: no further cut ...
        clock.Advance(TimeSpan.FromMilliseconds(100));
        limiter.OnThrottled("b", "hot/1", limiter.Timestamp());
        clock.Advance(TimeSpan.FromMilliseconds(300));
        limiter.OnThrottled("b", "hot/2", limiter.Timestamp());
        Assert.Equal(500 * Math.Pow(1.25, 0.4), limiter.RateOf("b/hot")!.Value, 6);
        // ... and one after it cuts the grown rate.
        clock.Advance(TimeSpan.FromMilliseconds(100));
        limiter.OnThrottled("b", "hot/3", limiter.Timestamp());
        Assert.Equal(250 * Math.Pow(1.25, 0.5), limiter.RateOf("b/hot")!.Value, 6);

        // +25 % a second, compounding, up to the start rate.
        double cut = limiter.RateOf("b/hot")!.Value;
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(cut * 1.25, limiter.RateOf("b/hot")!.Value, 6);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(cut * 1.5625, limiter.RateOf("b/hot")!.Value, 6);
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1000, limiter.RateOf("b/hot"));
    }

    [Fact]
    public void A_queue_is_priced_at_the_growing_rate()
    {
        // Cut to 8/s with no tokens; 30 requests queue. Growing by 25 % a second, 8·(1.25^t − 1)/ln 1.25 = 30 at
        // t = ln(1 + 30·ln 1.25 / 8)/ln 1.25 ≈ 2.725 s; at the flat 8/s it would be 3.75 s.
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { StartRate = 16, MinRate = 1, Growth = 0.25, BurstSeconds = 0 }, clock);
        limiter.OnThrottled("b", "hot/0", limiter.Timestamp());
        TimeSpan last = TimeSpan.Zero;
        for (int i = 0; i < 31; i++) last = limiter.Reserve("b", "hot/" + i);
        Assert.Equal(2.725, last.TotalSeconds, 2);
    }

    [Fact]
    public void Retry_after_pauses_the_prefix_until_then()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { Increase = 0, BurstSeconds = 1 }, clock);
        limiter.OnThrottled("b", "hot/1", limiter.Timestamp(), TimeSpan.FromMilliseconds(1500));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), limiter.Reserve("b", "hot/2"));
        clock.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(TimeSpan.FromMilliseconds(500), limiter.Reserve("b", "hot/3"));
        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b", "hot/4")); // tokens left from before the pause
        Assert.Equal(TimeSpan.Zero, limiter.Reserve("b2", "hot/4"));
    }

    [Fact]
    public void The_map_is_bounded_and_forgets_the_prefix_throttled_longest_ago()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { MaxPrefixes = 2 }, clock);
        limiter.OnThrottled("b", "one/x", limiter.Timestamp());
        clock.Advance(TimeSpan.FromSeconds(1));
        limiter.OnThrottled("b", "two/x", limiter.Timestamp());
        clock.Advance(TimeSpan.FromSeconds(1));
        limiter.OnThrottled("b", "one/y", limiter.Timestamp()); // "one" is now the most recent
        clock.Advance(TimeSpan.FromSeconds(1));
        limiter.OnThrottled("b", "three/x", limiter.Timestamp());

        Assert.Equal(2, limiter.Count);
        Assert.Null(limiter.RateOf("b/two"));
        Assert.NotNull(limiter.RateOf("b/one"));
        Assert.NotNull(limiter.RateOf("b/three"));
    }

    [Fact]
    public async Task Waiting_completes_synchronously_when_free_waits_for_the_clock_and_can_be_cancelled()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(Small with { Increase = 0 }, clock);
        Assert.True(limiter.WaitAsync("b", "hot/0", CancellationToken.None).AsTask().IsCompletedSuccessfully); // nothing throttled yet

        limiter.OnThrottled("b", "hot/1", limiter.Timestamp());
        Assert.True(limiter.WaitAsync("b", "hot/2", CancellationToken.None).AsTask().IsCompletedSuccessfully); // the one token
        Assert.True(limiter.WaitAsync("b", "cold/2", CancellationToken.None).AsTask().IsCompletedSuccessfully);

        Task waiting = limiter.WaitAsync("b", "hot/3", CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, clock.PendingTimers); // one timer, no polling
        clock.Advance(TimeSpan.FromMilliseconds(20));
        await waiting;

        using var cts = new CancellationTokenSource();
        Task cancelled = limiter.WaitAsync("b", "hot/4", cts.Token).AsTask();
        Assert.False(cancelled.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(0, clock.PendingTimers);
    }

    [Fact]
    public void Requests_that_need_no_wait_do_not_allocate()
    {
        var clock = new ManualTimeProvider();
        var limiter = new PrefixRateLimiter(new PrefixRateOptions { BurstSeconds = 100, Increase = 0 }, clock);
        limiter.OnThrottled("bucket", "hot/1", limiter.Timestamp()); // 1750/s with 175,000 tokens: no waits below

        void Round()
        {
            for (int i = 0; i < 1000; i++)
            {
                Assert.True(Done(limiter.WaitAsync("bucket", "hot/some/key", CancellationToken.None)));
                Assert.True(Done(limiter.WaitAsync("bucket", "cold/some/key", CancellationToken.None)));
                Assert.True(Done(limiter.WaitAsync("bucket", "flat-key", CancellationToken.None)));
            }
        }

        static bool Done(ValueTask wait) => wait.IsCompletedSuccessfully; // a completed ValueTask needs no consuming

        Round(); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        Round();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, Assert.Single(limiter.Snapshot()).Delayed);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixRateLimiter(new PrefixRateOptions { Decrease = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixRateLimiter(new PrefixRateOptions { MinRate = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixRateLimiter(new PrefixRateOptions { Depth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixRateLimiter(new PrefixRateOptions { StartRate = 1, MinRate = 2 }));
    }
}
