using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Server.Index;

/// <summary>
/// The files of one bucket's index directory. <c>snapshot</c> (generation G) holds every key as of the start of
/// journal G; <c>journal.G</c>, <c>journal.G+1</c>… hold the writes since, each starting with a header naming its
/// generation and first sequence number. Load = snapshot + replay of journals ≥ G in order; journals &lt; G are
/// leftovers of a compaction interrupted after its rename and are deleted.
/// </summary>
internal static class IndexFiles
{
    public const string SnapshotName = "snapshot";
    public const string TempSuffix = ".tmp";
    private const string JournalPrefix = "journal.";

    // "SLCIDXJ1" / "SLCIDXS1" read as little-endian u64: identifies the file kind in its header record.
    private const long JournalMagic = 0x314A584449434C53;
    private const long SnapshotMagic = 0x3153584449434C53;

    public static string JournalPath(string directory, long generation) =>
        Path.Combine(directory, JournalPrefix + generation.ToString("x16", CultureInfo.InvariantCulture));

    public static List<long> ListJournalGenerations(string directory)
    {
        var generations = new List<long>();
        foreach (string path in Directory.EnumerateFiles(directory, JournalPrefix + "*"))
        {
            string suffix = Path.GetFileName(path)[JournalPrefix.Length..];
            if (suffix.Length == 16 && long.TryParse(suffix, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long generation))
            {
                generations.Add(generation);
            }
        }

        generations.Sort();
        return generations;
    }

