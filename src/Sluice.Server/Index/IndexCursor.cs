namespace Sluice.Server.Index;

/// <summary>
/// A cursor over one bucket's entries across its partitions, bound to the partition map it was created with.
/// Each partition's run is read once when the cursor enters it, so within a partition the page sees one
/// snapshot; ranges are disjoint and walked in order, so nothing repeats or goes missing across partitions.
/// </summary>
internal struct IndexCursor : IKeyCursor<IndexEntry>
{
    private readonly KeyPartition[] _map;
    private int _partition;
    private PartitionData? _data;
    private int _chunk;
    private int _index;
    private IndexEntry? _current;

    public IndexCursor(KeyPartition[] map)
    {
        _map = map;
        _partition = -1;
    }

    public readonly ReadOnlyMemory<byte> CurrentKey => _current!.KeyMemory;

    public readonly IndexEntry Current => _current!;

    public bool Seek(ReadOnlySpan<byte> bound, bool inclusive)
    {
        int p = BucketIndex.FindPartition(_map, bound);
        if (p != _partition || _data is null)
        {
            Enter(p);
        }

        _data!.Seek(bound, inclusive, out _chunk, out _index);
        return Settle();
    }

    public bool MoveNext()
    {
        if (_current is null)
        {
            return false;
        }

        if (++_index == _data!.GetChunk(_chunk).Length)
        {
            _chunk++;
            _index = 0;
        }

        return Settle();
    }

    private void Enter(int partition)
    {
        _partition = partition;
        KeyPartition p = _map[partition];
        p.CountRead(default); // a list page: heat, but no key to sample
        _data = p.Data;
    }

    private bool Settle()
    {
        while (_chunk >= _data!.ChunkCount)
        {
            if (_partition + 1 >= _map.Length)
            {
                _current = null;
                return false;
            }

            Enter(_partition + 1);
            _chunk = 0;
            _index = 0;
        }

        _current = _data.GetChunk(_chunk)[_index];
        return true;
    }
}
