using Sluice.S3.Errors;

namespace Sluice.S3.Tests.Errors;

/// <summary>S3Problem: an error decided by a rule, kept as a value until it is written.</summary>
public sealed class S3ProblemTests
{
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
