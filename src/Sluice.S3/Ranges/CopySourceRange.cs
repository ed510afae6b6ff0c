using System.Globalization;
using Sluice.S3.Errors;

namespace Sluice.S3.Ranges;

/// <summary>
/// <c>x-amz-copy-source-range</c> of UploadPartCopy: exactly <c>bytes=first-last</c>, inside the source object.
/// Unlike a GET's Range, a malformed value is refused, not ignored (scality/cloudserver PR #2194, matching AWS).
/// </summary>
public static class CopySourceRange
{
    /// <summary>S3's message for a malformed value (the UploadPartCopy API reference's wording of the rule).</summary>
    public const string MalformedMessage =
        "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy";

    private const string HeaderName = "x-amz-copy-source-range";

    /// <summary>Parses <paramref name="value"/> against a source of <paramref name="sourceLength"/> bytes. Returns
    /// InvalidArgument for a malformed value, and InvalidRange (416) for a well-formed range that does not fit the
    /// source — the code S3 answers and test suites (Ceph's s3-tests, test_multipart_copy_invalid_range) expect; the
    /// message keeps the source's size, as AWS words it.</summary>
    public static S3Problem Parse(ReadOnlySpan<byte> value, long sourceLength, out ByteRange range)
    {
        range = default;
        int dash;
        if (!value.StartsWith("bytes="u8) || (dash = value.IndexOf((byte)'-')) < 0
            || !RangeHeader.TryParseDigits(value[6..dash], out long first, out bool o1)
            || !RangeHeader.TryParseDigits(value[(dash + 1)..], out long last, out bool o2)
            || o1 || o2 || last < first)
        {
            return S3Problem.InvalidArgument(MalformedMessage, HeaderName, value);
        }

        if (last >= sourceLength)
        {
            return S3Problem.Of(S3ErrorCode.InvalidRange,
                "Range specified is not valid for source object of size: " + sourceLength.ToString(CultureInfo.InvariantCulture),
                "RangeRequested", System.Text.Encoding.ASCII.GetString(value),
                "ActualObjectSize", sourceLength.ToString(CultureInfo.InvariantCulture));
        }

        range = new ByteRange(first, last - first + 1);
        return default;
    }
}
