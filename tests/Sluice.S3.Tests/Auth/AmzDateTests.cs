using System.Text;
using Sluice.S3.Auth;
using Xunit;

namespace Sluice.S3.Tests.Auth;

public sealed class AmzDateTests
{
    [Theory]
    [InlineData("Mon, 07 Dec 2026 21:44:52 GMT", "2026-12-07T21:44:52Z")]
    [InlineData("Mon, 07 Dec 2026 21:44:52 -0000", "2026-12-07T21:44:52Z")] // botocore's Date
    [InlineData("Mon, 07 Dec 2026 21:44:52 +0000", "2026-12-07T21:44:52Z")]
    [InlineData("Mon, 07 Dec 2026 23:14:52 +0130", "2026-12-07T21:44:52Z")]
    [InlineData("Mon, 07 Dec 2026 16:44:52 -0500", "2026-12-07T21:44:52Z")]
    public void A_Date_header_in_RFC_1123_or_with_a_numeric_zone_parses_to_its_UTC_instant(string text, string expected)
    {
        Assert.True(AmzDate.TryParseHttpDate(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Mon, 07 Dec 2026 21:44:52")]
    [InlineData("Mon, 07 Dec 2026 21:44:52 +2500")] // no zone is 25 hours off
    [InlineData("Mon, 07 Dec 2026 21:44:52 +0070")]
    [InlineData("Mon, 07 Dec 2026 21:44:52 0000")]
    [InlineData("Mon, 07 Dec 2026 21:44:52 -00x0")]
    [InlineData("20261207T214452Z")]
    public void Anything_else_does_not_parse(string text) =>
        Assert.False(AmzDate.TryParseHttpDate(Encoding.ASCII.GetBytes(text), out _));
}
