using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Server.Index;

/// <summary>Reads record frames from a journal or snapshot file through a reused buffer.</summary>
internal sealed class RecordFileReader : IDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly byte[] _buffer = new byte[BufferSize];
    private long _bufferOffset;
    private int _start;
    private int _end;

    public RecordFileReader(string path)
    {
        Path = path;
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Length = RandomAccess.GetLength(_file);
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>File offset of the next unread frame.</summary>
    public long Offset => _bufferOffset + _start;

    public bool AtEnd => Offset >= Length;

    /// <summary>The next frame; its payload is valid until the next call.</summary>
    public FrameStatus Next(out ReadOnlySpan<byte> payload)
    {
        Fill();
        FrameStatus status = IndexRecordCodec.TryReadFrame(_buffer.AsSpan(_start, _end - _start), out payload, out int consumed);
        if (status == FrameStatus.Ok)
        {
            _start += consumed;
        }

        return status;
    }

    /// <summary>
    /// Whether the bad frame at <see cref="Offset"/> is a torn append rather than damage: a crash mid-append
    /// leaves a prefix of the last record (its extent reaches end of file) or a zero-filled extension.
    /// </summary>
    public bool BadFrameIsTornTail()
    {
        Fill();
        ReadOnlySpan<byte> rest = _buffer.AsSpan(_start, _end - _start);
        if (rest.Length < IndexRecordCodec.FrameHeaderLength)
        {
            return true;
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        if (length is > 0 and <= IndexRecordCodec.MaxPayloadLength && Offset + IndexRecordCodec.FrameHeaderLength + length >= Length)
        {
            return true;
        }

        // Otherwise only zeros up to the end of file (an extension whose data never landed) count as torn.
        long position = Offset;
        Span<byte> chunk = stackalloc byte[4096];
        while (position < Length)
        {
            int read = RandomAccess.Read(_file, chunk, position);
            if (read <= 0 || chunk[..read].ContainsAnyExcept((byte)0))
            {
                return false;
            }

            position += read;
        }

        return true;
    }

    public void Dispose() => _file.Dispose();

    private void Fill()
    {
        if (_end - _start >= IndexRecordCodec.MaxRecordLength || _bufferOffset + _end >= Length)
        {
            return;
        }

        // Move the unread bytes to the front, then read as much as fits.
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
        _bufferOffset += _start;
        _end -= _start;
        _start = 0;
        while (_end < _buffer.Length && _bufferOffset + _end < Length)
        {
            int read = RandomAccess.Read(_file, _buffer.AsSpan(_end), _bufferOffset + _end);
            if (read <= 0)
            {
                break;
            }

            _end += read;
        }
    }
}
