using System.Globalization;

namespace Sluice.S3.Xml;

/// <summary>ISO-8601 timestamps as S3 writes them in XML bodies: <c>2009-10-12T17:50:30.000Z</c>.</summary>
internal static class S3Timestamp
{
    /// <summary>Length of <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    public const int Length = 24;

    /// <summary>Formats <paramref name="value"/> in UTC with milliseconds into exactly <see cref="Length"/> bytes.</summary>
    public static void Format(DateTimeOffset value, Span<byte> destination)
    {
        DateTime utc = value.UtcDateTime;
        Digits(destination[..4], utc.Year);
        destination[4] = (byte)'-';
        Digits(destination.Slice(5, 2), utc.Month);
        destination[7] = (byte)'-';
        Digits(destination.Slice(8, 2), utc.Day);
        destination[10] = (byte)'T';
        Digits(destination.Slice(11, 2), utc.Hour);
        destination[13] = (byte)':';
        Digits(destination.Slice(14, 2), utc.Minute);
        destination[16] = (byte)':';
        Digits(destination.Slice(17, 2), utc.Second);
        destination[19] = (byte)'.';
        Digits(destination.Slice(20, 3), utc.Millisecond);
        destination[23] = (byte)'Z';
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>
    /// Parses the ISO-8601 forms S3 bodies use: with or without fractional seconds, <c>Z</c> or a numeric
    /// offset (ListBuckets examples show <c>2019-12-11T23:32:47+00:00</c>).
    /// </summary>
    public static bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(
            text.AsSpan().Trim(),
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out value)
        && text.Contains('T', StringComparison.Ordinal);
}
