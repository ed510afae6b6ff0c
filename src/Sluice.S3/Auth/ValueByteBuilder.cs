using System.Buffers;

namespace Sluice.S3.Auth;

/// <summary>
/// Growable byte buffer that starts on caller memory (usually stack) and rents from the shared pool only
/// when it outgrows it, so building canonical requests does not allocate.
/// </summary>
internal ref struct ValueByteBuilder
{
    private const int MinimumGrowth = 256;

    private Span<byte> _span;
    private byte[]? _rented;
    private int _length;

    public ValueByteBuilder(Span<byte> initial)
    {
        _span = initial;
        _rented = null;
        _length = 0;
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _span[.._length];

    public void Append(byte value)
    {
        if (_length == _span.Length)
        {
            Grow(1);
        }

        _span[_length++] = value;
    }

    public void Append(scoped ReadOnlySpan<byte> value)
    {
        if (value.Length > _span.Length - _length)
        {
            Grow(value.Length);
        }

        value.CopyTo(_span[_length..]);
        _length += value.Length;
    }

    /// <summary>Reserves <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> AppendSpan(int count)
    {
        if (count > _span.Length - _length)
        {
            Grow(count);
        }

        Span<byte> slot = _span.Slice(_length, count);
        _length += count;
        return slot;
    }

    public void Truncate(int length) => _length = length;

    public void Dispose()
    {
        byte[]? rented = _rented;
        _rented = null;
        _span = default;
        _length = 0;
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Grow(int extra)
    {
        int needed = checked(_length + extra);
        int size = Math.Max(needed, Math.Max(MinimumGrowth, _span.Length * 2));
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _span[.._length].CopyTo(next);
        byte[]? previous = _rented;
        _span = next;
        _rented = next;
        if (previous is not null)
        {
            ArrayPool<byte>.Shared.Return(previous);
        }
    }
}
