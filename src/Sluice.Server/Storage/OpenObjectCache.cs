using System.Text;

namespace Sluice.Server.Storage;

/// <summary>
/// Open small objects by key: the descriptor and the parsed header of recently read objects, so a GET or HEAD of a
/// hot key skips open, the header read and parse, and close (nginx's open_file_cache idea). Entries are shared
/// <see cref="ObjectReader"/>s, reference counted: a reader in use stays open after its entry goes.
/// <para>
/// Never stale: every change of a key's file (publish by rename, delete) runs between <see cref="BeginChange"/> and
/// <see cref="EndChange"/>, which both drop the key's entry; a reader opened by a miss is added only if no change of
/// that key began since the miss took its <see cref="Snapshot"/> (before opening the file) and none is in progress.
/// So once a write's rename has returned, no lookup can find a descriptor of an older version. Changes are counted
/// per slot of the key's hash, so unrelated keys that share a slot only lose a chance to be cached.
/// </para>
/// </summary>
internal sealed class OpenObjectCache
{
    /// <summary>Open descriptors held at most (one per cached key).</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>Larger objects are not cached: their transfer, not the open, dominates a GET.</summary>
    public const long MaxObjectBytes = 1 << 20;

    /// <summary>Change counters (power of two): enough that concurrent writes rarely share one.</summary>
    private const int SlotCount = 1024;

    private const char Separator = '/'; // bucket names hold no '/', so "bucket/key" names one object

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ObjectReader> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObjectReader>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly long[] _versions = new long[SlotCount];
    private readonly int[] _changing = new int[SlotCount];
    private readonly int _capacity;

    public OpenObjectCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Entries now held (tests).</summary>
    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    /// <summary>Lookups that found an entry, and that did not, since start (tests and diagnostics).</summary>
    public long Hits { get; private set; }

    /// <inheritdoc cref="Hits"/>
    public long Misses { get; private set; }

    /// <summary>
    /// The cached reader of (bucket, key) as the router holds them (ASCII bucket, UTF-8 key), with a reference the
    /// caller disposes; no allocation.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, out ObjectReader? reader)
    {
        reader = null;
        if (_capacity == 0 || bucket.Length + key.Length > 4096) return false;
        Span<char> name = stackalloc char[bucket.Length + 1 + key.Length];
        int n = Encoding.ASCII.GetChars(bucket, name);
        name[n++] = Separator;
        n += Encoding.UTF8.GetChars(key, name[n..]); // invalid UTF-8 maps as Encoding.UTF8.GetString does
        return TryGet(name[..n], out reader);
    }

    /// <summary>The cached reader of (bucket, key), with a reference the caller disposes.</summary>
    public bool TryGet(string bucket, string key, out ObjectReader? reader)
    {
        reader = null;
        if (_capacity == 0) return false;
        return TryGet(Name(bucket, key), out reader);
    }

    private bool TryGet(ReadOnlySpan<char> name, out ObjectReader? reader)
    {
        lock (_lock)
        {
            if (_bySpan.TryGetValue(name, out reader))
            {
                reader.AddReference(); // under the lock: the entry's own reference is still held
                Hits++;
                return true;
            }
            Misses++;
            return false;
        }
    }

    /// <summary>Taken before a miss opens the file: <see cref="TryAdd"/> refuses the reader if the key changed since.</summary>
    public long Snapshot(string bucket, string key)
    {
        int slot = Slot(Name(bucket, key));
        lock (_lock) return _changing[slot] > 0 ? -1 : _versions[slot];
    }

    /// <summary>
    /// Adds a reader opened after <paramref name="snapshot"/> (the cache takes a reference of its own) unless the key
    /// changed meanwhile or it is too large. Returns a reader evicted to make room, for the caller to dispose.
    /// </summary>
    public ObjectReader? TryAdd(string bucket, string key, long snapshot, ObjectReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (_capacity == 0 || snapshot < 0 || reader.Length > MaxObjectBytes) return null;
        string name = Name(bucket, key);
        int slot = Slot(name);
        ObjectReader? evicted = null;
        lock (_lock)
        {
            if (_changing[slot] > 0 || _versions[slot] != snapshot || _entries.ContainsKey(name)) return null;
            if (_entries.Count >= _capacity)
            {
                // Any entry: hot keys come straight back, and a full cache of cold keys gains nothing from order.
                foreach (var (oldName, old) in _entries)
                {
                    _entries.Remove(oldName);
                    evicted = old;
                    break;
                }
            }
            reader.AddReference();
            _entries.Add(name, reader);
        }
        return evicted;
    }

    /// <summary>A change of the key's file starts: drops its entry (returned for the caller to dispose).</summary>
    public ObjectReader? BeginChange(string bucket, string key)
    {
        string name = Name(bucket, key);
        int slot = Slot(name);
        lock (_lock)
        {
            _changing[slot]++;
            _versions[slot]++;
            return _entries.Remove(name, out var old) ? old : null;
        }
    }

    /// <summary>The change has happened (or failed): drops any entry added meanwhile.</summary>
    public ObjectReader? EndChange(string bucket, string key)
    {
        string name = Name(bucket, key);
        int slot = Slot(name);
        lock (_lock)
        {
            _versions[slot]++;
            _changing[slot]--;
            return _entries.Remove(name, out var old) ? old : null;
        }
    }

    /// <summary>Removes and returns every entry (a bucket going away, the store closing).</summary>
    public List<ObjectReader> Clear()
    {
        lock (_lock)
        {
            var all = new List<ObjectReader>(_entries.Values);
            _entries.Clear();
            for (int i = 0; i < SlotCount; i++) _versions[i]++;
            return all;
        }
    }

    private static string Name(string bucket, string key) => string.Concat(bucket, "/", key);

    private static int Slot(string name) => name.GetHashCode(StringComparison.Ordinal) & (SlotCount - 1);
}
