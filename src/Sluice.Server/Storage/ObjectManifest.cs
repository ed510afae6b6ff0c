using System.Buffers.Binary;
using Sluice.IO.Files;
using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>
/// The part list a multipart object's manifest (header version 2) holds in its body region:
/// <code>
/// [0, 4)    part count N (u32 LE)
/// [4, 8)    reserved, 0
/// then N entries of 24 bytes:
///   [0, 4)   part number (u32 LE): the part file is "part-NNNNN" in the object's parts directory
///   [4, 8)   reserved, 0
///   [8, 16)  where the part's body starts in its file (u64 LE)
///   [16, 24) the part's body length (u64 LE)
/// [end, end+4) CRC-32C of everything before it (u32 LE)
/// </code>
/// The object's bytes are the parts' bodies in list order. Offsets are stored so a GET opens the part files and
/// reads or splices them directly, without reading their headers.
/// </summary>
internal static class ObjectManifest
{
    private const int CountSize = 8;
    private const int EntrySize = 24;

    public static byte[] Encode(IReadOnlyList<ManifestPart> parts)
    {
        var bytes = new byte[CountSize + EntrySize * parts.Count + sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)parts.Count);
        for (int i = 0; i < parts.Count; i++)
        {
            var entry = bytes.AsSpan(CountSize + EntrySize * i, EntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)parts[i].Number);
            BinaryPrimitives.WriteInt64LittleEndian(entry[8..], parts[i].Offset);
            BinaryPrimitives.WriteInt64LittleEndian(entry[16..], parts[i].Length);
        }
        int end = bytes.Length - sizeof(uint);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(end), Crc32C.HashToUInt32(bytes.AsSpan(0, end)));
        return bytes;
    }

    /// <summary>Reads and checks the list of an open manifest; outside damage is an EIO <see cref="IO.IoException"/>.</summary>
    public static async ValueTask<ManifestPart[]> ReadAsync(IoFile file, StoredHeader header, CancellationToken cancellationToken)
    {
        var count = new byte[CountSize];
        if (await ReadFullyAsync(file, count, header.BodyOffset, cancellationToken).ConfigureAwait(false) < CountSize)
            throw ObjectHeader.Corrupt(file.Path, "manifest cut short");
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(count);
        if (n is 0 or > ObjectStore.MaxPartNumber) throw ObjectHeader.Corrupt(file.Path, "manifest part count out of range");
        var bytes = new byte[CountSize + EntrySize * (int)n + sizeof(uint)];
        if (await ReadFullyAsync(file, bytes, header.BodyOffset, cancellationToken).ConfigureAwait(false) < bytes.Length)
            throw ObjectHeader.Corrupt(file.Path, "manifest cut short");
        int end = bytes.Length - sizeof(uint);
        if (Crc32C.HashToUInt32(bytes.AsSpan(0, end)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(end)))
            throw ObjectHeader.Corrupt(file.Path, "manifest checksum mismatch");
        var parts = new ManifestPart[n];
        long total = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            var entry = bytes.AsSpan(CountSize + EntrySize * i, EntrySize);
            int number = (int)BinaryPrimitives.ReadUInt32LittleEndian(entry);
            long offset = BinaryPrimitives.ReadInt64LittleEndian(entry[8..]);
            long length = BinaryPrimitives.ReadInt64LittleEndian(entry[16..]);
            if (number is < 1 or > ObjectStore.MaxPartNumber || offset < ObjectHeader.FixedSize || length < 0)
                throw ObjectHeader.Corrupt(file.Path, "manifest entry out of range");
            parts[i] = new ManifestPart(number, offset, length);
            total += length;
        }
        if (total != header.BodyLength) throw ObjectHeader.Corrupt(file.Path, "manifest parts disagree with the size");
        return parts;
    }

    private static async ValueTask<int> ReadFullyAsync(IoFile file, Memory<byte> buffer, long offset,
        CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int got = await file.ReadAsync(buffer[total..], offset + total, cancellationToken).ConfigureAwait(false);
            if (got == 0) break;
            total += got;
        }
        return total;
    }
}

/// <summary>One part of a manifest: its number (file name), and where its body lies in that file.</summary>
internal readonly record struct ManifestPart(int Number, long Offset, long Length);
