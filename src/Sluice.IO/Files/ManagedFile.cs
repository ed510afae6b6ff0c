using Microsoft.Win32.SafeHandles;
using Sluice.IO.Buffers;
using Sluice.IO.Native;

namespace Sluice.IO.Files;

/// <summary>
/// A file of the managed engine: reads and writes through <see cref="RandomAccess"/> (pread/pwrite on the thread
/// pool); fsync, fallocate and statx, which the BCL does not offer on a handle, through libc.
/// </summary>
internal sealed class ManagedFile : IoFile
{
    private readonly SafeFileHandle _handle;

    public ManagedFile(SafeFileHandle handle, string path, bool canRead, bool canWrite, bool isDirect)
        : base(path, canRead, canWrite, isDirect) => _handle = handle;

    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        while (true)
        {
            try { return await RandomAccess.ReadAsync(_handle, buffer, offset, cancellationToken); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                var error = Translate("read", e);
                if (!FileErrors.IsTransient(error)) throw error;
            }
        }
    }

    protected override ValueTask<int> ReadCoreAsync(NativeBuffer buffer, int length, long offset,
        CancellationToken cancellationToken) => ReadCoreAsync(buffer.Memory[..length], offset, cancellationToken);

    protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        // RandomAccess.WriteAsync continues short writes itself; a transient failure restarts the whole write,
        // which rewrites the same bytes at the same offsets.
        while (true)
        {
            try
            {
                await RandomAccess.WriteAsync(_handle, buffer, offset, cancellationToken);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                var error = Translate("write", e);
                if (!FileErrors.IsTransient(error)) throw error;
            }
        }
    }

    protected override ValueTask WriteCoreAsync(NativeBuffer buffer, int length, long offset,
        CancellationToken cancellationToken) => WriteCoreAsync(buffer.Memory[..length], offset, cancellationToken);

    public override ValueTask FlushAsync(bool dataOnly = false, CancellationToken cancellationToken = default) =>
        RunBlocking(dataOnly ? "fdatasync" : "fsync", dataOnly ? 1 : 0, 0, 0, cancellationToken);

    protected override ValueTask AllocateCoreAsync(long offset, long length, CancellationToken cancellationToken) =>
        RunBlocking("fallocate", 2, offset, length, cancellationToken);

    protected override ValueTask SyncRangeCoreAsync(long offset, long length, SyncRangeMode mode,
        CancellationToken cancellationToken) => RunBlocking("sync_file_range", 3, offset, length, cancellationToken, mode);

    /// <summary>fsync, sync_file_range and fallocate may wait for the disk: they run on the thread pool, as RandomAccess does.</summary>
    private async ValueTask RunBlocking(string name, int call, long offset, long length, CancellationToken cancellationToken,
        SyncRangeMode mode = SyncRangeMode.None)
    {
        bool added = false;
        _handle.DangerousAddRef(ref added); // keeps the descriptor from being closed and reused meanwhile
        try
        {
            int fd = (int)_handle.DangerousGetHandle();
            await Task.Run(() =>
            {
                while (true)
                {
                    int r = call switch
                    {
                        0 => LibC.FSync(fd),
                        1 => LibC.FDataSync(fd),
                        3 => LibC.SyncFileRange(fd, offset, length, (uint)mode),
                        _ => LibC.FAllocate(fd, 0, offset, length),
                    };
                    if (r == 0) return;
                    var e = FileErrors.LastError(name, Path);
                    if (!FileErrors.IsTransient(e)) throw e;
                }
            }, cancellationToken);
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    public override unsafe ValueTask<IoFileStat> StatAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte* statx = stackalloc byte[Statx.Size];
        byte emptyPath = 0;
        bool added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            if (LibC.Statx((int)_handle.DangerousGetHandle(), &emptyPath, LibC.AtEmptyPath, Statx.Mask, statx) < 0)
                throw FileErrors.LastError("statx", Path);
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
        return ValueTask.FromResult(Statx.Parse(statx));
    }

    /// <summary>
    /// The errno behind a BCL exception: on Unix an IOException for an unmapped error carries the raw errno in
    /// HResult; the mapped ones come back as their exception types. UnauthorizedAccessException stands for EACCES,
    /// EPERM or EBADF; on a descriptor that is already open it is EBADF when the file lacks the access mode.
    /// </summary>
    private IoException Translate(string operation, Exception e)
    {
        bool wrongMode = operation == "write" ? !CanWrite : !CanRead;
        int errno = e switch
        {
            ObjectDisposedException => Errno.EBADF,
            UnauthorizedAccessException => wrongMode ? Errno.EBADF : Errno.EACCES,
            FileNotFoundException or DirectoryNotFoundException => Errno.ENOENT,
            IOException { HResult: > 0 and < 4096 } io => io.HResult,
            _ => Errno.EIO,
        };
        return FileErrors.WithPath(IoException.FromErrno(operation, errno), Path);
    }

    public override ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
