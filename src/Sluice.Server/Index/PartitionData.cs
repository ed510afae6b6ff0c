using System.Diagnostics.CodeAnalysis;

namespace Sluice.Server.Index;

/// <summary>
/// The immutable sorted run of one partition, held as a short array of small sorted chunks. A write copies one
/// chunk (at most <see cref="ChunkCapacity"/> references) and the chunk array instead of the whole run, so
/// copy-on-write stays cheap while readers walk a snapshot with no lock.
/// </summary>
internal sealed class PartitionData
{
    /// <summary>Entries per chunk before it splits: 64 references = 512 bytes copied per write.</summary>
    internal const int ChunkCapacity = 64;

    // Bulk loads fill chunks three quarters full so the first inserts do not split every chunk.
    private const int BulkChunkFill = ChunkCapacity * 3 / 4;

    public static readonly PartitionData Empty = new([], 0);

    // Every chunk is non-empty and sorted; chunk i's keys all sort before chunk i+1's.
    private readonly IndexEntry[][] _chunks;

    private PartitionData(IndexEntry[][] chunks, int count)
    {
        _chunks = chunks;
        Count = count;
    }

    public int Count { get; }

    public int ChunkCount => _chunks.Length;

    public IndexEntry[] GetChunk(int index) => _chunks[index];

    /// <summary>Builds a run from entries already sorted by key and free of duplicates.</summary>
    public static PartitionData FromSorted(ReadOnlySpan<IndexEntry> sorted)
    {
        if (sorted.IsEmpty)
        {
            return Empty;
        }

        var chunks = new IndexEntry[(sorted.Length + BulkChunkFill - 1) / BulkChunkFill][];
        for (int i = 0; i < chunks.Length; i++)
        {
            int start = i * BulkChunkFill;
            chunks[i] = sorted.Slice(start, Math.Min(BulkChunkFill, sorted.Length - start)).ToArray();
        }

        return new PartitionData(chunks, sorted.Length);
    }

    public bool TryGet(ReadOnlySpan<byte> key, [NotNullWhen(true)] out IndexEntry? entry)
    {
        Seek(key, inclusive: true, out int chunk, out int index);
        if (chunk < _chunks.Length && _chunks[chunk][index].Key.SequenceEqual(key))
        {
            entry = _chunks[chunk][index];
            return true;
        }

        entry = null;
        return false;
    }

    /// <summary>
    /// Position of the first entry whose key is &gt;= <paramref name="bound"/> (inclusive) or &gt; it; chunk ==
    /// <see cref="ChunkCount"/> when there is none.
    /// </summary>
    public void Seek(ReadOnlySpan<byte> bound, bool inclusive, out int chunk, out int index)
    {
        // First chunk whose last key passes the bound holds the answer.
        int lo = 0, hi = _chunks.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            IndexEntry[] c = _chunks[mid];
            if (Passes(c[^1].Key, bound, inclusive))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        chunk = lo;
        index = lo < _chunks.Length ? LowerBound(_chunks[lo], bound, inclusive) : 0;
    }

    /// <summary>This run with <paramref name="entry"/> inserted or replacing the entry with its key.</summary>
    public PartitionData With(IndexEntry entry, out IndexEntry? replaced)
    {
        ReadOnlySpan<byte> key = entry.Key;
        replaced = null;
        if (_chunks.Length == 0)
        {
            return new PartitionData([[entry]], 1);
        }

        Seek(key, inclusive: true, out int ci, out int index);
        if (ci == _chunks.Length)
        {
            // After every key: append to the last chunk.
            ci = _chunks.Length - 1;
            index = _chunks[ci].Length;
        }

        IndexEntry[] chunk = _chunks[ci];
        if (index < chunk.Length && chunk[index].Key.SequenceEqual(key))
        {
            replaced = chunk[index];
            IndexEntry[] copy = (IndexEntry[])chunk.Clone();
            copy[index] = entry;
            IndexEntry[][] chunks = (IndexEntry[][])_chunks.Clone();
            chunks[ci] = copy;
            return new PartitionData(chunks, Count);
        }

        var grown = new IndexEntry[chunk.Length + 1];
        chunk.AsSpan(0, index).CopyTo(grown);
        grown[index] = entry;
        chunk.AsSpan(index).CopyTo(grown.AsSpan(index + 1));
        if (grown.Length <= ChunkCapacity)
        {
            IndexEntry[][] chunks = (IndexEntry[][])_chunks.Clone();
            chunks[ci] = grown;
            return new PartitionData(chunks, Count + 1);
        }

        // Split the full chunk in two halves.
        int half = grown.Length / 2;
        var split = new IndexEntry[_chunks.Length + 1][];
        _chunks.AsSpan(0, ci).CopyTo(split);
        split[ci] = grown[..half];
        split[ci + 1] = grown[half..];
        _chunks.AsSpan(ci + 1).CopyTo(split.AsSpan(ci + 2));
        return new PartitionData(split, Count + 1);
    }

