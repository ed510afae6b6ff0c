using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Ranges;

namespace Sluice.S3.Tests.Ranges;

/// <summary>x-amz-copy-source-range (UploadPartCopy API reference: "bytes=first-last").</summary>
public sealed class CopySourceRangeTests
{
    [Theory]
    [InlineData("bytes=0-9", 10, 0, 10)]
    [InlineData("bytes=5-5", 10, 5, 1)]
    [InlineData("bytes=0-5242879", 5242880, 0, 5242880)]
    public void Copy_range_within_the_source(string value, long size, long offset, long length)
    {
        Assert.True(CopySourceRange.Parse(Encoding.ASCII.GetBytes(value), size, out ByteRange r).IsNone);
        Assert.Equal(new ByteRange(offset, length), r);
    }

    [Theory]
    [InlineData("bytes=0-")]
    [InlineData("bytes=-5")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=0-1,3-4")]
    [InlineData("0-5")]
    [InlineData("bytes=99999999999999999999-99999999999999999999")]
    public void Malformed_copy_range_is_InvalidArgument(string value)
    {
        S3Problem p = CopySourceRange.Parse(Encoding.ASCII.GetBytes(value), 10, out _);
        Assert.Equal(S3ErrorCode.InvalidArgument, p.Code);
        Assert.Equal(CopySourceRange.MalformedMessage, p.Message);
        Assert.Equal("x-amz-copy-source-range", p.GetDetail("ArgumentName"));
    }

    [Theory]
    [InlineData("bytes=0-10")]
    [InlineData("bytes=10-10")]
    public void Copy_range_past_the_source_is_refused(string value)
    {
        S3Problem p = CopySourceRange.Parse(Encoding.ASCII.GetBytes(value), 10, out _);
        Assert.Equal(S3ErrorCode.InvalidRange, p.Code);
        Assert.Equal(416, p.HttpStatus);
        Assert.Equal("Range specified is not valid for source object of size: 10", p.Message);
        Assert.Equal(value, p.GetDetail("RangeRequested"));
    }
}
