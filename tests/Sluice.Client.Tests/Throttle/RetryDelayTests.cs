using System.Text;
using Sluice.Client.Retry;

namespace Sluice.Client.Tests.Throttle;

/// <summary>The backoff computation (AWS's 2026 standard mode) with the jitter fixed by the test.</summary>
public class RetryDelayTests
{
    private static readonly RetryOptions Defaults = new();

    [Fact]
    public void The_defaults_are_the_2026_aws_standard_mode()
    {
        Assert.Equal(3, Defaults.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(50), Defaults.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), Defaults.ThrottleBaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(20), Defaults.MaxDelay);
        Assert.Equal(500, Defaults.BudgetCapacity);
        Assert.Equal(14, Defaults.RetryCost);
        Assert.Equal(14, Defaults.TimeoutRetryCost);
        Assert.Equal(5, Defaults.ThrottleRetryCost);
        Assert.Equal(1, Defaults.SuccessRefund);
        Assert.Equal(TimeSpan.FromSeconds(5), Defaults.MaxRetryAfterExtra);
        Assert.True(Defaults.HonourRetryAfter);
        Assert.True(Defaults.PerPrefixSlowDown);
    }

    [Fact]
    public void Transient_and_throttling_errors_have_their_own_base_doubling_per_retry()
    {
        // jitter just under 1: the top of the range.
        Assert.Equal(50, RetryDelay.Compute(Defaults, 1, throttled: false, jitter: 1).TotalMilliseconds);
        Assert.Equal(100, RetryDelay.Compute(Defaults, 2, throttled: false, jitter: 1).TotalMilliseconds);
        Assert.Equal(1000, RetryDelay.Compute(Defaults, 1, throttled: true, jitter: 1).TotalMilliseconds);
        Assert.Equal(4000, RetryDelay.Compute(Defaults, 3, throttled: true, jitter: 1).TotalMilliseconds);
        Assert.Equal(500, RetryDelay.Compute(Defaults, 1, throttled: true, jitter: 0.5).TotalMilliseconds);
        Assert.Equal(TimeSpan.Zero, RetryDelay.Compute(Defaults, 4, throttled: true, jitter: 0));
    }

    [Fact]
    public void The_cap_applies_before_the_jitter()
    {
        // 1 s · 2^9 = 512 s, capped at 20 s, then jittered: half of the cap, not half of 512 s capped.
        Assert.Equal(10_000, RetryDelay.Compute(Defaults, 10, throttled: true, jitter: 0.5).TotalMilliseconds);
        Assert.Equal(20_000, RetryDelay.Compute(Defaults, 40, throttled: true, jitter: 1).TotalMilliseconds);
    }

    [Fact]
    public void Retry_after_is_honoured_within_the_backoff_and_five_seconds_above_it()
    {
        TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
        // computed backoff 500 ms (throttle, first retry, jitter 0.5)
        Assert.Equal(Ms(750), RetryDelay.Compute(Defaults, 1, true, 0.5, Ms(750)));
        Assert.Equal(Ms(500), RetryDelay.Compute(Defaults, 1, true, 0.5, Ms(100))); // never sooner than the backoff
        Assert.Equal(Ms(5500), RetryDelay.Compute(Defaults, 1, true, 0.5, Ms(60_000))); // never parked past +5 s
        Assert.Equal(Ms(500), RetryDelay.Compute(Defaults with { HonourRetryAfter = false }, 1, true, 0.5, Ms(750)));
        Assert.Equal(Ms(0), RetryDelay.Compute(Defaults with { ThrottleBaseDelay = TimeSpan.Zero, MaxRetryAfterExtra = TimeSpan.Zero }, 1, true, 0.5, Ms(750)));
    }

    [Theory]
    [InlineData("750", 750)]
    [InlineData(" 1000 ", 1000)]
    [InlineData("0", 0)]
    [InlineData("-5", null)]
    [InlineData("1.5", null)]
    [InlineData("soon", null)]
    [InlineData("", null)]
    [InlineData("99999999999", null)]
    public void Retry_after_values_are_whole_milliseconds_and_anything_else_is_ignored(string value, int? expectedMs)
    {
        TimeSpan? parsed = RetryDelay.ParseRetryAfter(Encoding.ASCII.GetBytes(value));
        Assert.Equal(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, parsed);
    }
}
