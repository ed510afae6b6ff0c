using System.Globalization;
using System.Text;

namespace Sluice.Server.Observability;

/// <summary>One access log line's fields, formatted by <see cref="Format"/> (see <see cref="AccessLog"/>).</summary>
internal readonly ref struct AccessRecord
{
    public DateTime Time { get; init; }
    public ulong RequestId { get; init; }
    public string? Principal { get; init; }
    public string Operation { get; init; }
    public ReadOnlySpan<byte> Bucket { get; init; }
    public ReadOnlySpan<byte> Key { get; init; }
    public int Status { get; init; }
    public long BytesSent { get; init; }
    public long BytesReceived { get; init; }

    /// <summary>Milliseconds from the parsed head to the response; negative: not measured ("-").</summary>
    public double LatencyMs { get; init; }

    /// <summary>Chars <see cref="Format"/> may need: fixed fields plus every name byte percent-encoded.</summary>
    public int MaxLength => 192 + Operation.Length + 9 * (Principal?.Length ?? 0) + 3 * (Bucket.Length + Key.Length);

    /// <summary>Writes the line (with its newline) into <paramref name="line"/>; returns its length.</summary>
    public int Format(Span<char> line)
    {
        int n = 0;
        Time.TryFormat(line, out int w, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        n += w;
        line[n++] = ' ';
        RequestId.TryFormat(line[n..], out w, "X16", CultureInfo.InvariantCulture);
        n += w;
        line[n++] = ' ';
        n += Principal is { Length: > 0 } p ? EscapeString(p, line[n..]) : Dash(line[n..]);
        line[n++] = ' ';
        Operation.AsSpan().CopyTo(line[n..]); // an S3Operation name: an identifier, nothing to escape
        n += Operation.Length;
        line[n++] = ' ';
        n += Escape(Bucket, line[n..]);
        line[n++] = ' ';
        n += Escape(Key, line[n..]);
        line[n++] = ' ';
        Status.TryFormat(line[n..], out w, provider: CultureInfo.InvariantCulture);
        n += w;
        line[n++] = ' ';
        BytesSent.TryFormat(line[n..], out w, provider: CultureInfo.InvariantCulture);
        n += w;
        line[n++] = ' ';
        BytesReceived.TryFormat(line[n..], out w, provider: CultureInfo.InvariantCulture);
        n += w;
        line[n++] = ' ';
        if (LatencyMs < 0) n += Dash(line[n..]);
        else
        {
            LatencyMs.TryFormat(line[n..], out w, "0.000", CultureInfo.InvariantCulture);
            n += w;
        }
        line[n++] = '\n';
        return n;
    }

    private static int Dash(Span<char> to)
    {
        to[0] = '-';
        return 1;
    }

    private static int EscapeString(string value, Span<char> to)
    {
        Span<byte> utf8 = value.Length <= 256 ? stackalloc byte[value.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        return Escape(utf8[..Encoding.UTF8.GetBytes(value, utf8)], to);
    }

    /// <summary>Printable ASCII but '%' as is; every other byte (space, controls, '%', UTF-8) as %XX; empty as "-".</summary>
    internal static int Escape(ReadOnlySpan<byte> value, Span<char> to)
    {
        if (value.IsEmpty) return Dash(to);
        int n = 0;
        foreach (byte b in value)
        {
            if (b > 0x20 && b < 0x7F && b != (byte)'%')
            {
                to[n++] = (char)b;
                continue;
            }
            to[n++] = '%';
            to[n++] = HexDigit(b >> 4);
            to[n++] = HexDigit(b & 0xF);
        }
        return n;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);
}
