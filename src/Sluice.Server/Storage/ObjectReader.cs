using Sluice.IO;
using Sluice.IO.Buffers;
using Sluice.IO.Files;

namespace Sluice.Server.Storage;

/// <summary>
/// An open object version (from <see cref="ObjectStore.OpenReadAsync"/>): its metadata and its body, addressed by
/// position within the body (0 = first byte). Serves ranges by positional reads, or straight to a socket with
/// <see cref="SendAsync"/> (splice on io_uring: the bytes never enter user space). The open descriptor keeps this
/// version readable even if the key is overwritten or deleted meanwhile. Reference counted: one reader may be shared
/// by concurrent requests through the <see cref="OpenObjectCache"/>; each holder disposes its reference, and the last
/// one closes the file.
/// </summary>
public sealed class ObjectReader : IAsyncDisposable
{
    private readonly IoEngine _engine;
    private int _references = 1;

    internal ObjectReader(IoEngine engine, IoFile file, StoredHeader header)
    {
        _engine = engine;
        File = file;
        Metadata = header.Metadata;
        BodyOffset = header.BodyOffset;
        _inlineBody = header.InlineBody;
    }

    private readonly byte[]? _inlineBody;

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

    /// <summary>The underlying file; the body occupies [BodyOffset, BodyOffset + Length).</summary>
    public IoFile File { get; }

    /// <summary>Where the body starts in <see cref="File"/> (page-aligned).</summary>
    public long BodyOffset { get; }

    /// <summary>Reads body bytes from <paramref name="position"/>; 0 at the end of the body.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, long position, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        long left = Length - position;
        if (left <= 0 || buffer.IsEmpty) return ValueTask.FromResult(0);
        if (buffer.Length > left) buffer = buffer[..(int)left];
        return File.ReadAsync(buffer, BodyOffset + position, cancellationToken);
    }

    /// <summary>Reads up to <paramref name="length"/> body bytes into a native buffer (READ_FIXED with io_uring).</summary>
    public ValueTask<int> ReadAsync(NativeBuffer buffer, int length, long position, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        long left = Length - position;
        if (left <= 0 || length == 0) return ValueTask.FromResult(0);
        return File.ReadAsync(buffer, (int)Math.Min(length, left), BodyOffset + position, cancellationToken);
    }

    /// <summary>Sends body bytes [position, position + count) to <paramref name="connection"/> (engine.SendFileAsync).</summary>
    public ValueTask SendAsync(Connection connection, long position, long count, CancellationToken cancellationToken = default) =>
        SendAsync(ReadOnlyMemory<byte>.Empty, connection, position, count, cancellationToken);

    /// <summary>
    /// Sends <paramref name="head"/> (the response head) and then body bytes [position, position + count), the head
    /// in the same segments as the first body bytes (engine.SendFileAsync with a head).
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> head, Connection connection, long position, long count,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (position > Length - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"bytes [{position}, {position + count}) lie beyond the {Length}-byte body");
        return _engine.SendFileAsync(head, File, BodyOffset + position, count, connection, cancellationToken);
    }

    /// <summary>One more holder (the cache, or a request served from it); each disposes once.</summary>
    internal void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(File.Path, "a closed object reader cannot gain a reference");
    }

    /// <summary>Drops this holder's reference; the last one closes the file.</summary>
    public ValueTask DisposeAsync() =>
        Interlocked.Decrement(ref _references) == 0 ? File.DisposeAsync() : ValueTask.CompletedTask;
}
