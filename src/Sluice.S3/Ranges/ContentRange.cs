using System.Buffers.Text;

namespace Sluice.S3.Ranges;

/// <summary>
/// The Content-Range of a ranged answer (RFC 9110 §14.4): <c>bytes first-last/complete</c> on a 206, and
/// <c>bytes */complete</c> on a 416. The server writes it; the client reads it to learn where a ranged read starts
/// and how large the whole object is.
/// </summary>
public static class ContentRange
{
    /// <summary>Longest value this class writes: "bytes " + three 19-digit numbers + "-" + "/".</summary>
    public const int MaxLength = 6 + (3 * 19) + 2;

    /// <summary>Writes <c>bytes first-last/complete</c> for a 206.</summary>
    public static bool TryFormat(ByteRange range, long completeLength, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!"bytes "u8.TryCopyTo(destination)
            || !Utf8Formatter.TryFormat(range.Offset, destination[6..], out int a)
            || 6 + a >= destination.Length)
        {
            return false;
        }

        int n = 6 + a;
        destination[n++] = (byte)'-';
        if (!Utf8Formatter.TryFormat(range.Last, destination[n..], out int b) || n + b >= destination.Length)
        {
            return false;
        }

        n += b;
        destination[n++] = (byte)'/';
        if (!Utf8Formatter.TryFormat(completeLength, destination[n..], out int c))
        {
            return false;
        }

        bytesWritten = n + c;
        return true;
    }

    /// <summary>Writes <c>bytes */complete</c> for a 416.</summary>
    public static bool TryFormatUnsatisfied(long completeLength, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!"bytes */"u8.TryCopyTo(destination) || !Utf8Formatter.TryFormat(completeLength, destination[8..], out int n))
        {
            return false;
        }

        bytesWritten = 8 + n;
        return true;
    }

    /// <summary>Reads <c>bytes first-last/complete</c> of a 206. <paramref name="completeLength"/> is -1 when the
    /// sender did not know it (<c>/*</c>). False for anything else, including the 416 form.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out ByteRange range, out long completeLength)
    {
        range = default;
        completeLength = -1;
        if (!value.StartsWith("bytes "u8))
        {
            return false;
        }

        value = value[6..];
        int dash = value.IndexOf((byte)'-');
        int slash = value.IndexOf((byte)'/');
        if (dash <= 0 || slash <= dash
            || !Utf8Parser.TryParse(value[..dash], out long first, out int a) || a != dash
            || !Utf8Parser.TryParse(value[(dash + 1)..slash], out long last, out int b) || b != slash - dash - 1)
        {
            return false;
        }

        ReadOnlySpan<byte> complete = value[(slash + 1)..];
        if (!complete.SequenceEqual("*"u8)
            && (!Utf8Parser.TryParse(complete, out completeLength, out int c) || c != complete.Length))
        {
            completeLength = -1;
            return false;
        }

        range = new ByteRange(first, last - first + 1);
        return true;
    }
}
