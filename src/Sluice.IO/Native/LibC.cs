using System.Runtime.InteropServices;
using Sluice.IO.Uring;

namespace Sluice.IO.Native;

/// <summary>
/// The few libc entry points Sluice.IO needs. io_uring has no libc wrapper, so its three system calls go
/// through syscall(2); everything else is a plain libc function. No native library of our own is shipped.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    // io_uring system call numbers are the same on x86-64 and arm64 (added after the tables were unified).
    public const long SysIoUringSetup = 425;
    public const long SysIoUringEnter = 426;
    public const long SysIoUringRegister = 427;

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall2(long number, long a1, long a2);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, long a1, long a2, long a3, long a4);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    public static int IoUringSetup(uint entries, IoUringParams* p) => (int)Syscall2(SysIoUringSetup, entries, (long)p);

    public static int IoUringEnter(int fd, uint toSubmit, uint minComplete, uint flags, void* arg, nuint argSize) =>
        (int)Syscall6(SysIoUringEnter, fd, toSubmit, minComplete, flags, (long)arg, (long)argSize);

    public static int IoUringRegister(int fd, uint opcode, void* arg, uint nrArgs) =>
        (int)Syscall4(SysIoUringRegister, fd, opcode, (long)arg, nrArgs);

    public const int ProtRead = 0x1, ProtWrite = 0x2;
    public const int MapShared = 0x01, MapPopulate = 0x08000;
    public static readonly nint MapFailed = -1;

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    public const int RLimitNoFile = 7;

    /// <summary>getrlimit(2); <paramref name="limits"/> is struct rlimit: soft, then hard limit.</summary>
    [LibraryImport(Lib, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, ulong* limits);

    public const int EfdCloexec = 0x80000, EfdNonblock = 0x800;

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buf, nuint count);

    public const int SolSocket = 1, SoReuseAddr = 2, SoReusePort = 15, IpProtoTcp = 6, TcpNoDelay = 1;
    public const int ShutRd = 0, ShutWr = 1, ShutRdWr = 2;
    public const int SockCloexec = 0x80000;
    public const int MsgNoSignal = 0x4000, MsgDontWait = 0x40, MsgMore = 0x8000;

    [LibraryImport(Lib, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, void* buf, nuint length, int flags);

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport(Lib, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport(Lib, EntryPoint = "getpeername", SetLastError = true)]
    public static partial int GetPeerName(int fd, byte* addr, uint* length);

    [LibraryImport(Lib, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, byte* addr, uint* length);

    // --- files (fallbacks where a ring lacks an opcode, and the managed engine) ---

    public const int AtFdCwd = -100, AtEmptyPath = 0x1000, AtRemoveDir = 0x200;
    public const int ORdOnly = 0, OWrOnly = 1, ORdWr = 2, OCreat = 0x40, OExcl = 0x80, OTrunc = 0x200,
        OCloexec = 0x80000;

    /// <summary>O_DIRECT is one of the few open flags whose value differs between x86-64 and arm64.</summary>
    public static int ODirect => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm
        ? 0x10000 : 0x4000;

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirFd, byte* path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);

    [LibraryImport(Lib, EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int FDataSync(int fd);

    [LibraryImport(Lib, EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(int fd, long offset, long length, uint flags);

    [LibraryImport(Lib, EntryPoint = "fallocate", SetLastError = true)]
    public static partial int FAllocate(int fd, int mode, long offset, long length);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true)]
    public static partial int Statx(int dirFd, byte* path, int flags, uint mask, byte* statxBuffer);

    [LibraryImport(Lib, EntryPoint = "renameat", SetLastError = true)]
    public static partial int RenameAt(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath);

    [LibraryImport(Lib, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(int dirFd, byte* path, int flags);

    // --- pipes for splice ---

    public const int FSetPipeSize = 1031, FGetPipeSize = 1032; // F_LINUX_SPECIFIC_BASE + 7 / + 8

    [LibraryImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    public const int FGetFl = 3, FSetFl = 4, ONonBlock = 0x800;
    public const int RwfNoWait = 0x8;
    public const uint PollOut = 0x4;


    [LibraryImport(Lib, EntryPoint = "sendfile64", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, long* offset, nuint count);

    [LibraryImport(Lib, EntryPoint = "preadv2", SetLastError = true)]
    public static partial nint PReadV2(int fd, void* iov, int iovCount, long offset, int flags);
}
