namespace Sluice.S3.Http;

/// <summary>
/// Allocation-free date formats of the S3 wire: IMF-fixdate for HTTP fields (RFC 9110 §5.6.7, e.g.
/// "Sun, 06 Nov 1994 08:49:37 GMT") and ISO 8601 basic for SigV4 (x-amz-date "20130524T000000Z", date stamp "20130524").
/// </summary>
public static class HttpDate
{
    /// <summary>Length of an IMF-fixdate.</summary>
    public const int ImfFixdateLength = 29;

    /// <summary>Length of an ISO 8601 basic timestamp "yyyyMMddTHHmmssZ".</summary>
    public const int Iso8601BasicLength = 16;

    /// <summary>Length of a SigV4 date stamp "yyyyMMdd".</summary>
    public const int DateStampLength = 8;

    private static ReadOnlySpan<byte> DayNames => "SunMonTueWedThuFriSat"u8;

    private static ReadOnlySpan<byte> MonthNames => "JanFebMarAprMayJunJulAugSepOctNovDec"u8;

    /// <summary>Writes <paramref name="value"/> (converted to UTC) as an IMF-fixdate.</summary>
    public static bool TryFormatImfFixdate(DateTimeOffset value, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < ImfFixdateLength)
        {
            return false;
        }

        DateTime utc = value.UtcDateTime;
        Span<byte> d = destination[..ImfFixdateLength];
        DayNames.Slice((int)utc.DayOfWeek * 3, 3).CopyTo(d);
        d[3] = (byte)',';
        d[4] = (byte)' ';
        Write2(d[5..], utc.Day);
        d[7] = (byte)' ';
        MonthNames.Slice((utc.Month - 1) * 3, 3).CopyTo(d[8..]);
        d[11] = (byte)' ';
        Write4(d[12..], utc.Year);
        d[16] = (byte)' ';
        WriteTime(d[17..], utc);
        " GMT"u8.CopyTo(d[25..]);
        bytesWritten = ImfFixdateLength;
        return true;
    }

    /// <summary>Parses an IMF-fixdate strictly (fixed layout, "GMT", day name must match the date).
    /// The obsolete RFC 850 and asctime forms are not accepted.</summary>
    public static bool TryParseImfFixdate(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length != ImfFixdateLength || text[3] != ',' || text[4] != ' ' || text[7] != ' ' || text[11] != ' '
            || text[16] != ' ' || !text[25..].SequenceEqual(" GMT"u8))
        {
            return false;
        }

        int month = IndexOf3(MonthNames, text.Slice(8, 3));
        int dayOfWeek = IndexOf3(DayNames, text[..3]);
        if (month < 0 || dayOfWeek < 0
            || !TryRead(text.Slice(5, 2), out int day) || !TryRead(text.Slice(12, 4), out int year)
            || !TryReadTime(text.Slice(17, 8), out int hour, out int minute, out int second)
            || !TryCreate(year, month + 1, day, hour, minute, second, out value)
            || (int)value.DayOfWeek != dayOfWeek)
        {
            value = default;
            return false;
        }

        return true;
    }

    /// <summary>Writes "yyyyMMddTHHmmssZ" (UTC), the SigV4 x-amz-date / X-Amz-Date format.</summary>
    public static bool TryFormatIso8601Basic(DateTimeOffset value, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < Iso8601BasicLength)
        {
            return false;
        }

        DateTime utc = value.UtcDateTime;
        WriteDateStamp(destination, utc);
        destination[8] = (byte)'T';
        Write2(destination[9..], utc.Hour);
        Write2(destination[11..], utc.Minute);
        Write2(destination[13..], utc.Second);
        destination[15] = (byte)'Z';
        bytesWritten = Iso8601BasicLength;
        return true;
    }

    /// <summary>Parses "yyyyMMddTHHmmssZ" strictly.</summary>
    public static bool TryParseIso8601Basic(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        return text.Length == Iso8601BasicLength && text[8] == 'T' && text[15] == 'Z'
            && TryRead(text[..4], out int year) && TryRead(text.Slice(4, 2), out int month) && TryRead(text.Slice(6, 2), out int day)
            && TryRead(text.Slice(9, 2), out int hour) && TryRead(text.Slice(11, 2), out int minute)
            && TryRead(text.Slice(13, 2), out int second)
            && TryCreate(year, month, day, hour, minute, second, out value);
    }

    /// <summary>Writes the SigV4 date stamp "yyyyMMdd" (UTC).</summary>
    public static bool TryFormatDateStamp(DateTimeOffset value, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < DateStampLength)
        {
            return false;
        }

        WriteDateStamp(destination, value.UtcDateTime);
        bytesWritten = DateStampLength;
        return true;
    }

    private static void WriteDateStamp(Span<byte> d, DateTime utc)
    {
        Write4(d, utc.Year);
        Write2(d[4..], utc.Month);
        Write2(d[6..], utc.Day);
    }

    private static void WriteTime(Span<byte> d, DateTime utc)
    {
        Write2(d, utc.Hour);
        d[2] = (byte)':';
        Write2(d[3..], utc.Minute);
        d[5] = (byte)':';
        Write2(d[6..], utc.Second);
    }

    private static void Write2(Span<byte> d, int v)
    {
        d[0] = (byte)('0' + (v / 10));
        d[1] = (byte)('0' + (v % 10));
    }

    private static void Write4(Span<byte> d, int v)
    {
        Write2(d, v / 100);
        Write2(d[2..], v % 100);
    }

    private static bool TryRead(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        return true;
    }

    private static bool TryReadTime(ReadOnlySpan<byte> t, out int hour, out int minute, out int second)
    {
        minute = second = 0;
        return TryRead(t[..2], out hour) && t[2] == ':' && TryRead(t.Slice(3, 2), out minute) && t[5] == ':'
            && TryRead(t.Slice(6, 2), out second);
    }

    private static int IndexOf3(ReadOnlySpan<byte> table, ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < table.Length; i += 3)
        {
            if (table.Slice(i, 3).SequenceEqual(name))
            {
                return i / 3;
            }
        }

        return -1;
    }

    // Range checks up front: DateTime's constructor would throw, and parsers never throw.
    private static bool TryCreate(int year, int month, int day, int hour, int minute, int second, out DateTimeOffset value)
    {
        value = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }
}
