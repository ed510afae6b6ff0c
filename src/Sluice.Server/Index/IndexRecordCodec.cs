using System.Buffers.Binary;
using System.Text;
using Sluice.S3.Checksums;

namespace Sluice.Server.Index;

/// <summary>
/// The framing and payloads shared by the journal and the snapshot. A record is
/// <c>[u32 payload length][u32 CRC-32C of length and payload][payload]</c>, little-endian; the payload starts
/// with a <see cref="RecordKind"/>. Put: kind, u64 sequence, u16 key length, key, i64 size, i64 last-modified
/// UTC ticks, u64 locator, u8 checksum algorithm, u8 checksum type, u8 + ETag (ASCII), u8 + storage class.
/// A version's entry adds u8 flags (1: delete marker, 2: null version) and u8 + version id; an entry without
/// either ends after the storage class, as every record did before versions.
/// Delete, Split and Merge: kind, u64 sequence, u16 key length, key (Split and Merge name a partition boundary).
/// The CRC covers the length so a torn or flipped length is caught too.
/// </summary>
internal static class IndexRecordCodec
{
    public const int FrameHeaderLength = 8;

    /// <summary>The largest payload any record kind produces, with room to spare; larger lengths are damage.</summary>
    public const int MaxPayloadLength = 4096;

    public const int MaxRecordLength = FrameHeaderLength + MaxPayloadLength;

    // Storage classes S3 defines; decoding returns these instances instead of a new string per entry.
    private static readonly string[] KnownStorageClasses =
    [
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
        "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE",
    ];

    public static int WritePut(Span<byte> destination, long sequence, IndexEntry entry)
    {
        Span<byte> p = destination[FrameHeaderLength..];
        int n = WriteKeyed(p, RecordKind.Put, sequence, entry.Key);
        BinaryPrimitives.WriteInt64LittleEndian(p[n..], entry.Size);
        BinaryPrimitives.WriteInt64LittleEndian(p[(n + 8)..], entry.LastModifiedUtcTicks);
        BinaryPrimitives.WriteUInt64LittleEndian(p[(n + 16)..], entry.Locator);
        p[n + 24] = (byte)entry.ChecksumAlgorithm;
        p[n + 25] = (byte)entry.ChecksumType;
        n += 26;
        n += WriteText(p[n..], entry.ETag);
        n += WriteText(p[n..], entry.StorageClass);
        if (entry.VersionId != null || entry.IsDeleteMarker || entry.IsNullVersion)
        {
            p[n++] = (byte)((entry.IsDeleteMarker ? 1 : 0) | (entry.IsNullVersion ? 2 : 0));
            n += WriteText(p[n..], entry.VersionId ?? string.Empty);
        }
        return Frame(destination, n);
    }

    public static int WriteDelete(Span<byte> destination, long sequence, ReadOnlySpan<byte> key) =>
        Frame(destination, WriteKeyed(destination[FrameHeaderLength..], RecordKind.Delete, sequence, key));

    /// <summary>A partition map change (<see cref="RecordKind.Split"/> or <see cref="RecordKind.Merge"/>) at a boundary key.</summary>
    public static int WriteMapChange(Span<byte> destination, RecordKind kind, long sequence, ReadOnlySpan<byte> boundary) =>
        Frame(destination, WriteKeyed(destination[FrameHeaderLength..], kind, sequence, boundary));

    /// <summary>A header-like record: the kind followed by u64 values.</summary>
    public static int WriteValues(Span<byte> destination, RecordKind kind, ReadOnlySpan<long> values)
    {
        Span<byte> p = destination[FrameHeaderLength..];
        p[0] = (byte)kind;
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(p[(1 + (i * 8))..], values[i]);
        }

