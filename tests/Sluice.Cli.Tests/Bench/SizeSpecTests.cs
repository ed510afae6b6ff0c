using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class SizeSpecTests
{
    [Fact]
    public void A_range_draws_log_uniform_sizes_within_its_bounds()
    {
        Assert.True(SizeSpec.TryParse("4KiB..16MiB", out var range));
        Assert.Equal(new SizeSpec(4096, 16 << 20), range);
        Assert.Equal("4KiB..16MiB", range.Label);
        Assert.True(SizeSpec.TryParse(range.ToString(), out var again));
        Assert.Equal(range, again);
        var random = new Random(5);
        var perDoubling = new int[12]; // 4 KiB .. 16 MiB is twelve doublings
        for (int i = 0; i < 120_000; i++)
        {
            long size = range.Next(random);
            Assert.InRange(size, range.Min, range.Max);
            perDoubling[Math.Min(11, (int)Math.Log2(size / 4096.0))]++;
        }
        // Log-uniform: each doubling gets about a twelfth (10,000) of the draws.
        Assert.All(perDoubling, n => Assert.InRange(n, 9_300, 10_700));
        Assert.InRange(range.Mean, 1.9 * (1 << 20), 2.1 * (1 << 20));
    }

    [Theory]
    [InlineData("4KiB", 4096, 4096)]
    [InlineData("1MB", 1_000_000, 1_000_000)]
    [InlineData(" 1KiB..2KiB ", 1024, 2048)]
    [InlineData("1..1GiB", 1, 1L << 30)]
    public void Sizes_and_ranges_parse(string text, long min, long max)
    {
        Assert.True(SizeSpec.TryParse(text.Trim(), out var spec));
        Assert.Equal(new SizeSpec(min, max), spec);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("2GiB")]
    [InlineData("16MiB..4KiB")]
    [InlineData("4KiB..4KiB")]
    [InlineData("4KiB..")]
    [InlineData("..4KiB")]
    [InlineData("4KiB..2GiB")]
    public void Bad_sizes_do_not_parse(string text) => Assert.False(SizeSpec.TryParse(text, out _));
}
