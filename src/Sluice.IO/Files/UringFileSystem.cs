using Sluice.IO.Native;
using Sluice.IO.Uring;

namespace Sluice.IO.Files;

/// <summary>
/// Path operations of the io_uring engine: OPENAT, STATX, RENAMEAT, UNLINKAT, each falling back to the libc call
/// when the ring does not support the opcode (kernels before 5.6 / 5.11).
/// </summary>
internal static class UringFileSystem
{
    public static async ValueTask<IoFile> OpenAsync(UringEngine engine, string path, IoFileOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        int flags = options.ToOpenFlags();
        string full = System.IO.Path.GetFullPath(path);
        var reactor = engine.CurrentOrNextReactor();
        int fd;
        using (var native = new NativePath(full))
        {
            if (reactor.Ring.Supports(IoUringOp.OpenAt))
            {
                try
                {
                    // OPENAT: dirfd in fd, path in addr, mode in len, open flags in the op-flags word.
                    fd = await UringOperation.Rent(reactor)
                        .Set(IoUringOp.OpenAt, "openat", LibC.AtFdCwd, native.FirstAddress, (uint)options.Permissions, 0, (uint)flags)
                        .RunAsync(cancellationToken);
                }
                catch (IoException e) { throw FileErrors.WithPath(e, full); }
            }
            else
            {
                fd = native.OpenAt(flags, (uint)options.Permissions);
                if (fd < 0) throw FileErrors.LastError("openat", full);
            }
        }
        var file = new UringFile(engine, reactor, fd, full, options.Read, options.Write, options.Direct);
        await file.TryRegisterAsync();
        return file;
    }

    public static async ValueTask<IoFileStat> StatAsync(UringEngine engine, string path, CancellationToken cancellationToken)
    {
        string full = System.IO.Path.GetFullPath(path);
        using var native = new NativePath(full, null, Statx.Size);
        await StatxAsync(engine.CurrentOrNextReactor(), LibC.AtFdCwd, native, 0, full, cancellationToken);
        return native.ParseStatx();
    }

    /// <summary>statx(dirFd, native.First, flags) into native.Scratch.</summary>
    public static async ValueTask StatxAsync(UringReactor reactor, int dirFd, NativePath native, int flags, string path,
        CancellationToken cancellationToken)
    {
        if (!reactor.Ring.Supports(IoUringOp.Statx))
        {
            if (native.StatxAt(dirFd, flags) < 0) throw FileErrors.LastError("statx", path);
            return;
        }
        try
        {
            // STATX: dirfd in fd, path in addr, mask in len, the statx buffer in off (addr2), flags in op-flags.
            await UringOperation.Rent(reactor)
                .Set(IoUringOp.Statx, "statx", dirFd, native.FirstAddress, Statx.Mask, native.ScratchAddress, (uint)flags)
                .RunAsync(cancellationToken);
        }
        catch (IoException e) { throw FileErrors.WithPath(e, path); }
    }

    public static async ValueTask RenameAsync(UringEngine engine, string from, string to, CancellationToken cancellationToken)
    {
        string source = System.IO.Path.GetFullPath(from), target = System.IO.Path.GetFullPath(to);
        using var native = new NativePath(source, target);
        var reactor = engine.CurrentOrNextReactor();
        if (!reactor.Ring.Supports(IoUringOp.RenameAt))
        {
            if (native.RenameAt() < 0)
                throw FileErrors.LastError("renameat", source);
            return;
        }
        try
        {
            // RENAMEAT: old dirfd in fd, old path in addr, new dirfd in len, new path in off (addr2).
            await UringOperation.Rent(reactor)
                .Set(IoUringOp.RenameAt, "renameat", LibC.AtFdCwd, native.FirstAddress, unchecked((uint)LibC.AtFdCwd),
                    native.SecondAddress)
                .RunAsync(cancellationToken);
        }
        catch (IoException e) { throw FileErrors.WithPath(e, source); }
    }

    public static async ValueTask DeleteAsync(UringEngine engine, string path, CancellationToken cancellationToken)
    {
        string full = System.IO.Path.GetFullPath(path);
        using var native = new NativePath(full);
        var reactor = engine.CurrentOrNextReactor();
        if (!reactor.Ring.Supports(IoUringOp.UnlinkAt))
        {
            if (native.UnlinkAt() < 0) throw FileErrors.LastError("unlinkat", full);
            return;
        }
        try
        {
            await UringOperation.Rent(reactor).Set(IoUringOp.UnlinkAt, "unlinkat", LibC.AtFdCwd, native.FirstAddress)
                .RunAsync(cancellationToken);
        }
        catch (IoException e) { throw FileErrors.WithPath(e, full); }
    }
}
