using System.Runtime.InteropServices;

namespace Sluice.IO.Shm;

/// <summary>The libc calls shared-memory placement needs: memfd with seals, mappings, and passing a descriptor
/// over a Unix socket (SCM_RIGHTS).</summary>
internal static unsafe partial class ShmNative
{
    private const string Lib = "libc";

    public const uint MfdCloexec = 0x1, MfdAllowSealing = 0x2;
    public const int FAddSeals = 1033, FGetSeals = 1034;
    public const int FSealSeal = 0x1, FSealShrink = 0x2, FSealGrow = 0x4;
    public const int ProtRead = 0x1, ProtWrite = 0x2, MapShared = 0x01;
    public const int SolSocket = 1, ScmRights = 1, SoPeerCred = 17;
    public const int MsgDontWait = 0x40, MsgNoSignal = 0x4000, MsgCmsgCloexec = 0x40000000;
    public const int SeekEnd = 2;

    [LibraryImport(Lib, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Lib, EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint Geteuid();

    [LibraryImport(Lib, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint Sendmsg(int socket, MsgHdr* message, int flags);

    [LibraryImport(Lib, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint Recvmsg(int socket, MsgHdr* message, int flags);

    /// <summary>struct msghdr (LP64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public nint Name;
        public uint NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary>struct cmsghdr carrying one descriptor (CMSG_SPACE(sizeof(int)) = 24 bytes on LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FdControl
    {
        public nuint Length;
        public int Level;
        public int Type;
        public int Fd;
        public int Padding;
    }

    /// <summary>CMSG_LEN(sizeof(int)).</summary>
    public const int FdControlLength = 20;
}
