using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class HttpDateTests
{
    // RFC 9110 §5.6.7 example IMF-fixdate.
    private static readonly DateTimeOffset RfcExample = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    // AWS SigV4 S3 examples: request timestamp 20130524T000000Z = "Fri, 24 May 2013 00:00:00 GMT".
    private static readonly DateTimeOffset AwsExample = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ImfFixdate_MatchesRfcAndAwsExamples()
    {
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", FormatImf(RfcExample));
        Assert.Equal("Fri, 24 May 2013 00:00:00 GMT", FormatImf(AwsExample));
        // Converted to UTC first.
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", FormatImf(RfcExample.ToOffset(TimeSpan.FromHours(-5))));
        Assert.True(HttpDate.TryParseImfFixdate("Sun, 06 Nov 1994 08:49:37 GMT"u8, out DateTimeOffset parsed));
        Assert.Equal(RfcExample, parsed);
        Assert.False(HttpDate.TryFormatImfFixdate(RfcExample, new byte[28], out _));
    }

    [Fact]
    public void Iso8601Basic_MatchesAwsExample()
    {
        byte[] buffer = new byte[16];
        Assert.True(HttpDate.TryFormatIso8601Basic(AwsExample, buffer, out int n));
        Assert.Equal("20130524T000000Z", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.True(HttpDate.TryFormatDateStamp(AwsExample, buffer, out n));
        Assert.Equal("20130524", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.True(HttpDate.TryParseIso8601Basic("20130524T000000Z"u8, out DateTimeOffset parsed));
        Assert.Equal(AwsExample, parsed);
        Assert.False(HttpDate.TryFormatIso8601Basic(AwsExample, new byte[15], out _));
        Assert.False(HttpDate.TryFormatDateStamp(AwsExample, new byte[7], out _));
    }

    [Theory]
    [InlineData("Mon, 06 Nov 1994 08:49:37 GMT")] // wrong day name
    [InlineData("Sun, 06 Nov 1994 08:49:37 UTC")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")] // RFC 850 form, not accepted
    [InlineData("Sun Nov  6 08:49:37 1994")] // asctime form, not accepted
    [InlineData("Sun, 31 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 24:00:00 GMT")]
    [InlineData("Sun, 06 Foo 1994 08:49:37 GMT")]
    [InlineData("Sun, 0x Nov 1994 08:49:37 GMT")]
    [InlineData("")]
    public void ImfFixdate_RejectsMalformed(string text) => Assert.False(HttpDate.TryParseImfFixdate(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData("20130524T000000")]
    [InlineData("20131324T000000Z")]
    [InlineData("20130229T000000Z")]
    [InlineData("20130524T236000Z")]
    [InlineData("2013052AT000000Z")]
    [InlineData("20130524 000000Z")]
    public void Iso8601Basic_RejectsMalformed(string text) => Assert.False(HttpDate.TryParseIso8601Basic(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void RandomDates_RoundTrip()
    {
        var random = new Random(20130524);
        byte[] buffer = new byte[HttpDate.ImfFixdateLength];
        for (int i = 0; i < 2000; i++)
        {
            var date = new DateTimeOffset(new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond), TimeSpan.Zero);
            Assert.True(HttpDate.TryFormatImfFixdate(date, buffer, out _));
            Assert.Equal(date.ToString("R"), Encoding.ASCII.GetString(buffer));
            Assert.True(HttpDate.TryParseImfFixdate(buffer, out DateTimeOffset back));
            Assert.Equal(date, back);
            Assert.True(HttpDate.TryFormatIso8601Basic(date, buffer, out int n));
            Assert.True(HttpDate.TryParseIso8601Basic(buffer.AsSpan(0, n), out back));
            Assert.Equal(date, back);
        }
    }

    private static string FormatImf(DateTimeOffset value)
    {
        byte[] buffer = new byte[40];
        Assert.True(HttpDate.TryFormatImfFixdate(value, buffer, out int n));
        return Encoding.ASCII.GetString(buffer, 0, n);
    }
}
