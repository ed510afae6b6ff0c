using System.Text;
using Sluice.S3.Conditions;

namespace Sluice.S3.Tests.Conditions;

/// <summary>Conditional requests per RFC 9110 §13.2.2 and the combinations the S3 API reference documents for
/// GetObject/HeadObject ("If-Match true and If-Unmodified-Since false → 200 OK"; "If-None-Match false and
/// If-Modified-Since true → 304 Not Modified") and CopyObject (the same pairs on x-amz-copy-source-if-* → 200 / 412).</summary>
public sealed class PreconditionsTests
{
    private const string Tag = "\"9b2cf535f27731c974343645a3985328\"";
    private const string Before = "Sun, 06 Nov 1994 08:49:36 GMT";
    private const string At = "Sun, 06 Nov 1994 08:49:37 GMT";
    private const string After = "Sun, 06 Nov 1994 08:49:38 GMT";

    // Stored with sub-second precision: Last-Modified goes out at second resolution, so 08:49:37.6 equals At.
    private static readonly DateTimeOffset Modified = new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero).AddMilliseconds(600);

    private static ConditionResult Read(string? ifMatch = null, string? ifNoneMatch = null, string? ims = null, string? ius = null) =>
        Preconditions.EvaluateRead(H(ifMatch, ifNoneMatch, ims, ius), Encoding.ASCII.GetBytes(Tag), Modified);

    private static ConditionResult Copy(string? ifMatch = null, string? ifNoneMatch = null, string? ims = null, string? ius = null) =>
        Preconditions.EvaluateCopySource(H(ifMatch, ifNoneMatch, ims, ius), Encoding.ASCII.GetBytes(Tag), Modified);

    private static ConditionalHeaders H(string? a, string? b, string? c, string? d) =>
        new(B(a), B(b), B(c), B(d));

    private static byte[] B(string? s) => s is null ? [] : Encoding.ASCII.GetBytes(s);

    [Fact]
    public void No_conditions_proceed() => Assert.Equal(ConditionResult.Proceed, Read());

    [Theory]
    [InlineData(Tag, ConditionResult.Proceed)]
    [InlineData("9b2cf535f27731c974343645a3985328", ConditionResult.Proceed)] // unquoted, as some clients send
    [InlineData("\"9B2CF535F27731C974343645A3985328\"", ConditionResult.Proceed)]
    [InlineData("*", ConditionResult.Proceed)]
    [InlineData("\"xyzzy\", " + Tag, ConditionResult.Proceed)] // RFC 9110 §13.1.1 list form
    [InlineData("\"xyzzy\"", ConditionResult.PreconditionFailed)]
    [InlineData("W/" + Tag, ConditionResult.PreconditionFailed)] // strong comparison: a weak tag never matches
    public void If_match(string value, ConditionResult expected) => Assert.Equal(expected, Read(ifMatch: value));

    [Theory]
    [InlineData(Tag, ConditionResult.NotModified)]
    [InlineData("W/" + Tag, ConditionResult.NotModified)] // weak comparison
    [InlineData("*", ConditionResult.NotModified)]
    [InlineData("\"a\", \"b\", " + Tag, ConditionResult.NotModified)]
    [InlineData("\"xyzzy\"", ConditionResult.Proceed)]
    [InlineData("\"xyzzy\", W/\"r2d2xxxx\"", ConditionResult.Proceed)]
    public void If_none_match(string value, ConditionResult expected) => Assert.Equal(expected, Read(ifNoneMatch: value));

    [Theory]
    [InlineData(Before, ConditionResult.Proceed)]
    [InlineData(At, ConditionResult.NotModified)]
    [InlineData(After, ConditionResult.NotModified)]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT", ConditionResult.Proceed)] // not IMF-fixdate: ignored
    [InlineData("yesterday", ConditionResult.Proceed)]
    public void If_modified_since(string value, ConditionResult expected) => Assert.Equal(expected, Read(ims: value));

    [Theory]
    [InlineData(Before, ConditionResult.PreconditionFailed)]
    [InlineData(At, ConditionResult.Proceed)]
    [InlineData(After, ConditionResult.Proceed)]
    [InlineData("Sun Nov  6 08:49:37 1994", ConditionResult.Proceed)] // asctime: ignored
    public void If_unmodified_since(string value, ConditionResult expected) => Assert.Equal(expected, Read(ius: value));

    [Fact]
    public void S3_documented_combinations()
    {
        // If-Match true + If-Unmodified-Since false → 200.
        Assert.Equal(ConditionResult.Proceed, Read(ifMatch: Tag, ius: Before));
        // If-None-Match false + If-Modified-Since true → 304.
        Assert.Equal(ConditionResult.NotModified, Read(ifNoneMatch: Tag, ims: Before));
        // If-None-Match true makes If-Modified-Since irrelevant (RFC 9110 §13.1.3).
        Assert.Equal(ConditionResult.Proceed, Read(ifNoneMatch: "\"other\"", ims: After));
        // If-Match false wins over everything.
        Assert.Equal(ConditionResult.PreconditionFailed, Read(ifMatch: "\"other\"", ifNoneMatch: Tag));
        // Unmodified-since failing is checked before none-match.
        Assert.Equal(ConditionResult.PreconditionFailed, Read(ius: Before, ifNoneMatch: Tag));
    }

    [Fact]
    public void Copy_source_conditions_fail_with_412_never_304()
    {
        // CopyObject reference: if-match true + if-unmodified-since false → 200;
        // if-none-match false + if-modified-since true → 412.
        Assert.Equal(ConditionResult.Proceed, Copy(ifMatch: Tag, ius: Before));
        Assert.Equal(ConditionResult.PreconditionFailed, Copy(ifNoneMatch: Tag, ims: Before));
        Assert.Equal(ConditionResult.PreconditionFailed, Copy(ims: After));
        Assert.Equal(ConditionResult.PreconditionFailed, Copy(ifMatch: "\"x\""));
        Assert.Equal(ConditionResult.Proceed, Copy(ifNoneMatch: "\"x\"", ims: Before));
    }

    [Theory]
    [InlineData(null, "*", false, ConditionResult.Proceed)]
    [InlineData(null, "*", true, ConditionResult.PreconditionFailed)]
    [InlineData(null, " * ", true, ConditionResult.PreconditionFailed)]
    [InlineData(null, Tag, false, ConditionResult.NotImplemented)]
    [InlineData(Tag, null, true, ConditionResult.Proceed)]
    [InlineData("\"other\"", null, true, ConditionResult.PreconditionFailed)]
    [InlineData(Tag, null, false, ConditionResult.NoSuchKey)]
    [InlineData("*", null, true, ConditionResult.Proceed)]
    [InlineData(null, null, true, ConditionResult.Proceed)]
    public void Conditional_writes(string? ifMatch, string? ifNoneMatch, bool exists, ConditionResult expected) =>
        Assert.Equal(expected, Preconditions.EvaluateWrite(B(ifMatch), B(ifNoneMatch), exists, exists ? Encoding.ASCII.GetBytes(Tag) : []));

    [Fact]
    public void Headers_are_read_from_a_parsed_head()
    {
        byte[] request = Encoding.ASCII.GetBytes(
            $"GET /b/k HTTP/1.1\r\nHost: h\r\nIf-None-Match: {Tag}\r\nIf-Modified-Since: {Before}\r\n" +
            $"x-amz-copy-source-if-match: \"zz\"\r\n\r\n");
        var head = new Sluice.S3.Http.S3RequestHead();
        Assert.True(head.Parse(request).IsComplete);
        ConditionalHeaders plain = ConditionalHeaders.FromRequest(head.Headers, request);
        Assert.False(plain.IsEmpty);
        Assert.Equal(ConditionResult.NotModified, Preconditions.EvaluateRead(plain, Encoding.ASCII.GetBytes(Tag), Modified));
        ConditionalHeaders copy = ConditionalHeaders.FromCopySource(head.Headers, request);
        Assert.Equal(ConditionResult.PreconditionFailed, Preconditions.EvaluateCopySource(copy, Encoding.ASCII.GetBytes(Tag), Modified));
    }
}
