using System.Buffers;
using System.Text;

namespace Sluice.S3.Auth;

/// <summary>
/// AWS <c>UriEncode</c> and the canonical URI / query string of a SigV4 canonical request. Inputs are the path and
/// query exactly as they travel on the wire; both the signer and the verifier go through these functions, so
/// clients that escape differently (e.g. "%7E" for "~", or a literal "!") still verify.
/// </summary>
public static class SigV4Encoding
{
    /// <summary>Parameters sorted on the stack; beyond this the sort uses a pooled array.</summary>
    private const int StackQueryParams = 32;
    private const int StackScratchBytes = 512;
    private const int InsertionSortThreshold = 16;

    private static ReadOnlySpan<byte> UpperDigits => "0123456789ABCDEF"u8;

    /// <summary>True for the RFC 3986 unreserved bytes that UriEncode never escapes.</summary>
    public static bool IsUnreserved(byte value) =>
        (uint)((value | 0x20) - 'a') < 26 || (uint)(value - '0') < 10
        || value is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    /// <summary>
    /// Encodes a decoded value (e.g. an object key) the way S3 expects it on the wire and in the canonical
    /// request: unreserved characters kept, everything else as %XX of its UTF-8 bytes.
    /// </summary>
    public static string UriEncode(string value, bool keepSlash)
    {
        ArgumentNullException.ThrowIfNull(value);
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        var builder = new ValueByteBuilder(stackalloc byte[StackScratchBytes]);
        try
        {
            AppendEncoded(ref builder, utf8, keepSlash);
            return Encoding.ASCII.GetString(builder.Written);
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>The canonical URI for a wire path (diagnostics and tests; the hot path writes bytes directly).</summary>
    public static string CanonicalUri(string rawPath, SigV4UriMode mode)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        var builder = new ValueByteBuilder(stackalloc byte[StackScratchBytes]);
        try
        {
            AppendCanonicalUri(ref builder, Encoding.UTF8.GetBytes(rawPath), mode);
            return Encoding.ASCII.GetString(builder.Written);
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>The canonical query string for a wire query (without the leading '?').</summary>
    public static string CanonicalQuery(string rawQuery)
    {
        ArgumentNullException.ThrowIfNull(rawQuery);
        var builder = new ValueByteBuilder(stackalloc byte[StackScratchBytes]);
        try
        {
            AppendCanonicalQuery(ref builder, Encoding.UTF8.GetBytes(rawQuery), omitSignature: false);
            return Encoding.ASCII.GetString(builder.Written);
        }
        finally
        {
            builder.Dispose();
        }
    }

    internal static void AppendEncoded(ref ValueByteBuilder builder, scoped ReadOnlySpan<byte> decoded, bool keepSlash)
    {
        int i = 0;
        while (i < decoded.Length)
        {
            // Copy the longest run of bytes that need no escaping in one go.
            int run = i;
            while (run < decoded.Length && (IsUnreserved(decoded[run]) || (keepSlash && decoded[run] == (byte)'/')))
            {
                run++;
            }

            if (run > i)
            {
                builder.Append(decoded[i..run]);
                i = run;
                continue;
            }

            AppendEscaped(ref builder, decoded[i]);
            i++;
        }
    }

    internal static void AppendCanonicalUri(ref ValueByteBuilder builder, scoped ReadOnlySpan<byte> rawPath, SigV4UriMode mode)
    {
        if (rawPath.IsEmpty)
        {
            builder.Append((byte)'/');
            return;
        }

        if (mode == SigV4UriMode.S3)
        {
            AppendDecodedThenEncoded(ref builder, rawPath, keepSlash: true, plusIsSpace: false);
            return;
        }

        var normalized = new ValueByteBuilder(stackalloc byte[StackScratchBytes]);
        try
        {
            NormalizePath(ref normalized, rawPath);
            // Generic services sign the encoding of the wire path itself: '%' becomes "%25" (double encoding).
            AppendEncoded(ref builder, normalized.Written, keepSlash: true);
        }
        finally
        {
            normalized.Dispose();
        }
    }

    /// <summary>
    /// Writes the canonical query: names and values percent-decoded ('+' as space, as S3 reads queries), re-encoded
    /// by AWS rules, sorted by name then value, a missing value written as "name=".
    /// </summary>
    internal static void AppendCanonicalQuery(ref ValueByteBuilder builder, scoped ReadOnlySpan<byte> rawQuery, bool omitSignature)
    {
        if (rawQuery.IsEmpty)
        {
            return;
        }

        int maxParams = rawQuery.Count((byte)'&') + 1;
        QueryParam[]? rentedParams = null;
        Span<QueryParam> items = maxParams <= StackQueryParams
            ? stackalloc QueryParam[StackQueryParams]
            : (rentedParams = ArrayPool<QueryParam>.Shared.Rent(maxParams));
        var scratch = new ValueByteBuilder(stackalloc byte[StackScratchBytes]);
        try
        {
            int count = 0;
            ReadOnlySpan<byte> rest = rawQuery;
            while (true)
            {
                int amp = rest.IndexOf((byte)'&');
                ReadOnlySpan<byte> pair = amp < 0 ? rest : rest[..amp];
                if (!pair.IsEmpty)
                {
                    int eq = pair.IndexOf((byte)'=');
                    ReadOnlySpan<byte> name = eq < 0 ? pair : pair[..eq];
                    ReadOnlySpan<byte> value = eq < 0 ? default : pair[(eq + 1)..];
                    int start = scratch.Length;
                    AppendDecodedThenEncoded(ref scratch, name, keepSlash: false, plusIsSpace: true);
                    int nameLength = scratch.Length - start;
                    if (omitSignature && scratch.Written.Slice(start, nameLength).SequenceEqual("X-Amz-Signature"u8))
                    {
                        scratch.Truncate(start);
                    }
                    else
                    {
                        AppendDecodedThenEncoded(ref scratch, value, keepSlash: false, plusIsSpace: true);
                        items[count++] = new QueryParam(start, nameLength, start + nameLength, scratch.Length - start - nameLength);
                    }
                }

                if (amp < 0)
                {
                    break;
                }

                rest = rest[(amp + 1)..];
            }

            ReadOnlySpan<byte> data = scratch.Written;
            Span<QueryParam> used = items[..count];
            Sort(used, data);
            for (int i = 0; i < used.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append((byte)'&');
                }

                builder.Append(data.Slice(used[i].NameStart, used[i].NameLength));
                builder.Append((byte)'=');
                builder.Append(data.Slice(used[i].ValueStart, used[i].ValueLength));
            }
        }
        finally
        {
            scratch.Dispose();
            if (rentedParams is not null)
            {
                ArrayPool<QueryParam>.Shared.Return(rentedParams);
            }
        }
    }

    /// <summary>Percent-decodes into <paramref name="builder"/>; a '%' not followed by two hex digits is kept literally.</summary>
    internal static void AppendPercentDecoded(ref ValueByteBuilder builder, scoped ReadOnlySpan<byte> raw, bool plusIsSpace)
    {
        for (int i = 0; i < raw.Length; i++)
        {
            builder.Append(DecodeAt(raw, ref i, plusIsSpace));
        }
    }

    /// <summary>Sorts ranges of <paramref name="data"/> by name then value, ordinal (insertion sort for the usual
    /// handful, heapsort beyond so a hostile query cannot make it quadratic).</summary>
    internal static void Sort(Span<QueryParam> items, ReadOnlySpan<byte> data)
    {
        if (items.Length <= InsertionSortThreshold)
        {
            for (int i = 1; i < items.Length; i++)
            {
                QueryParam current = items[i];
                int j = i - 1;
                while (j >= 0 && Compare(items[j], current, data) > 0)
                {
                    items[j + 1] = items[j];
                    j--;
                }

                items[j + 1] = current;
            }

            return;
        }

        for (int start = (items.Length / 2) - 1; start >= 0; start--)
        {
            SiftDown(items, start, items.Length, data);
        }

        for (int end = items.Length - 1; end > 0; end--)
        {
            (items[0], items[end]) = (items[end], items[0]);
            SiftDown(items, 0, end, data);
        }
    }

    internal static int Compare(QueryParam a, QueryParam b, ReadOnlySpan<byte> data)
    {
        int byName = data.Slice(a.NameStart, a.NameLength).SequenceCompareTo(data.Slice(b.NameStart, b.NameLength));
        return byName != 0
            ? byName
            : data.Slice(a.ValueStart, a.ValueLength).SequenceCompareTo(data.Slice(b.ValueStart, b.ValueLength));
    }

    private static void SiftDown(Span<QueryParam> items, int root, int count, ReadOnlySpan<byte> data)
    {
        while (true)
        {
            int child = (2 * root) + 1;
            if (child >= count)
            {
                return;
            }

            if (child + 1 < count && Compare(items[child + 1], items[child], data) > 0)
            {
                child++;
            }

            if (Compare(items[root], items[child], data) >= 0)
            {
                return;
            }

            (items[root], items[child]) = (items[child], items[root]);
            root = child;
        }
    }

    private static void AppendDecodedThenEncoded(ref ValueByteBuilder builder, scoped ReadOnlySpan<byte> raw, bool keepSlash, bool plusIsSpace)
    {
        for (int i = 0; i < raw.Length; i++)
        {
            byte c = raw[i];
            if (IsUnreserved(c) || (keepSlash && c == (byte)'/'))
            {
                builder.Append(c);
                continue;
            }

            byte decoded = DecodeAt(raw, ref i, plusIsSpace);
            if (IsUnreserved(decoded) || (keepSlash && decoded == (byte)'/'))
            {
                builder.Append(decoded);
            }
            else
            {
                AppendEscaped(ref builder, decoded);
            }
        }
    }

    private static byte DecodeAt(ReadOnlySpan<byte> raw, ref int i, bool plusIsSpace)
    {
        byte c = raw[i];
        if (c == (byte)'%' && i + 2 < raw.Length)
        {
            int hi = HexEncoding.Value(raw[i + 1]);
            int lo = HexEncoding.Value(raw[i + 2]);
            if ((hi | lo) >= 0)
            {
                i += 2;
                return (byte)((hi << 4) | lo);
            }
        }

        return plusIsSpace && c == (byte)'+' ? (byte)' ' : c;
    }

    private static void AppendEscaped(ref ValueByteBuilder builder, byte value)
    {
        Span<byte> slot = builder.AppendSpan(3);
        slot[0] = (byte)'%';
        slot[1] = UpperDigits[value >> 4];
        slot[2] = UpperDigits[value & 0xF];
    }

    /// <summary>RFC 3986 dot-segment removal plus "//" collapsing, as generic SigV4 services normalize paths.</summary>
    private static void NormalizePath(ref ValueByteBuilder output, scoped ReadOnlySpan<byte> path)
    {
        ReadOnlySpan<byte> rest = path;
        bool trailingSlash = false;
        while (true)
        {
            int slash = rest.IndexOf((byte)'/');
            ReadOnlySpan<byte> segment = slash < 0 ? rest : rest[..slash];
            bool last = slash < 0;
            if (segment.SequenceEqual(".."u8))
            {
                int cut = output.Written.LastIndexOf((byte)'/');
                output.Truncate(cut < 0 ? 0 : cut);
                trailingSlash = last;
            }
            else if (segment.IsEmpty || segment.SequenceEqual("."u8))
            {
                trailingSlash = last;
            }
            else
            {
                output.Append((byte)'/');
                output.Append(segment);
                trailingSlash = false;
            }

            if (last)
            {
                break;
            }

            rest = rest[(slash + 1)..];
        }

        if (trailingSlash || output.Length == 0)
        {
            output.Append((byte)'/');
        }
    }

    /// <summary>A name/value pair as offsets into a scratch buffer of already-encoded bytes.</summary>
    internal readonly record struct QueryParam(int NameStart, int NameLength, int ValueStart, int ValueLength);
}
