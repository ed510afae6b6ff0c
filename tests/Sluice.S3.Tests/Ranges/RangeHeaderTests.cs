using System.Text;
using Sluice.S3.Ranges;

namespace Sluice.S3.Tests.Ranges;

/// <summary>Range requests: the examples of RFC 9110 §14.1.2 (a 10000-byte representation) and §14.4, and S3's
/// handling of malformed and multiple ranges (see <see cref="RangeHeader"/>'s sources).</summary>
public sealed class RangeHeaderTests
{
    [Theory]
    // RFC 9110 §14.1.2: "The first 500 bytes", "The second 500 bytes", "The final 500 bytes" (both forms),
    // "The first and last bytes only" is multi-range (below).
    [InlineData("bytes=0-499", 10000, 0, 500)]
    [InlineData("bytes=500-999", 10000, 500, 500)]
    [InlineData("bytes=-500", 10000, 9500, 500)]
    [InlineData("bytes=9500-", 10000, 9500, 500)]
    [InlineData("bytes=0-", 10000, 0, 10000)]
    [InlineData("bytes=0-0", 10000, 0, 1)]
    [InlineData("bytes=-1", 10000, 9999, 1)]
    // Last past the end is clamped (RFC 9110 §14.1.2); a suffix longer than the object is the whole object.
    [InlineData("bytes=9000-20000", 10000, 9000, 1000)]
    [InlineData("bytes=-20000", 10000, 0, 10000)]
    [InlineData("bytes=5-99999999999999999999999", 10, 5, 5)]
    [InlineData("bytes=-99999999999999999999999", 10, 0, 10)]
    [InlineData("BYTES=1-2", 10, 1, 2)]
    [InlineData("bytes = 1-2 ", 10, 1, 2)]
    public void Satisfiable_ranges(string header, long length, long offset, long count)
    {
        Assert.Equal(RangeOutcome.Partial, RangeHeader.Evaluate(Encoding.ASCII.GetBytes(header), length, out ByteRange r));
        Assert.Equal(new ByteRange(offset, count), r);
    }

    [Theory]
    [InlineData("bytes=10000-", 10000)]
    [InlineData("bytes=10000-10001", 10000)]
    [InlineData("bytes=99999999999999999999999-", 10000)]
    [InlineData("bytes=-0", 10000)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=0-0", 0)]
    [InlineData("bytes=-5", 0)]
    public void Unsatisfiable_ranges(string header, long length) =>
        Assert.Equal(RangeOutcome.Unsatisfiable, RangeHeader.Evaluate(Encoding.ASCII.GetBytes(header), length, out _));

    [Theory]
    [InlineData("")]
    [InlineData("bytes=0-0,-1")] // RFC 9110 §14.1.2 "first and last bytes only": S3 serves the whole object.
    [InlineData("bytes=500-600,601-999")]
    [InlineData("bytes=500-700,601-999")]
    [InlineData("bytes=invalid-range")] // versitygw issue #1120
    [InlineData("bytes=33-10")]
    [InlineData("bytes=1-0")] // noobaa-core issue #9889: AWS ignores it
    [InlineData("bytes=-")]
    [InlineData("bytes=")]
    [InlineData("bytes=5")]
    [InlineData("bytes=-1-2")]
    [InlineData("bytes=+1-2")]
    [InlineData("items=0-5")]
    [InlineData("bytes 0-5")]
    [InlineData("0-5")]
    public void Malformed_or_multiple_ranges_serve_the_whole_object(string header) =>
        Assert.Equal(RangeOutcome.WholeObject, RangeHeader.Evaluate(Encoding.ASCII.GetBytes(header), 10000, out _));

    [Theory]
    [InlineData(0, 499, "bytes=0-499")]
    [InlineData(9500, -1, "bytes=9500-")]
    [InlineData(long.MaxValue - 1, long.MaxValue - 1, "bytes=9223372036854775806-9223372036854775806")]
    public void Formats_a_request_range(long first, long last, string expected)
    {
        Span<byte> buffer = stackalloc byte[RangeHeader.MaxLength];
        Assert.True(RangeHeader.TryFormat(first, last, buffer, out int n));
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer[..n]));
        Assert.Equal(RangeOutcome.Partial, RangeHeader.Evaluate(buffer[..n], long.MaxValue, out _));
        Assert.False(RangeHeader.TryFormat(first, last, buffer[..(n - 1)], out _));
    }
}