        return Frame(destination, 1 + (values.Length * 8));
    }

    public static int WriteBoundary(Span<byte> destination, ReadOnlySpan<byte> key) =>
        Frame(destination, WriteKeyed(destination[FrameHeaderLength..], RecordKind.Boundary, 0, key));

    /// <summary>
    /// Reads one frame from <paramref name="buffer"/>. <see cref="FrameStatus.Incomplete"/>: the buffer ends inside
    /// the frame. <see cref="FrameStatus.Damaged"/>: the length is impossible or the CRC does not match.
    /// </summary>
    public static FrameStatus TryReadFrame(ReadOnlySpan<byte> buffer, out ReadOnlySpan<byte> payload, out int consumed)
    {
        payload = default;
        consumed = 0;
        if (buffer.Length < FrameHeaderLength)
        {
            return FrameStatus.Incomplete;
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        if (length is 0 or > MaxPayloadLength)
        {
            return FrameStatus.Damaged;
        }

        if (buffer.Length < FrameHeaderLength + (int)length)
        {
            return FrameStatus.Incomplete;
        }

        var crc = default(Crc32C);
        crc.Append(buffer[..4]);
        crc.Append(buffer.Slice(FrameHeaderLength, (int)length));
        if (crc.GetCurrentHash() != BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]))
        {
            return FrameStatus.Damaged;
        }

        payload = buffer.Slice(FrameHeaderLength, (int)length);
        consumed = FrameHeaderLength + (int)length;
        return FrameStatus.Ok;
    }

    public static bool TryParsePut(ReadOnlySpan<byte> payload, out long sequence, out IndexEntry? entry)
    {
        entry = null;
        if (!TryParseKeyed(payload, RecordKind.Put, out sequence, out ReadOnlySpan<byte> key, out int n)
            || payload.Length < n + 26)
        {
            return false;
        }

        long size = BinaryPrimitives.ReadInt64LittleEndian(payload[n..]);
        long ticks = BinaryPrimitives.ReadInt64LittleEndian(payload[(n + 8)..]);
        ulong locator = BinaryPrimitives.ReadUInt64LittleEndian(payload[(n + 16)..]);
        var algorithm = (ChecksumAlgorithm)payload[n + 24];
        var type = (ObjectChecksumType)payload[n + 25];
        n += 26;
        if (size < 0 || ticks < 0 || ticks > DateTime.MaxValue.Ticks
            || !Enum.IsDefined(algorithm) || !Enum.IsDefined(type) || key.IsEmpty
            || !TryReadText(payload, ref n, out string? eTag) || !TryReadText(payload, ref n, out string? storageClass))
        {
            return false;
        }

        byte flags = 0;
        string? versionId = null;
        if (n != payload.Length)
        {
            flags = payload[n++];
            if (flags > 3 || !TryReadText(payload, ref n, out versionId) || n != payload.Length)
            {
                return false;
            }
        }

        entry = new IndexEntry(key.ToArray(), size, eTag!, ticks, Intern(storageClass!), algorithm, type, locator)
        {
            VersionId = string.IsNullOrEmpty(versionId) ? null : versionId,
            IsDeleteMarker = (flags & 1) != 0,
            IsNullVersion = (flags & 2) != 0,
        };
        return true;
    }

    public static bool TryParseDelete(ReadOnlySpan<byte> payload, out long sequence, out ReadOnlySpan<byte> key) =>
        TryParseKeyed(payload, RecordKind.Delete, out sequence, out key, out int n) && n == payload.Length && !key.IsEmpty;

    public static bool TryParseMapChange(ReadOnlySpan<byte> payload, out RecordKind kind, out long sequence, out ReadOnlySpan<byte> boundary)
    {
        kind = payload.IsEmpty ? default : (RecordKind)payload[0];
        if (kind is not (RecordKind.Split or RecordKind.Merge))
        {
            sequence = 0;
            boundary = default;
            return false;
        }

        return TryParseKeyed(payload, kind, out sequence, out boundary, out int n) && n == payload.Length && !boundary.IsEmpty;
    }

    public static bool TryParseBoundary(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> key) =>
        TryParseKeyed(payload, RecordKind.Boundary, out _, out key, out int n) && n == payload.Length && !key.IsEmpty;

    public static bool TryParseValues(ReadOnlySpan<byte> payload, RecordKind kind, Span<long> values)
    {
        if (payload.Length != 1 + (values.Length * 8) || payload[0] != (byte)kind)
        {
            return false;
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(payload[(1 + (i * 8))..]);
        }

        return true;
    }

    private static int WriteKeyed(Span<byte> p, RecordKind kind, long sequence, ReadOnlySpan<byte> key)
    {
        p[0] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(p[1..], sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(p[9..], (ushort)key.Length);
        key.CopyTo(p[11..]);
        return 11 + key.Length;
    }

    private static bool TryParseKeyed(ReadOnlySpan<byte> payload, RecordKind kind, out long sequence, out ReadOnlySpan<byte> key, out int consumed)
    {
        sequence = 0;
        key = default;
        consumed = 0;
        if (payload.Length < 11 || payload[0] != (byte)kind)
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(payload[9..]);
        if (keyLength > IndexEntry.MaxStoredKeyLength || payload.Length < 11 + keyLength)
        {
            return false;
        }

        key = payload.Slice(11, keyLength);
        consumed = 11 + keyLength;
        return true;
    }

    private static int WriteText(Span<byte> destination, string text)
    {
        destination[0] = (byte)text.Length;
        return 1 + Encoding.ASCII.GetBytes(text, destination[1..]);
    }

    private static bool TryReadText(ReadOnlySpan<byte> payload, ref int offset, out string? text)
    {
        text = null;
        if (offset >= payload.Length || payload.Length - offset - 1 < payload[offset])
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = payload.Slice(offset + 1, payload[offset]);
        if (!Ascii.IsValid(bytes))
        {
            return false;
        }

        text = Encoding.ASCII.GetString(bytes);
        offset += 1 + bytes.Length;
        return true;
    }

    private static string Intern(string storageClass)
    {
        foreach (string known in KnownStorageClasses)
        {
            if (known == storageClass)
            {
                return known;
            }
        }

        return storageClass;
    }

    private static int Frame(Span<byte> destination, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)payloadLength);
        var crc = default(Crc32C);
        crc.Append(destination[..4]);
        crc.Append(destination.Slice(FrameHeaderLength, payloadLength));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], crc.GetCurrentHash());
        return FrameHeaderLength + payloadLength;
    }
}
