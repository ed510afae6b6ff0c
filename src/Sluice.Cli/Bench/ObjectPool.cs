namespace Sluice.Cli.Bench;

/// <summary>
/// The objects a job's reads and deletes pick from (warp's mixed pool): prepared before the run, grown by uploads in
/// a mix, shrunk by deletes. Reads pick at random and hold the object until they finish, and a delete takes only an
/// object nobody is reading, so a GET never races a DELETE of its own object into a NoSuchKey that the server did
/// not deserve. One lock: held for a few instructions per request, next to a network round trip.
/// </summary>
internal sealed class ObjectPool
{
    private readonly Lock _lock = new();
    private PooledObject[] _present = new PooledObject[64];
    private int _count;

    /// <summary>Objects currently in the pool.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _count;
        }
    }

    /// <summary>Adds an object (prepared, or just uploaded).</summary>
    public void Add(PooledObject item)
    {
        lock (_lock)
        {
            if (_count == _present.Length) Array.Resize(ref _present, _count * 2);
            item.Slot = _count;
            _present[_count++] = item;
        }
    }

    /// <summary>A random object to read, held until <see cref="Release"/>; null when the pool is empty.</summary>
    public PooledObject? TakeForRead(Random random)
    {
        lock (_lock)
        {
            if (_count == 0) return null;
            var item = _present[random.Next(_count)];
            item.Readers++;
            return item;
        }
    }

    /// <summary>Ends a read of <paramref name="item"/>.</summary>
    public void Release(PooledObject item)
    {
        lock (_lock) item.Readers--;
    }

    /// <summary>
    /// A random object nobody is reading, out of the pool for good (to delete); null when the pool is empty or every
    /// object tried was being read.
    /// </summary>
    public PooledObject? TakeForDelete(Random random)
    {
        lock (_lock)
        {
            // A few tries: under heavy reading most objects may be held; the caller then counts the pool as dry.
            for (int attempt = 0; attempt < 8 && _count > 0; attempt++)
            {
                var item = _present[random.Next(_count)];
                if (item.Readers > 0) continue;
                var last = _present[--_count];
                _present[item.Slot] = last;
                last.Slot = item.Slot;
                _present[_count] = null!;
                item.Slot = -1;
                return item;
            }
            return null;
        }
    }
}
