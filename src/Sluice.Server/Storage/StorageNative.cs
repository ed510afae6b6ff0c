using System.Runtime.InteropServices;
using Sluice.IO;

namespace Sluice.Server.Storage;

/// <summary>
/// The few syscalls the engine's file API does not offer and the store needs: mkdir, rmdir, renameat2 with
/// RENAME_NOREPLACE, link, copy_file_range, flock. All are metadata calls or kernel-side copies (no payload passes
/// through user space); errors become <see cref="IoException"/> with the errno, as the engine's own calls do.
/// </summary>
internal static unsafe partial class StorageNative
{
    private const string Lib = "libc";

    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EXDEV = 18;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int EWOULDBLOCK = 11;
    public const int EOPNOTSUPP = 95;

    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int ORdWr = 2;
    public const int OCreat = 0x40;
    public const int OCloexec = 0x80000;

    private const int AtFdCwd = -100;
    private const uint RenameNoReplaceFlag = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkDirCore(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RmDirCore(string path);

    [LibraryImport(Lib, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport(Lib, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkCore(string oldPath, string newPath);

    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkCore(string path);

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenCore(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    private static partial int FLock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRangeCore(int fdIn, long* offIn, int fdOut, long* offOut, nuint length, uint flags);

    /// <summary>mkdir(2); false when the directory already exists.</summary>
    public static bool MakeDirectory(string path)
    {
        if (MkDirCore(path, 0b111_101_101) == 0) return true; // rwxr-xr-x
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST) return false;
        throw Error("mkdir", errno, path);
    }

    /// <summary>rmdir(2) of an empty directory; false when it is missing.</summary>
    public static bool RemoveDirectory(string path)
    {
        if (RmDirCore(path) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == ENOENT) return false;
        throw Error("rmdir", errno, path);
    }

    /// <summary>
    /// Renames <paramref name="source"/> to <paramref name="destination"/> only if the destination does not exist:
    /// false when it does. renameat2(RENAME_NOREPLACE) where the filesystem supports it; otherwise link(2) (which also
    /// fails with EEXIST atomically) then unlink of the source — the same outcome, one more syscall. Directories need
    /// RENAME_NOREPLACE (they cannot be hard-linked).
    /// </summary>
    public static bool RenameNoReplace(string source, string destination)
    {
        if (RenameAt2(AtFdCwd, source, AtFdCwd, destination, RenameNoReplaceFlag) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST || errno == ENOTEMPTY) return false;
        if (errno is not (EINVAL or ENOSYS or EOPNOTSUPP)) throw Error("renameat2", errno, source);
        if (LinkCore(source, destination) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            if (errno == EEXIST) return false;
            throw Error("link", errno, source);
        }
        if (UnlinkCore(source) != 0) throw Error("unlink", Marshal.GetLastPInvokeError(), source);
        return true;
    }

    /// <summary>link(2): a second name for the same inode.</summary>
    public static void HardLink(string existing, string newPath)
    {
        if (LinkCore(existing, newPath) != 0) throw Error("link", Marshal.GetLastPInvokeError(), existing);
    }

    /// <summary>open(2) with O_CLOEXEC; the caller closes the descriptor.</summary>
    public static int Open(string path, int flags, uint mode = 0b110_100_100)
    {
        int fd;
        do fd = OpenCore(path, flags | OCloexec, mode);
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (fd < 0) throw Error("open", Marshal.GetLastPInvokeError(), path);
        return fd;
    }

    /// <summary>flock(LOCK_EX|LOCK_NB); false when another open file description holds the lock.</summary>
    public static bool TryLockExclusive(int fd, string path)
    {
        if (FLock(fd, LockExclusive | LockNonBlocking) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EWOULDBLOCK) return false;
        throw Error("flock", errno, path);
    }

    /// <summary>
    /// copy_file_range(2) of up to <paramref name="length"/> bytes; returns bytes copied (0 at source end of file),
    /// or -errno.
    /// </summary>
    public static long CopyFileRange(int fdIn, ref long offsetIn, int fdOut, ref long offsetOut, long length)
    {
        fixed (long* pIn = &offsetIn)
        fixed (long* pOut = &offsetOut)
        {
            nint n = CopyFileRangeCore(fdIn, pIn, fdOut, pOut, (nuint)length, 0);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    public static IoException Error(string operation, int errno, string path) =>
        new(operation, errno, $"{operation} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
