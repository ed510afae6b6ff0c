using System.Buffers;

namespace Sluice.S3.Http;

/// <summary>
/// Writes aws-chunked framing around caller data: "hex-size;chunk-signature=&lt;sig&gt;\r\n" (signed) or
/// "hex-size\r\n" (unsigned), the data, "\r\n"; then a 0-size chunk, trailer lines "name:value\r\n" and "\r\n".
/// Signatures are computed by the caller (Sluice.S3.Auth) and passed in as 64 lowercase hex bytes.
/// </summary>
public static class AwsChunkedEncoder
{
    /// <summary>Length of a SigV4 signature in hex.</summary>
    public const int SignatureLength = 64;

    /// <summary>The trailer carrying the signature over the trailers in signed-trailer uploads.</summary>
    public static ReadOnlySpan<byte> TrailerSignatureName => "x-amz-trailer-signature"u8;

    private static ReadOnlySpan<byte> SignaturePrefix => ";chunk-signature="u8;

    private static readonly SearchValues<byte> LowerHex = SearchValues.Create("0123456789abcdef"u8);

    /// <summary>Bytes of a chunk header line for a chunk of <paramref name="size"/>.</summary>
    public static int GetChunkHeaderLength(long size, bool chunkSignatures) =>
        ChunkedEncoder.GetHexLength(size) + (chunkSignatures ? SignaturePrefix.Length + SignatureLength : 0) + 2;

    /// <summary>Writes a chunk header; an empty <paramref name="signature"/> writes the unsigned form.
    /// Size 0 is the final chunk (follow it with trailers and <see cref="ChunkedEncoder.TryWriteCrLf"/>).</summary>
    public static bool TryWriteChunkHeader(long size, ReadOnlySpan<byte> signature, Span<byte> destination, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        bool withSignature = !signature.IsEmpty;
        if (withSignature && (signature.Length != SignatureLength || signature.ContainsAnyExcept(LowerHex)))
        {
            throw new ArgumentException("A chunk signature is 64 lowercase hex digits.", nameof(signature));
        }

        bytesWritten = 0;
        int length = GetChunkHeaderLength(size, withSignature);
        if (destination.Length < length)
        {
            return false;
        }

        int hex = ChunkedEncoder.GetHexLength(size);
        ChunkedEncoder.WriteHex(size, destination[..hex]);
        int p = hex;
        if (withSignature)
        {
            SignaturePrefix.CopyTo(destination[p..]);
            p += SignaturePrefix.Length;
            signature.CopyTo(destination[p..]);
            p += SignatureLength;
        }

        HttpChars.CrLf.CopyTo(destination[p..]);
        bytesWritten = length;
        return true;
    }

    /// <summary>Bytes of a trailer line "name:value\r\n" (aws-chunked puts no space after the colon).</summary>
    public static int GetTrailerLength(int nameLength, int valueLength) => nameLength + 1 + valueLength + 2;

    /// <summary>Bytes of the "x-amz-trailer-signature:&lt;sig&gt;\r\n" line.</summary>
    public static int TrailerSignatureLineLength => GetTrailerLength(TrailerSignatureName.Length, SignatureLength);

    /// <summary>Writes a trailer line "name:value\r\n".</summary>
    public static bool TryWriteTrailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, Span<byte> destination, out int bytesWritten) =>
        ChunkedEncoder.TryWriteField(name, ":"u8, value, destination, out bytesWritten);

    /// <summary>Content-Length of an aws-chunked body: <paramref name="payloadLength"/> bytes in
    /// <paramref name="chunkSize"/> chunks, the 0-size chunk, <paramref name="trailerLength"/> bytes of trailer lines
    /// (sum of <see cref="GetTrailerLength"/>, including the trailer signature line if signed), and the final CRLF.</summary>
    public static long GetEncodedLength(long payloadLength, int chunkSize, bool chunkSignatures, long trailerLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ArgumentOutOfRangeException.ThrowIfNegative(trailerLength);
        long full = payloadLength / chunkSize;
        long last = payloadLength % chunkSize;
        long length = full * (GetChunkHeaderLength(chunkSize, chunkSignatures) + chunkSize + 2);
        if (last > 0)
        {
            length += GetChunkHeaderLength(last, chunkSignatures) + last + 2;
        }

        return length + GetChunkHeaderLength(0, chunkSignatures) + trailerLength + 2;
    }
}
