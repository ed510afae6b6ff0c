using Sluice.IO.Buffers;

namespace Sluice.IO.Files;

/// <summary>
/// An open file on one of the engines: positional reads and writes (no file cursor), flush, preallocation and
/// stat. Reads may return fewer bytes than asked (0 only at end of file); writes write everything or throw.
/// Failures are <see cref="IoException"/> with the errno and the operation ("read", "write", "fsync", ...).
/// With io_uring, reads and writes through a registered <see cref="NativeBuffer"/> use READ_FIXED / WRITE_FIXED.
/// </summary>
public abstract class IoFile : IAsyncDisposable
{
    /// <summary>O_DIRECT needs offsets, lengths and addresses on this boundary (a page; covers 512 and 4K sectors).</summary>
    public const int DirectAlignment = NativeBufferPool.Alignment;

    protected IoFile(string path, bool canRead, bool canWrite, bool isDirect)
    {
        Path = path;
        CanRead = canRead;
        CanWrite = canWrite;
        IsDirect = isDirect;
    }

    /// <summary>The full path the file was opened with.</summary>
    public string Path { get; }

    public bool CanRead { get; }
    public bool CanWrite { get; }

    /// <summary>Opened with O_DIRECT: I/O bypasses the page cache and must be aligned.</summary>
    public bool IsDirect { get; }

    /// <summary>Reads up to buffer.Length bytes at <paramref name="offset"/>; 0 means end of file.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (IsDirect) CheckDirect(buffer, offset, "read");
        if (buffer.IsEmpty) return ValueTask.FromResult(0);
        return ReadCoreAsync(buffer, offset, cancellationToken);
    }

    /// <summary>Reads up to <paramref name="length"/> bytes into the start of a native buffer (READ_FIXED where registered).</summary>
    public ValueTask<int> ReadAsync(NativeBuffer buffer, int length, long offset, CancellationToken cancellationToken = default)
    {
        CheckNative(buffer, length, offset, "read");
        if (length == 0) return ValueTask.FromResult(0);
        return ReadCoreAsync(buffer, length, offset, cancellationToken);
    }

    /// <summary>Writes all of <paramref name="buffer"/> at <paramref name="offset"/> (short writes are continued).</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, long offset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (IsDirect) CheckDirect(buffer, offset, "write");
        if (buffer.IsEmpty) return ValueTask.CompletedTask;
        return WriteCoreAsync(buffer, offset, cancellationToken);
    }

    /// <summary>Writes the first <paramref name="length"/> bytes of a native buffer (WRITE_FIXED where registered).</summary>
    public ValueTask WriteAsync(NativeBuffer buffer, int length, long offset, CancellationToken cancellationToken = default)
    {
        CheckNative(buffer, length, offset, "write");
        if (length == 0) return ValueTask.CompletedTask;
        return WriteCoreAsync(buffer, length, offset, cancellationToken);
    }

    /// <summary>Makes written data durable: fsync, or fdatasync when <paramref name="dataOnly"/> (skips metadata such as mtime).</summary>
    public abstract ValueTask FlushAsync(bool dataOnly = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// sync_file_range(2) on [offset, offset+length): starts and/or waits for writeback of those pages, so a large
    /// sequential write keeps the disk busy while it is still being produced instead of leaving it all to the final
    /// flush. Not a durability barrier (<see cref="FlushAsync"/> still is). A length of 0 means "to end of file".
    /// </summary>
    public ValueTask SyncRangeAsync(long offset, long length, SyncRangeMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (mode == SyncRangeMode.None) return ValueTask.CompletedTask;
        return SyncRangeCoreAsync(offset, length, mode, cancellationToken);
    }

    /// <summary>Reserves disk blocks for [offset, offset+length) (fallocate mode 0: the file grows to cover it).</summary>
    public ValueTask AllocateAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return AllocateCoreAsync(offset, length, cancellationToken);
    }

    /// <summary>Size, last write time and block size of the open file.</summary>
    public abstract ValueTask<IoFileStat> StatAsync(CancellationToken cancellationToken = default);

    public async ValueTask<long> GetLengthAsync(CancellationToken cancellationToken = default) =>
        (await StatAsync(cancellationToken).ConfigureAwait(false)).Length;

    /// <summary>Closes the file. Operations still running on it must have finished.</summary>
    public abstract ValueTask DisposeAsync();

    protected abstract ValueTask<int> ReadCoreAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken);
    protected abstract ValueTask<int> ReadCoreAsync(NativeBuffer buffer, int length, long offset, CancellationToken cancellationToken);
    protected abstract ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, long offset, CancellationToken cancellationToken);
    protected abstract ValueTask WriteCoreAsync(NativeBuffer buffer, int length, long offset, CancellationToken cancellationToken);
    protected abstract ValueTask AllocateCoreAsync(long offset, long length, CancellationToken cancellationToken);
    protected abstract ValueTask SyncRangeCoreAsync(long offset, long length, SyncRangeMode mode, CancellationToken cancellationToken);

    private void CheckNative(NativeBuffer buffer, int length, long offset, string operation)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        if (IsDirect) CheckDirect(length, offset, operation); // native buffers are page-aligned by construction
    }

    private void CheckDirect(ReadOnlyMemory<byte> buffer, long offset, string operation)
    {
        CheckDirect(buffer.Length, offset, operation);
        unsafe
        {
            using var pin = buffer.Pin();
            if ((nint)pin.Pointer % DirectAlignment != 0)
                throw new ArgumentException($"O_DIRECT {operation} of {Path}: the buffer address must be " +
                    $"{DirectAlignment}-byte aligned (use a NativeBuffer from the engine's pool)", nameof(buffer));
        }
    }

    private void CheckDirect(int length, long offset, string operation)
    {
        if (offset % DirectAlignment != 0)
            throw new ArgumentException($"O_DIRECT {operation} of {Path}: offset {offset} is not a multiple of {DirectAlignment}",
                nameof(offset));
        if (length % DirectAlignment != 0)
            throw new ArgumentException($"O_DIRECT {operation} of {Path}: length {length} is not a multiple of {DirectAlignment}",
                nameof(length));
    }
}
