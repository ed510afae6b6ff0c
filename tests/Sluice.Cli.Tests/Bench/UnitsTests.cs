using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class UnitsTests
{
    [Theory]
    [InlineData("4096", 4096)]
    [InlineData("4KiB", 4096)]
    [InlineData("4k", 4096)]
    [InlineData("64KiB", 65536)]
    [InlineData("1.5MiB", 1572864)]
    [InlineData("1GiB", 1073741824)]
    [InlineData("1g", 1073741824)]
    [InlineData("2MB", 2000000)]
    [InlineData(" 10 B ", 10)]
    public void Sizes_parse(string text, long expected)
    {
        Assert.True(Units.TryParseSize(text, out long bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("KiB")]
    [InlineData("-4KiB")]
    [InlineData("4 parsecs")]
    [InlineData("1e3")]
    [InlineData("99999999TiB")]
    public void Bad_sizes_do_not_parse(string text) => Assert.False(Units.TryParseSize(text, out _));

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(1023, "1023B")]
    [InlineData(4096, "4KiB")]
    [InlineData(1536, "1.5KiB")]
    [InlineData(1073741824, "1GiB")]
    [InlineData(157286400, "150MiB")]
    public void Sizes_format(long bytes, string expected) => Assert.Equal(expected, Units.FormatSize(bytes));

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("500ms", 0.5)]
    [InlineData("1.5h", 5400)]
    [InlineData("10", 10)]
    public void Durations_parse(string text, double seconds)
    {
        Assert.True(Units.TryParseDuration(text, out var d));
        Assert.Equal(seconds, d.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("soon")]
    [InlineData("5 fortnights")]
    public void Bad_durations_do_not_parse(string text) => Assert.False(Units.TryParseDuration(text, out _));
}
