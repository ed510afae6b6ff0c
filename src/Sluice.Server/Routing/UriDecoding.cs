namespace Sluice.Server.Routing;

/// <summary>Percent-decoding (RFC 3986 §2.1) of request paths, query components and copy sources into a caller
/// buffer; the output is never longer than the input.</summary>
internal static class UriDecoding
{
    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/> (at least as long as the source).
    /// A path keeps '+' (it is a literal there); a query component turns it into a space, as S3 and botocore's
    /// unquote_plus read it. A '%' not followed by two hex digits fails in <paramref name="strict"/> mode and stays
    /// literal otherwise.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, bool plusIsSpace, bool strict, out int written)
    {
        written = 0;
        if (destination.Length < source.Length)
        {
            return false;
        }

        int w = 0;
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            if (b == '%')
            {
                int hi = i + 2 < source.Length ? HexValue(source[i + 1]) : -1;
                int lo = hi >= 0 ? HexValue(source[i + 2]) : -1;
                if (lo >= 0)
                {
                    destination[w++] = (byte)((hi << 4) | lo);
                    i += 2;
                    continue;
                }

                if (strict)
                {
                    return false;
                }
            }
            else if (b == '+' && plusIsSpace)
            {
                b = (byte)' ';
            }

            destination[w++] = b;
        }

        written = w;
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
