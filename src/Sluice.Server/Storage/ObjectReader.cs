using Sluice.IO;
using Sluice.IO.Buffers;
using Sluice.IO.Files;
using Sluice.Server.Exchange;

namespace Sluice.Server.Storage;

/// <summary>
/// An open object version (from <see cref="ObjectStore.OpenReadAsync"/>): its metadata and its body, addressed by
/// position within the body (0 = first byte). Serves ranges by positional reads, or as the file regions a front sends
/// its own way (<see cref="SegmentAt"/>: splice on io_uring, the bytes never enter user space). A single-file object is one
/// segment of its file; a multipart object (a manifest) is its parts' files in order, a range crossing part
/// boundaries is served from each in turn. The open descriptors keep this version readable even if the key is
/// overwritten or deleted meanwhile. Reference counted: one reader may be shared by concurrent requests through the
/// <see cref="OpenObjectCache"/>; each holder disposes its reference, and the last one closes the files.
/// </summary>
public sealed class ObjectReader : IFileBody, IObjectReader
{
    private readonly IoFile[] _files;     // one per segment
    private readonly long[] _offsets;     // where each segment starts in its file
    private readonly long[] _starts;      // where each segment starts in the body (ascending)
    private readonly byte[]? _inlineBody;
    private int _references = 1;

    internal ObjectReader(IoFile file, StoredHeader header)
        : this(header.Metadata, [file], [header.BodyOffset], [0])
    {
        _inlineBody = header.InlineBody;
    }

    private ObjectReader(ObjectMetadata metadata, IoFile[] files, long[] offsets, long[] starts)
    {
        Metadata = metadata;
        _files = files;
        _offsets = offsets;
        _starts = starts;
    }

    /// <summary>A reader over a manifest's opened part files (<paramref name="files"/>[i] holds <paramref name="parts"/>[i]).</summary>
    internal static ObjectReader ForParts(ObjectMetadata metadata, IoFile[] files, ManifestPart[] parts)
    {
        var offsets = new long[parts.Length];
        var starts = new long[parts.Length];
        long at = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            offsets[i] = parts[i].Offset;
            starts[i] = at;
            at += parts[i].Length;
        }
        return new ObjectReader(metadata, files, offsets, starts);
    }

    /// <summary>
    /// True when the whole body was read with the header (objects up to <see cref="ObjectStore.InlineBodyBytes"/>):
    /// a GET then sends head and body in one write from <see cref="InlineBody"/>, with no file system call at all.
    /// </summary>
    public bool HasInlineBody => _inlineBody != null;

    /// <summary>The body's bytes when <see cref="HasInlineBody"/>; empty otherwise.</summary>
    public ReadOnlyMemory<byte> InlineBody => _inlineBody;

    public ObjectMetadata Metadata { get; }

    /// <summary>Body length in bytes.</summary>
    public long Length => Metadata.Size;

    /// <summary>How many files the body spans: 1, or a multipart object's part count.</summary>
    public int SegmentCount => _files.Length;

    /// <summary>Where the first segment starts in its file (page-aligned; the body offset of a single-file object).</summary>
    internal long FirstSegmentOffset => _offsets[0];

    /// <summary>Reads body bytes from <paramref name="position"/> (at most to the end of the segment holding it); 0 at the end of the body.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, long position, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        if (position >= Length || buffer.IsEmpty) return ValueTask.FromResult(0);
        int i = Segment(position);
        long left = SegmentEnd(i) - position;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        return _files[i].ReadAsync(buffer, _offsets[i] + position - _starts[i], cancellationToken);
    }

    /// <summary>Reads up to <paramref name="length"/> body bytes into a native buffer (READ_FIXED with io_uring).</summary>
    public ValueTask<int> ReadAsync(NativeBuffer buffer, int length, long position, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        if (position >= Length || length == 0) return ValueTask.FromResult(0);
        int i = Segment(position);
        long left = SegmentEnd(i) - position;
        return _files[i].ReadAsync(buffer, (int)Math.Min(length, left), _offsets[i] + position - _starts[i], cancellationToken);
    }

    /// <summary>An inline body goes with the head in one write; a file body as segments the front moves its own way (splice).</summary>
    public ValueTask SendAsync(S3Exchange exchange, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (length == 0) return exchange.SendHeadAsync(0, cancellationToken);
        return HasInlineBody
            ? exchange.SendAsync(InlineBody.Slice((int)offset, (int)length), cancellationToken)
            : exchange.SendAsync(this, offset, length, cancellationToken);
    }

    public FileSegment SegmentAt(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Length);
        int i = Segment(position);
        return new FileSegment(_files[i], _offsets[i] + position - _starts[i], SegmentEnd(i) - position);
    }

    /// <summary>The segment holding body byte <paramref name="position"/> (&lt; Length): the last one starting at or before it.</summary>
    private int Segment(long position)
    {
        int i = Array.BinarySearch(_starts, position);
        if (i < 0) return ~i - 1;
        while (i + 1 < _starts.Length && _starts[i + 1] == position) i++; // skip empty segments
        return i;
    }

    private long SegmentEnd(int i) => i + 1 < _starts.Length ? _starts[i + 1] : Length;

    /// <summary>One more holder (the cache, or a request served from it); each disposes once.</summary>
    internal void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(_files[0].Path, "a closed object reader cannot gain a reference");
    }

    /// <summary>Drops this holder's reference; the last one closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        foreach (var file in _files) await file.DisposeAsync().ConfigureAwait(false);
    }
}
