using System.Globalization;

namespace Sluice.S3.Auth;

/// <summary>
/// The aws-chunked body framing: each chunk is <c>hex-size[;chunk-signature=sig]\r\ndata\r\n</c>, then a 0-size
/// chunk, then optional trailer lines (<c>name:value\r\n</c>, plus <c>x-amz-trailer-signature:sig\r\n</c> when
/// signed), then <c>\r\n</c>. Clients need the encoded length up front for <c>Content-Length</c>.
/// </summary>
public static class AwsChunkedEncoding
{
    /// <summary>The longest chunk header <see cref="WriteChunkHeader"/> writes (8 hex digits, signed).</summary>
    public const int MaxChunkHeaderLength = 8 + SignatureExtensionLength + 2;

    private const int SignatureExtensionLength = 17 + SigV4Algorithm.HexHashLength; // ";chunk-signature=" + hex
    private const int TrailerSignatureLineLength = 24 + SigV4Algorithm.HexHashLength + 2; // "x-amz-trailer-signature:" + hex + CRLF
    private const int CrLf = 2;

    /// <summary>
    /// The encoded body length for <paramref name="decodedLength"/> bytes sent in <paramref name="chunkSize"/> chunks.
    /// <paramref name="trailerLength"/> is the total of the trailer lines (see <see cref="TrailerLineLength"/>),
    /// excluding the trailer signature line, which is added when <paramref name="signedChunks"/>.
    /// </summary>
    public static long EncodedLength(long decodedLength, int chunkSize, bool signedChunks, long trailerLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decodedLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(trailerLength);
        long fullChunks = decodedLength / chunkSize;
        long remainder = decodedLength % chunkSize;
        long length = fullChunks * (chunkSize + ChunkOverhead(chunkSize, signedChunks));
        if (remainder > 0)
        {
            length += remainder + ChunkOverhead(remainder, signedChunks);
        }

        length += 1 + (signedChunks ? SignatureExtensionLength : 0) + CrLf; // "0[;chunk-signature=...]\r\n"
        length += trailerLength + (signedChunks && trailerLength > 0 ? TrailerSignatureLineLength : 0);
        return length + CrLf;
    }

    /// <summary>Length of one trailer line <c>name:value\r\n</c> (ASCII lengths).</summary>
    public static int TrailerLineLength(int nameLength, int valueLength) => nameLength + 1 + valueLength + CrLf;

    /// <summary>
    /// Writes <c>hex-size;chunk-signature=sig\r\n</c> (or <c>hex-size\r\n</c> when <paramref name="signatureHex"/> is
    /// empty); returns the bytes written.
    /// </summary>
    public static int WriteChunkHeader(Span<byte> destination, int chunkLength, ReadOnlySpan<byte> signatureHex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkLength);
        if (!chunkLength.TryFormat(destination, out int n, "x", CultureInfo.InvariantCulture))
        {
            throw new ArgumentException("Destination too small.", nameof(destination));
        }

        if (!signatureHex.IsEmpty)
        {
            ";chunk-signature="u8.CopyTo(destination[n..]);
            n += 17;
            signatureHex.CopyTo(destination[n..]);
            n += signatureHex.Length;
        }

        "\r\n"u8.CopyTo(destination[n..]);
        return n + CrLf;
    }

    private static long ChunkOverhead(long size, bool signedChunks) =>
        HexDigits(size) + (signedChunks ? SignatureExtensionLength : 0) + CrLf + CrLf;

    private static int HexDigits(long value)
    {
        int digits = 1;
        while ((value >>= 4) != 0)
        {
            digits++;
        }

        return digits;
    }
}
