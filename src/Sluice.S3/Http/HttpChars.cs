using System.Buffers;

namespace Sluice.S3.Http;

/// <summary>Character classes of RFC 9110/9112, as vectorizable <see cref="SearchValues{T}"/>.</summary>
internal static class HttpChars
{
    /// <summary>tchar: what a method or field name may contain.</summary>
    public static readonly SearchValues<byte> Token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Bytes a field value (or reason phrase) must not contain: CTLs except HTAB, and DEL.</summary>
    public static readonly SearchValues<byte> InvalidFieldValue = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    public static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    public static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAnyExcept(Token);

    public static bool IsValidFieldValue(ReadOnlySpan<byte> s) => !s.ContainsAny(InvalidFieldValue);

    /// <summary>request-target bytes: visible ASCII, no '#' (fragments are never sent).</summary>
    public static bool IsValidTarget(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E) && !s.Contains((byte)'#');

    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>Strips optional whitespace (SP / HTAB) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> s)
    {
        int start = 0;
        while (start < s.Length && IsWhitespace(s[start]))
        {
            start++;
        }

        int end = s.Length;
        while (end > start && IsWhitespace(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }
}
