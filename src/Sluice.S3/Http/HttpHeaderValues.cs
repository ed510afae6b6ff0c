using System.Text;

namespace Sluice.S3.Http;

/// <summary>Allocation-free interpretation of the framing-related field values.</summary>
public static class HttpHeaderValues
{
    /// <summary>19 decimal digits cover every long; one more is certainly an overflow.</summary>
    private const int MaxDecimalDigits = 19;

    /// <summary>Parses Content-Length (and x-amz-decoded-content-length): 1*DIGIT only, no sign, no whitespace, no list,
    /// no overflow. Leading zeros are allowed, as RFC 9110 §8.6 grammar permits.</summary>
    public static bool TryParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty)
        {
            return false;
        }

        // Skip leading zeros so a long run of them cannot count as overflow.
        int i = 0;
        while (i < value.Length - 1 && value[i] == '0')
        {
            i++;
        }

        if (value.Length - i > MaxDecimalDigits)
        {
            return false;
        }

        long result = 0;
        for (; i < value.Length; i++)
        {
            uint digit = (uint)(value[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            if (result > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            result = (result * 10) + digit;
        }

        length = result;
        return true;
    }

    /// <summary>Classifies a Transfer-Encoding list; chunked must be last and appear once.</summary>
    public static TransferEncodingKind ClassifyTransferEncoding(ReadOnlySpan<byte> value)
    {
        int elements = 0;
        int chunkedCount = 0;
        bool lastIsChunked = false;
        foreach (Range r in value.Split((byte)','))
        {
            ReadOnlySpan<byte> element = HttpChars.TrimOws(value[r]);
            if (element.IsEmpty)
            {
                continue; // RFC 9110 §5.6.1: empty list elements are ignored
            }

            // A coding may carry parameters ("gzip;q=1"); only the name classifies it.
            int semicolon = element.IndexOf((byte)';');
            ReadOnlySpan<byte> coding = semicolon < 0 ? element : HttpChars.TrimOws(element[..semicolon]);
            if (!HttpChars.IsToken(coding))
            {
                return TransferEncodingKind.Invalid;
            }

            elements++;
            lastIsChunked = Ascii.EqualsIgnoreCase(coding, "chunked"u8);
            if (lastIsChunked)
            {
                if (semicolon >= 0 || ++chunkedCount > 1)
                {
                    return TransferEncodingKind.Invalid;
                }
            }
        }

        if (elements == 0)
        {
            return TransferEncodingKind.Invalid;
        }

        if (!lastIsChunked)
        {
            return TransferEncodingKind.NotChunked;
        }

        return elements == 1 ? TransferEncodingKind.Chunked : TransferEncodingKind.ChunkedAfterOtherCodings;
    }

    /// <summary>Reads the Connection options this codec cares about; unknown options are ignored.</summary>
    public static ConnectionOptions ParseConnection(ReadOnlySpan<byte> value)
    {
        ConnectionOptions options = ConnectionOptions.None;
        foreach (Range r in value.Split((byte)','))
        {
            ReadOnlySpan<byte> option = HttpChars.TrimOws(value[r]);
            if (Ascii.EqualsIgnoreCase(option, "close"u8))
            {
                options |= ConnectionOptions.Close;
            }
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8))
            {
                options |= ConnectionOptions.KeepAlive;
            }
            else if (Ascii.EqualsIgnoreCase(option, "upgrade"u8))
            {
                options |= ConnectionOptions.Upgrade;
            }
        }

        return options;
    }

    /// <summary>True when a message on this connection may be followed by another (RFC 9112 §9.3).</summary>
    public static bool IsKeepAlive(HttpProtocolVersion version, ConnectionOptions options) =>
        (options & ConnectionOptions.Close) == 0
        && (version == HttpProtocolVersion.Http11 || (options & ConnectionOptions.KeepAlive) != 0);

    /// <summary>True for "Expect: 100-continue" (case-insensitive, the only expectation defined).</summary>
    public static bool IsExpect100Continue(ReadOnlySpan<byte> value) => Ascii.EqualsIgnoreCase(value, "100-continue"u8);
}
