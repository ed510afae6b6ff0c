using System.Buffers.Text;
using System.Text;

namespace Sluice.S3.Ranges;

/// <summary>
/// The Range header of a GET (RFC 9110 §14.1–14.3) as S3 applies it, and as a client writes it; the Content-Range
/// that answers it is <see cref="ContentRange"/>.
/// </summary>
/// <remarks>
/// S3 serves one range per request ("Amazon S3 doesn't support retrieving multiple ranges of data per GET request",
/// GetObject API reference) and answers a multi-range request with the whole object (riak_cs PR #304, observed on
/// AWS). A malformed range — not <c>bytes=</c>, not digits, last &lt; first — is ignored and the whole object sent
/// with 200, as AWS does (localstack PR #9082, versitygw issue #1120, noobaa-core issue #9889, scality/cloudserver
/// PR #2194), which RFC 9110 §14.2 allows ("MAY ignore"). A well-formed range is unsatisfiable when it starts at or
/// past the end, or is a zero suffix (RFC 9110 §14.1.1); every range of an empty object is unsatisfiable, as S3
/// answers (chimera-nas PR #704).
/// </remarks>
public static class RangeHeader
{
    /// <summary>Longest Range <see cref="TryFormat"/> writes: "bytes=" + two 19-digit numbers + "-".</summary>
    public const int MaxLength = 6 + (2 * 19) + 1;

    private static ReadOnlySpan<byte> BytesUnit => "bytes"u8;

    /// <summary>Evaluates the Range header <paramref name="value"/> (empty = absent) against an object of
    /// <paramref name="objectLength"/> bytes.</summary>
    public static RangeOutcome Evaluate(ReadOnlySpan<byte> value, long objectLength, out ByteRange range)
    {
        range = default;
        value = Trim(value);
        int eq = value.IndexOf((byte)'=');
        // The unit is case-insensitive (RFC 9110 §14.1); whitespace around the spec is tolerated (OWS).
        if (eq < 0 || !Ascii.EqualsIgnoreCase(Trim(value[..eq]), BytesUnit))
        {
            return RangeOutcome.WholeObject;
        }

        ReadOnlySpan<byte> spec = Trim(value[(eq + 1)..]);
        if (spec.Contains((byte)','))
        {
            return RangeOutcome.WholeObject;
        }

        int dash = spec.IndexOf((byte)'-');
        if (dash < 0)
        {
            return RangeOutcome.WholeObject;
        }

        ReadOnlySpan<byte> first = spec[..dash];
        ReadOnlySpan<byte> last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // suffix-range: the last N bytes.
            if (!TryParseDigits(last, out long suffix, out bool suffixOverflow))
            {
                return RangeOutcome.WholeObject;
            }

            if ((suffix == 0 && !suffixOverflow) || objectLength == 0)
            {
                return RangeOutcome.Unsatisfiable;
            }

            long length = suffixOverflow ? objectLength : Math.Min(suffix, objectLength);
            range = new ByteRange(objectLength - length, length);
            return RangeOutcome.Partial;
        }

        if (!TryParseDigits(first, out long firstPos, out bool firstOverflow))
        {
            return RangeOutcome.WholeObject;
        }

        long lastPos = long.MaxValue;
        if (!last.IsEmpty)
        {
            if (!TryParseDigits(last, out lastPos, out bool lastOverflow))
            {
                return RangeOutcome.WholeObject;
            }

            if (lastOverflow)
            {
                lastPos = long.MaxValue;
            }
            else if (firstOverflow || lastPos < firstPos)
            {
                // last < first makes the spec invalid (RFC 9110 §14.1.1): ignored, not refused.
                return RangeOutcome.WholeObject;
            }
        }

        if (firstOverflow || firstPos >= objectLength)
        {
            return RangeOutcome.Unsatisfiable;
        }

        long end = Math.Min(lastPos, objectLength - 1);
        range = new ByteRange(firstPos, end - firstPos + 1);
        return RangeOutcome.Partial;
    }

    /// <summary>Writes the Range a client asks with, <c>bytes=first-last</c>, or <c>bytes=first-</c> to the end when
    /// <paramref name="last"/> is negative (x-amz-copy-source-range has the same form, always with a last).</summary>
    public static bool TryFormat(long first, long last, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!"bytes="u8.TryCopyTo(destination) || !Utf8Formatter.TryFormat(first, destination[6..], out int a)
            || 6 + a >= destination.Length)
        {
            return false;
        }

        int n = 6 + a;
        destination[n++] = (byte)'-';
        if (last >= 0)
        {
            if (!Utf8Formatter.TryFormat(last, destination[n..], out int b))
            {
                return false;
            }

            n += b;
        }

        bytesWritten = n;
        return true;
    }

    /// <summary>Parses 1*DIGIT; <paramref name="overflow"/> is set (and the value saturates) past long.MaxValue,
    /// since RFC 9110 puts no bound on the digits.</summary>
    internal static bool TryParseDigits(ReadOnlySpan<byte> digits, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (byte b in digits)
        {
            uint d = (uint)(b - '0');
            if (d > 9)
            {
                return false;
            }

            if (!overflow)
            {
                if (value > (long.MaxValue - d) / 10)
                {
                    overflow = true;
                    value = long.MaxValue;
                }
                else
                {
                    value = (value * 10) + d;
                }
            }
        }

        return true;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s) => s.Trim(" \t"u8);
}
