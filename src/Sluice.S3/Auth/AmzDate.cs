using System.Globalization;

namespace Sluice.S3.Auth;

/// <summary>The ISO 8601 basic timestamp SigV4 signs (<c>yyyyMMddTHHmmssZ</c>), parsed and formatted on bytes.</summary>
internal static class AmzDate
{
    public const int Length = 16;
    public const int DateLength = 8;
    private const int MaxHttpDateLength = 64;

    public static void Format(DateTimeOffset time, Span<byte> destination)
    {
        DateTime utc = time.UtcDateTime;
        WriteDigits(destination[..4], utc.Year);
        WriteDigits(destination.Slice(4, 2), utc.Month);
        WriteDigits(destination.Slice(6, 2), utc.Day);
        destination[8] = (byte)'T';
        WriteDigits(destination.Slice(9, 2), utc.Hour);
        WriteDigits(destination.Slice(11, 2), utc.Minute);
        WriteDigits(destination.Slice(13, 2), utc.Second);
        destination[15] = (byte)'Z';
    }

    public static string Format(DateTimeOffset time)
    {
        Span<byte> buffer = stackalloc byte[Length];
        Format(time, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length != Length || text[8] != (byte)'T' || text[15] != (byte)'Z')
        {
            return false;
        }

        if (!TryDigits(text[..4], out int year) || !TryDigits(text.Slice(4, 2), out int month)
            || !TryDigits(text.Slice(6, 2), out int day) || !TryDigits(text.Slice(9, 2), out int hour)
            || !TryDigits(text.Slice(11, 2), out int minute) || !TryDigits(text.Slice(13, 2), out int second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    /// <summary>Parses an RFC 1123 <c>Date</c> header, the fallback when <c>x-amz-date</c> is absent.</summary>
    public static bool TryParseHttpDate(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length is 0 or > MaxHttpDateLength)
        {
            return false;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        ReadOnlySpan<char> date = chars.Trim();
        if (DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        // RFC 2822's numeric zone ("Mon, 07 Dec 2026 21:44:52 -0000"), which botocore writes in Date.
        if (date.Length < 6 || date[^6] != ' ' || date[^5] is not ('+' or '-')
            || !int.TryParse(date[^4..], NumberStyles.None, CultureInfo.InvariantCulture, out int zone)
            || zone % 100 >= 60 || zone / 100 > 14
            || !DateTime.TryParseExact(date[..^6], "ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local))
        {
            return false;
        }

        var offset = new TimeSpan(zone / 100, zone % 100, 0);
        value = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), date[^5] == '-' ? -offset : offset)
            .ToUniversalTime();
        return true;
    }

    private static void WriteDigits(Span<byte> destination, int value)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (byte c in text)
        {
            if ((uint)(c - '0') > 9)
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
