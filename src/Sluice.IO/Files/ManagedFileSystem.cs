using Microsoft.Win32.SafeHandles;
using Sluice.IO.Native;

namespace Sluice.IO.Files;

/// <summary>
/// Path operations of the managed engine. open(2) itself is called through libc and the descriptor wrapped in a
/// SafeFileHandle: the BCL cannot set the permissions of a new file on open, fails with exception types that lose
/// the errno, and has no public O_DIRECT; everything after the open is <see cref="RandomAccess"/>.
/// </summary>
internal static class ManagedFileSystem
{
    public static ValueTask<IoFile> OpenAsync(string path, IoFileOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        int flags = options.ToOpenFlags();
        string full = System.IO.Path.GetFullPath(path);
        int fd;
        using (var native = new NativePath(full))
        {
            do fd = native.OpenAt(flags, (uint)options.Permissions);
            while (fd < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR);
            if (fd < 0) throw FileErrors.LastError("openat", full);
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        return ValueTask.FromResult<IoFile>(new ManagedFile(handle, full, options.Read, options.Write, options.Direct));
    }

    public static ValueTask<IoFileStat> StatAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string full = System.IO.Path.GetFullPath(path);
        using var native = new NativePath(full, null, Statx.Size);
        if (native.StatxAt(LibC.AtFdCwd, 0) < 0) throw FileErrors.LastError("statx", full);
        return ValueTask.FromResult(native.ParseStatx());
    }

    public static ValueTask RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string source = System.IO.Path.GetFullPath(from);
        using var native = new NativePath(source, System.IO.Path.GetFullPath(to));
        if (native.RenameAt() < 0)
            throw FileErrors.LastError("renameat", source);
        return ValueTask.CompletedTask;
    }

    public static ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string full = System.IO.Path.GetFullPath(path);
        using var native = new NativePath(full);
        if (native.UnlinkAt() < 0) throw FileErrors.LastError("unlinkat", full);
        return ValueTask.CompletedTask;
    }
}
