using System.Globalization;
using System.Numerics;

namespace Sluice.S3.Http;

/// <summary>
/// Writes the framing of Transfer-Encoding: chunked around caller data: per chunk, header + data + CRLF; at the end,
/// last-chunk, trailer fields, blank line. The caller writes (or sends) the data itself: nothing is copied here.
/// </summary>
public static class ChunkedEncoder
{
    /// <summary>Bytes of "size-in-hex\r\n".</summary>
    public static int GetChunkHeaderLength(long size) => GetHexLength(size) + 2;

    /// <summary>Writes "size-in-hex\r\n" (lowercase hex). Size 0 is the last-chunk.</summary>
    public static bool TryWriteChunkHeader(long size, Span<byte> destination, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        int hex = GetHexLength(size);
        bytesWritten = 0;
        if (destination.Length < hex + 2)
        {
            return false;
        }

        WriteHex(size, destination[..hex]);
        HttpChars.CrLf.CopyTo(destination[hex..]);
        bytesWritten = hex + 2;
        return true;
    }

    /// <summary>Writes the CRLF that follows a chunk's data (or ends the trailer section).</summary>
    public static bool TryWriteCrLf(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = HttpChars.CrLf.TryCopyTo(destination) ? 2 : 0;
        return bytesWritten == 2;
    }

    /// <summary>Bytes of a trailer line "name: value\r\n".</summary>
    public static int GetTrailerLength(int nameLength, int valueLength) => nameLength + 2 + valueLength + 2;

    /// <summary>Writes a trailer line "name: value\r\n"; throws on a name that is not a token or a value with CTLs.</summary>
    public static bool TryWriteTrailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, Span<byte> destination, out int bytesWritten) =>
        TryWriteField(name, ": "u8, value, destination, out bytesWritten);

    /// <summary>Writes "0\r\n\r\n": the last chunk with no trailers.</summary>
    public static bool TryWriteFinalChunk(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = "0\r\n\r\n"u8.TryCopyTo(destination) ? 5 : 0;
        return bytesWritten == 5;
    }

    /// <summary>Total encoded length of <paramref name="payloadLength"/> bytes cut into <paramref name="chunkSize"/>
    /// chunks, plus the last-chunk, <paramref name="trailerLength"/> bytes of trailer lines, and the blank line.</summary>
    public static long GetEncodedLength(long payloadLength, int chunkSize, long trailerLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ArgumentOutOfRangeException.ThrowIfNegative(trailerLength);
        long full = payloadLength / chunkSize;
        long last = payloadLength % chunkSize;
        long length = full * (GetChunkHeaderLength(chunkSize) + chunkSize + 2);
        if (last > 0)
        {
            length += GetChunkHeaderLength(last) + last + 2;
        }

        return length + GetChunkHeaderLength(0) + trailerLength + 2;
    }

    internal static int GetHexLength(long value) => value == 0 ? 1 : (67 - BitOperations.LeadingZeroCount((ulong)value)) / 4;

    internal static void WriteHex(long value, Span<byte> destination) =>
        value.TryFormat(destination, out _, "x", CultureInfo.InvariantCulture);

    internal static bool TryWriteField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> separator, ReadOnlySpan<byte> value,
        Span<byte> destination, out int bytesWritten)
    {
        if (!HttpChars.IsToken(name))
        {
            throw new ArgumentException("Trailer name must be an HTTP token.", nameof(name));
        }

        if (!HttpChars.IsValidFieldValue(value))
        {
            throw new ArgumentException("Trailer value must not contain control characters.", nameof(value));
        }

        int length = name.Length + separator.Length + value.Length + 2;
        bytesWritten = 0;
        if (destination.Length < length)
        {
            return false;
        }

        name.CopyTo(destination);
        separator.CopyTo(destination[name.Length..]);
        value.CopyTo(destination[(name.Length + separator.Length)..]);
        HttpChars.CrLf.CopyTo(destination[(length - 2)..]);
        bytesWritten = length;
        return true;
    }
}