    /// <summary>Creates (or replaces) journal <paramref name="generation"/> with its header, durable before return.</summary>
    public static JournalWriter CreateJournal(string directory, long generation, long firstSequence, IndexFaults? faults = null)
    {
        faults?.BeforeCreate();
        string path = JournalPath(directory, generation);
        SafeFileHandle file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            Span<byte> header = stackalloc byte[IndexRecordCodec.FrameHeaderLength + 1 + (3 * 8)];
            int length = IndexRecordCodec.WriteValues(header, RecordKind.JournalHeader, [JournalMagic, generation, firstSequence]);
            RandomAccess.Write(file, header[..length], 0);
            RandomAccess.FlushToDisk(file);
            DirectorySync.Flush(directory);
            return new JournalWriter(path, file, length, firstSequence - 1, faults);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replays one journal. Returns the next expected sequence. A bad frame at the tail of the last journal is a
    /// torn append: <paramref name="validLength"/> says where the good records end. Anything else is corruption.
    /// <paramref name="headerValid"/> is false when the last journal's own header is torn (crash while creating it;
    /// it then holds no records).
    /// </summary>
    public static long ReplayJournal(string path, long generation, long expectedSequence, bool isLast, Action<IndexEntry> put, Action<byte[]> delete, out long validLength, out bool headerValid,
        Action<RecordKind, byte[]>? mapChange = null)
    {
        using var reader = new RecordFileReader(path);
        validLength = 0;
        headerValid = false;
        Span<long> values = stackalloc long[3];
        FrameStatus status = reader.Next(out ReadOnlySpan<byte> payload);
        if (status != FrameStatus.Ok)
        {
            if (isLast && (status == FrameStatus.Incomplete || reader.BadFrameIsTornTail()))
            {
                return expectedSequence;
            }

            throw new IndexCorruptException(path, 0, "the journal header is damaged");
        }

        if (!IndexRecordCodec.TryParseValues(payload, RecordKind.JournalHeader, values) || values[0] != JournalMagic)
        {
            throw new IndexCorruptException(path, 0, "not a key index journal");
        }

        if (values[1] != generation || values[2] != expectedSequence)
        {
            throw new IndexCorruptException(path, 0, $"journal generation {values[1]} starts at sequence {values[2]}, expected generation {generation} at {expectedSequence}");
        }

        headerValid = true;
        while (!reader.AtEnd)
        {
            long offset = reader.Offset;
            status = reader.Next(out payload);
            if (status != FrameStatus.Ok)
            {
                if (isLast && (status == FrameStatus.Incomplete || reader.BadFrameIsTornTail()))
                {
                    validLength = offset;
                    return expectedSequence;
                }

                throw new IndexCorruptException(path, offset, status == FrameStatus.Incomplete ? "a journal that was closed ends mid-record" : "record length or CRC-32C mismatch with records after it");
            }

            long sequence;
            if (IndexRecordCodec.TryParsePut(payload, out sequence, out IndexEntry? entry))
            {
                CheckSequence(path, offset, sequence, expectedSequence);
                put(entry!);
            }
            else if (IndexRecordCodec.TryParseDelete(payload, out sequence, out ReadOnlySpan<byte> key))
            {
                CheckSequence(path, offset, sequence, expectedSequence);
                delete(key.ToArray());
            }
            else if (mapChange != null && IndexRecordCodec.TryParseMapChange(payload, out RecordKind kind, out sequence, out ReadOnlySpan<byte> boundary))
            {
                CheckSequence(path, offset, sequence, expectedSequence);
                mapChange(kind, boundary.ToArray());
            }
            else
            {
                throw new IndexCorruptException(path, offset, "a record with a valid CRC-32C does not parse");
            }

            expectedSequence++;
        }

        validLength = reader.Offset;
        return expectedSequence;
    }

    /// <summary>Writes a snapshot: temp file, fsync, rename over <c>snapshot</c>, fsync the directory.</summary>
    public static void WriteSnapshot(string directory, long generation, long nextSequence, IReadOnlyList<byte[]> boundaries, IEnumerable<IndexEntry> entries, long count, IndexFaults? faults = null)
    {
        faults?.BeforeCreate();
        string path = Path.Combine(directory, SnapshotName);
        string temp = path + TempSuffix;
        byte[] record = new byte[IndexRecordCodec.MaxRecordLength];
        try
        {
            WriteSnapshotFile(temp, record, generation, nextSequence, boundaries, entries, count);
        }
        catch
        {
            // A partial temp file would hold on to the space a full file system needs back.
            File.Delete(temp);
            throw;
        }

        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(directory);
    }

    private static void WriteSnapshotFile(string temp, byte[] record, long generation, long nextSequence, IReadOnlyList<byte[]> boundaries, IEnumerable<IndexEntry> entries, long count)
    {
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            stream.Write(record, 0, IndexRecordCodec.WriteValues(record, RecordKind.SnapshotHeader, [SnapshotMagic, generation, nextSequence, boundaries.Count, count]));
            foreach (byte[] boundary in boundaries)
            {
                stream.Write(record, 0, IndexRecordCodec.WriteBoundary(record, boundary));
            }

            long written = 0;
            foreach (IndexEntry entry in entries)
            {
                stream.Write(record, 0, IndexRecordCodec.WritePut(record, 0, entry));
                written++;
            }

            if (written != count)
            {
                throw new InvalidOperationException($"Snapshot expected {count} entries, got {written}.");
            }

            stream.Write(record, 0, IndexRecordCodec.WriteValues(record, RecordKind.SnapshotEnd, [count]));
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Reads and fully checks a snapshot; any damage throws <see cref="IndexCorruptException"/>.</summary>
    public static SnapshotContents ReadSnapshot(string path)
    {
        using var reader = new RecordFileReader(path);
        Span<long> header = stackalloc long[5];
        if (reader.Next(out ReadOnlySpan<byte> payload) != FrameStatus.Ok
            || !IndexRecordCodec.TryParseValues(payload, RecordKind.SnapshotHeader, header) || header[0] != SnapshotMagic
            || header[1] < 0 || header[2] < 1 || header[3] < 0 || header[4] < 0)
        {
            throw new IndexCorruptException(path, 0, "the snapshot header is damaged");
        }

        var boundaries = new List<byte[]>((int)Math.Min(header[3], 1 << 16));
        for (long i = 0; i < header[3]; i++)
        {
            long offset = reader.Offset;
            if (reader.Next(out payload) != FrameStatus.Ok || !IndexRecordCodec.TryParseBoundary(payload, out ReadOnlySpan<byte> key)
                || (boundaries.Count > 0 && key.SequenceCompareTo(boundaries[^1]) <= 0))
            {
                throw new IndexCorruptException(path, offset, "a partition boundary is damaged or out of order");
            }

            boundaries.Add(key.ToArray());
        }

        var entries = new List<IndexEntry>((int)Math.Min(header[4], 1 << 20));
        for (long i = 0; i < header[4]; i++)
        {
            long offset = reader.Offset;
            if (reader.Next(out payload) != FrameStatus.Ok || !IndexRecordCodec.TryParsePut(payload, out _, out IndexEntry? entry)
                || (entries.Count > 0 && entry!.Key.SequenceCompareTo(entries[^1].Key) <= 0))
            {
                throw new IndexCorruptException(path, offset, "an entry is damaged or out of order");
            }

            entries.Add(entry!);
        }

        Span<long> end = stackalloc long[1];
        long endOffset = reader.Offset;
        if (reader.Next(out payload) != FrameStatus.Ok || !IndexRecordCodec.TryParseValues(payload, RecordKind.SnapshotEnd, end)
            || end[0] != header[4] || !reader.AtEnd)
        {
            throw new IndexCorruptException(path, endOffset, "the snapshot does not end where its header says");
        }

        return new SnapshotContents(header[1], header[2], boundaries, entries);
    }

    private static void CheckSequence(string path, long offset, long sequence, long expected)
    {
        if (sequence != expected)
        {
            throw new IndexCorruptException(path, offset, $"record sequence {sequence}, expected {expected}");
        }
    }
}
