namespace Sluice.S3.Http;

/// <summary>
/// The fields of one head as offsets into its buffer, in arrival order, plus an index of the first occurrence of each
/// <see cref="KnownHeader"/>. Allocated once per connection and reused: <see cref="Clear"/> costs nothing per field.
/// </summary>
public sealed class HttpHeaderTable
{
    private static readonly int KnownCount = Enum.GetValues<KnownHeader>().Length;

    private readonly HttpField[] _fields;
    private readonly short[] _first;   // index + 1 of the first field per KnownHeader; 0 = absent
    private readonly byte[] _repeats;  // occurrences per KnownHeader, saturating at 255

    /// <summary>Creates a table able to hold <paramref name="capacity"/> fields (use the head's MaxHeaderCount).</summary>
    public HttpHeaderTable(int capacity = HttpLimits.DefaultMaxHeaderCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, short.MaxValue);
        _fields = new HttpField[capacity];
        _first = new short[KnownCount];
        _repeats = new byte[KnownCount];
    }

    /// <summary>Number of fields recorded.</summary>
    public int Count { get; private set; }

    /// <summary>Maximum number of fields.</summary>
    public int Capacity => _fields.Length;

    /// <summary>The field at <paramref name="index"/> in arrival order.</summary>
    public HttpField this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _fields[index];
        }
    }

    /// <summary>The recorded fields in arrival order.</summary>
    public ReadOnlySpan<HttpField> Fields => _fields.AsSpan(0, Count);

    /// <summary>First occurrence of a known header.</summary>
    public bool TryGet(KnownHeader header, out HttpField field)
    {
        int i = (uint)header < (uint)_first.Length ? _first[(int)header] - 1 : -1;
        field = i >= 0 ? _fields[i] : default;
        return i >= 0;
    }

    /// <summary>The value of the first occurrence of <paramref name="header"/>, or empty.</summary>
    public ReadOnlySpan<byte> GetValue(KnownHeader header, ReadOnlySpan<byte> buffer) =>
        TryGet(header, out HttpField f) ? f.Value.Of(buffer) : default;

    /// <summary>How many times a known header occurred (saturates at 255).</summary>
    public int CountOf(KnownHeader header) => (uint)header < (uint)_repeats.Length ? _repeats[(int)header] : 0;

    /// <summary>Forgets all fields.</summary>
    public void Clear()
    {
        Array.Clear(_first);
        Array.Clear(_repeats);
        Count = 0;
    }

    /// <summary>Records a field; false when the table is full.</summary>
    public bool Add(in HttpField field)
    {
        if (Count == _fields.Length)
        {
            return false;
        }

        _fields[Count] = field;
        int id = (int)field.Header;
        if (field.Header != KnownHeader.Unknown && (uint)id < (uint)_first.Length)
        {
            if (_first[id] == 0)
            {
                _first[id] = (short)(Count + 1);
            }

            if (_repeats[id] != byte.MaxValue)
            {
                _repeats[id]++;
            }
        }

        Count++;
        return true;
    }
}