    /// <summary>This run without <paramref name="key"/>; the same instance when the key is absent.</summary>
    public PartitionData Without(ReadOnlySpan<byte> key, out IndexEntry? removed)
    {
        Seek(key, inclusive: true, out int ci, out int index);
        if (ci == _chunks.Length || !_chunks[ci][index].Key.SequenceEqual(key))
        {
            removed = null;
            return this;
        }

        IndexEntry[] chunk = _chunks[ci];
        removed = chunk[index];
        if (chunk.Length == 1)
        {
            var fewer = new IndexEntry[_chunks.Length - 1][];
            _chunks.AsSpan(0, ci).CopyTo(fewer);
            _chunks.AsSpan(ci + 1).CopyTo(fewer.AsSpan(ci));
            return new PartitionData(fewer, Count - 1);
        }

        var shrunk = new IndexEntry[chunk.Length - 1];
        chunk.AsSpan(0, index).CopyTo(shrunk);
        chunk.AsSpan(index + 1).CopyTo(shrunk.AsSpan(index));
        IndexEntry[][] chunks = (IndexEntry[][])_chunks.Clone();
        chunks[ci] = shrunk;
        return new PartitionData(chunks, Count - 1);
    }

    /// <summary>
    /// Splits into two runs at the middle entry (cutting the chunk that holds it, if needed); the right run's first
    /// key becomes the boundary. Needs at least two entries.
    /// </summary>
    public (PartitionData Left, PartitionData Right, byte[] SplitKey) Split()
    {
        if (Count < 2)
        {
            throw new InvalidOperationException("A partition needs two keys to split.");
        }

        int leftCount = Count / 2, ci = 0, before = 0;
        while (before + _chunks[ci].Length <= leftCount)
        {
            before += _chunks[ci].Length;
            ci++;
        }

        // Entry leftCount is chunk ci's entry at cut (cut == 0 means the split falls on a chunk boundary).
        int cut = leftCount - before;
        IndexEntry[][] left, right;
        if (cut == 0)
        {
            left = _chunks[..ci];
            right = _chunks[ci..];
        }
        else
        {
            left = new IndexEntry[ci + 1][];
            _chunks.AsSpan(0, ci).CopyTo(left);
            left[ci] = _chunks[ci][..cut];
            right = new IndexEntry[_chunks.Length - ci][];
            right[0] = _chunks[ci][cut..];
            _chunks.AsSpan(ci + 1).CopyTo(right.AsSpan(1));
        }

        return (new PartitionData(left, leftCount), new PartitionData(right, Count - leftCount), right[0][0].KeyArray);
    }

    /// <summary>
    /// Splits into the entries below <paramref name="key"/> and those at or above it (either may be empty: a heat
    /// split isolates a range by its load, not by its keys); the boundary is <paramref name="key"/>.
    /// </summary>
    public (PartitionData Left, PartitionData Right, byte[] SplitKey) SplitAt(byte[] key)
    {
        IndexEntry[] all = [.. Enumerate()];
        int lo = 0, hi = all.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (all[mid].Key.SequenceCompareTo(key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return (FromSorted(all.AsSpan(0, lo)), FromSorted(all.AsSpan(lo)), key);
    }

    /// <summary>Every entry in order (for snapshots and tests).</summary>
    public IEnumerable<IndexEntry> Enumerate()
    {
        foreach (IndexEntry[] chunk in _chunks)
        {
            foreach (IndexEntry entry in chunk)
            {
                yield return entry;
            }
        }
    }

    private static bool Passes(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bound, bool inclusive)
    {
        int c = key.SequenceCompareTo(bound);
        return inclusive ? c >= 0 : c > 0;
    }

    private static int LowerBound(IndexEntry[] chunk, ReadOnlySpan<byte> bound, bool inclusive)
    {
        int lo = 0, hi = chunk.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Passes(chunk[mid].Key, bound, inclusive))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
