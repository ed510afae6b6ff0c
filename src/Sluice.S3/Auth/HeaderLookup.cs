using System.Buffers;
using System.Text;

namespace Sluice.S3.Auth;

/// <summary>Header helpers shared by signer and verifier: lookup by name, value canonicalization, signed-list tests.</summary>
internal static class HeaderLookup
{
    /// <summary>Whitespace that canonical header values trim and collapse (folded lines included).</summary>
    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\r\n\v\f"u8);

    public static int IndexOf<THeaders>(THeaders headers, scoped ReadOnlySpan<byte> name)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int count = headers.Count;
        for (int i = 0; i < count; i++)
        {
            if (Ascii.EqualsIgnoreCase(headers.GetName(i), name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Trims the value and collapses every internal run of whitespace to one space.</summary>
    public static void AppendCanonicalValue(ref ValueByteBuilder builder, scoped ReadOnlySpan<byte> value)
    {
        ReadOnlySpan<byte> rest = Trim(value);
        while (!rest.IsEmpty)
        {
            int ws = rest.IndexOfAny(Whitespace);
            if (ws < 0)
            {
                builder.Append(rest);
                return;
            }

            builder.Append(rest[..ws]);
            builder.Append((byte)' ');
            int next = rest[ws..].IndexOfAnyExcept(Whitespace);
            rest = next < 0 ? default : rest[(ws + next)..];
        }
    }

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> value)
    {
        int start = value.IndexOfAnyExcept(Whitespace);
        if (start < 0)
        {
            return default;
        }

        int end = value.LastIndexOfAnyExcept(Whitespace);
        return value[start..(end + 1)];
    }

    /// <summary>True when the ';'-separated <paramref name="signedHeaders"/> list names <paramref name="name"/>.</summary>
    public static bool IsSigned(ReadOnlySpan<byte> signedHeaders, ReadOnlySpan<byte> name)
    {
        ReadOnlySpan<byte> rest = signedHeaders;
        while (true)
        {
            int semi = rest.IndexOf((byte)';');
            ReadOnlySpan<byte> item = semi < 0 ? rest : rest[..semi];
            if (Ascii.EqualsIgnoreCase(item, name))
            {
                return true;
            }

            if (semi < 0)
            {
                return false;
            }

            rest = rest[(semi + 1)..];
        }
    }

    /// <summary>A well-formed SignedHeaders list: non-empty names of header-token characters separated by ';'.</summary>
    public static bool IsWellFormedSignedHeaders(ReadOnlySpan<byte> signedHeaders)
    {
        if (signedHeaders.IsEmpty)
        {
            return false;
        }

        bool itemEmpty = true;
        foreach (byte c in signedHeaders)
        {
            if (c == (byte)';')
            {
                if (itemEmpty)
                {
                    return false;
                }

                itemEmpty = true;
                continue;
            }

            if (!IsTokenChar(c))
            {
                return false;
            }

            itemEmpty = false;
        }

        return !itemEmpty;
    }

    /// <summary>RFC 9110 token characters (header field names).</summary>
    private static bool IsTokenChar(byte c) =>
        (uint)((c | 0x20) - 'a') < 26 || (uint)(c - '0') < 10
        || c is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*'
            or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
