using System.Buffers.Binary;
using System.Buffers.Text;
using Sluice.S3.Checksums;

namespace Sluice.Server.Index;

/// <summary>
/// ListObjectsV2's opaque continuation token: base64url of a version byte, the last key or common prefix
/// returned, and a CRC-32C of both. The CRC makes a mangled or invented token fail to decode (S3 answers
/// InvalidArgument) instead of silently listing from an arbitrary place.
/// </summary>
public static class ContinuationToken
{
    private const byte Version = 1;
    private const int Overhead = 1 + sizeof(uint);

    /// <summary>Encodes the position after <paramref name="lastItem"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> lastItem)
    {
        byte[] raw = new byte[lastItem.Length + Overhead];
        raw[0] = Version;
        lastItem.CopyTo(raw.AsSpan(1));
        BinaryPrimitives.WriteUInt32BigEndian(raw.AsSpan(1 + lastItem.Length), Crc32C.HashToUInt32(raw.AsSpan(0, 1 + lastItem.Length)));
        return Base64Url.EncodeToString(raw);
    }

    /// <summary>Decodes a token made by <see cref="Encode"/>; false for anything else.</summary>
    public static bool TryDecode(string token, out byte[] lastItem)
    {
        ArgumentNullException.ThrowIfNull(token);
        lastItem = [];
        if (token.Length == 0 || token.Length > Base64Url.GetEncodedLength(IndexEntry.MaxKeyLength + Overhead) || !Base64Url.IsValid(token))
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (!Base64Url.TryDecodeFromChars(token, raw, out int written) || written <= Overhead || raw[0] != Version)
        {
            return false;
        }

        int itemLength = written - Overhead;
        uint expected = BinaryPrimitives.ReadUInt32BigEndian(raw.Slice(1 + itemLength, sizeof(uint)));
        if (Crc32C.HashToUInt32(raw[..(1 + itemLength)]) != expected)
        {
            return false;
        }

        lastItem = raw.Slice(1, itemLength).ToArray();
        return true;
    }
}
