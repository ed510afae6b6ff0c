using System.Buffers.Text;

namespace Sluice.Client.Transport;

/// <summary>Parses "bytes first-last/total" (Content-Range of a 206).</summary>
internal static class ContentRange
{
    public static bool TryParse(ReadOnlySpan<byte> value, out long first, out long last, out long total)
    {
        first = last = total = -1;
        if (!value.StartsWith("bytes "u8))
        {
            return false;
        }

        value = value[6..];
        int dash = value.IndexOf((byte)'-');
        int slash = value.IndexOf((byte)'/');
        if (dash <= 0 || slash <= dash)
        {
            return false;
        }

        return Utf8Parser.TryParse(value[..dash], out first, out int a) && a == dash
            && Utf8Parser.TryParse(value[(dash + 1)..slash], out last, out int b) && b == slash - dash - 1
            && (value[(slash + 1)..].SequenceEqual("*"u8)
                || (Utf8Parser.TryParse(value[(slash + 1)..], out total, out int c) && c == value.Length - slash - 1));
    }
}
