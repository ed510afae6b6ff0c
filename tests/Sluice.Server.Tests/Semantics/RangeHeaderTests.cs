using System.Text;
using Sluice.Server.Semantics;

namespace Sluice.Server.Tests.Semantics;

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

    [Fact]
    public void Content_range_formats()
    {
        // RFC 9110 §14.4: "Content-Range: bytes 42-1233/1234" and "Content-Range: bytes */1234".
        Span<byte> buffer = stackalloc byte[RangeHeader.MaxContentRangeLength];
        Assert.True(RangeHeader.TryFormatContentRange(new ByteRange(42, 1192), 1234, buffer, out int n));
        Assert.Equal("bytes 42-1233/1234", Encoding.ASCII.GetString(buffer[..n]));
        Assert.True(RangeHeader.TryFormatUnsatisfiedContentRange(1234, buffer, out n));
        Assert.Equal("bytes */1234", Encoding.ASCII.GetString(buffer[..n]));
        Assert.True(RangeHeader.TryFormatContentRange(new ByteRange(long.MaxValue - 1, 1), long.MaxValue, buffer, out n));
        Assert.Equal($"bytes {long.MaxValue - 1}-{long.MaxValue - 1}/{long.MaxValue}", Encoding.ASCII.GetString(buffer[..n]));
    }

    [Fact]
    public void Content_range_refuses_short_buffers()
    {
        Span<byte> buffer = stackalloc byte[17];
        Assert.False(RangeHeader.TryFormatContentRange(new ByteRange(42, 1192), 1234, buffer, out _));
        Assert.False(RangeHeader.TryFormatUnsatisfiedContentRange(1234, buffer[..10], out _));
    }

    [Fact]
    public void InvalidRange_problem_carries_what_S3_sends()
    {
        S3Problem p = S3Problem.InvalidRange("bytes=100-"u8, 10);
        Assert.Equal(416, p.HttpStatus);
        Assert.Equal("bytes=100-", p.GetDetail("RangeRequested"));
        Assert.Equal("10", p.GetDetail("ActualObjectSize"));
        var error = p.ToError("/b/k");
        Assert.Equal("InvalidRange", error.Code);
        Assert.Equal("/b/k", error.Resource);
        Assert.Equal("10", error.GetDetail("ActualObjectSize"));
    }
}
