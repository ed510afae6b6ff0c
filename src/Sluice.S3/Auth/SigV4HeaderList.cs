using System.Text;

namespace Sluice.S3.Auth;

/// <summary>
/// A reusable, growable list of header lines stored as bytes in one buffer. The client builds its request headers
/// here, the signer appends <c>x-amz-date</c> / <c>x-amz-content-sha256</c> / token / <c>Authorization</c>, and the
/// client writes the lines out. <see cref="Clear"/> keeps the buffers, so steady-state signing does not allocate.
/// </summary>
public sealed class SigV4HeaderList : ISigV4Headers
{
    private const int InitialBytes = 512;
    private const int InitialEntries = 16;

    private byte[] _buffer = new byte[InitialBytes];
    private Entry[] _entries = new Entry[InitialEntries];
    private int _used;
    private int _count;

    /// <inheritdoc/>
    public int Count => _count;

    /// <inheritdoc/>
    public ReadOnlySpan<byte> GetName(int index)
    {
        Entry e = EntryAt(index);
        return _buffer.AsSpan(e.NameStart, e.NameLength);
    }

    /// <inheritdoc/>
    public ReadOnlySpan<byte> GetValue(int index)
    {
        Entry e = EntryAt(index);
        return _buffer.AsSpan(e.ValueStart, e.ValueLength);
    }

    /// <summary>Name of the header at <paramref name="index"/> as a string.</summary>
    public string GetNameString(int index) => Encoding.UTF8.GetString(GetName(index));

    /// <summary>Value of the header at <paramref name="index"/> as a string.</summary>
    public string GetValueString(int index) => Encoding.UTF8.GetString(GetValue(index));

    /// <summary>Appends a header line (names are ASCII; values are written as UTF-8).</summary>
    public void Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        int nameLength = Encoding.UTF8.GetByteCount(name);
        int valueLength = Encoding.UTF8.GetByteCount(value);
        EnsureCapacity(nameLength + valueLength);
        int nameStart = _used;
        _used += Encoding.UTF8.GetBytes(name, _buffer.AsSpan(_used));
        int valueStart = _used;
        _used += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_used));
        Push(new Entry(nameStart, nameLength, valueStart, valueLength));
    }

    /// <summary>Appends a header line from bytes.</summary>
    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        EnsureCapacity(name.Length + value.Length);
        int nameStart = _used;
        name.CopyTo(_buffer.AsSpan(_used));
        _used += name.Length;
        int valueStart = _used;
        value.CopyTo(_buffer.AsSpan(_used));
        _used += value.Length;
        Push(new Entry(nameStart, name.Length, valueStart, value.Length));
    }

    /// <summary>Index of the first header named <paramref name="name"/> (ASCII case-insensitive), or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> name) => HeaderLookup.IndexOf(this, name);

    /// <summary>Value of the first header named <paramref name="name"/>, or null.</summary>
    public string? GetValueOrDefault(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = HeaderLookup.IndexOf(this, Encoding.ASCII.GetBytes(name));
        return index < 0 ? null : GetValueString(index);
    }

    /// <summary>Forgets all lines but keeps the buffers for reuse.</summary>
    public void Clear()
    {
        _used = 0;
        _count = 0;
    }

    private Entry EntryAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
        return _entries[index];
    }

    private void EnsureCapacity(int extra)
    {
        if (_buffer.Length - _used < extra)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _used + extra));
        }
    }

    private void Push(Entry entry)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        _entries[_count++] = entry;
    }

    private readonly record struct Entry(int NameStart, int NameLength, int ValueStart, int ValueLength);
}
