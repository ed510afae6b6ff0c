using System.Buffers;
using System.Diagnostics;

namespace Sluice.Cli.Bench;

/// <summary>
/// A GET's destination that notes when the first body byte arrived (time to first byte): the client receives into
/// the memory it hands out, and reports each receive through <see cref="Advance"/>. One per worker, reused: no
/// allocation per request. One byte more than the largest object expected, so a complete body always leaves room
/// for the client's last look for more, and a body that is too large shows as <see cref="Overflowed"/>.
/// </summary>
internal sealed class TtfbWriter(int largest) : IBufferWriter<byte>
{
    private readonly byte[] _buffer = new byte[largest + 1];
    private int _written;

    /// <summary>True when more than the largest expected object arrived.</summary>
    public bool Overflowed => _written > largest;

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first byte since <see cref="Reset"/>; 0 before it.</summary>
    public long FirstByte { get; private set; }

    /// <summary>Bytes received since <see cref="Reset"/>.</summary>
    public int Written => _written;

    /// <summary>Gets ready for the next request.</summary>
    public void Reset()
    {
        _written = 0;
        FirstByte = 0;
    }

    public void Advance(int count)
    {
        if (count > 0 && FirstByte == 0) FirstByte = Stopwatch.GetTimestamp();
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(_written);

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
