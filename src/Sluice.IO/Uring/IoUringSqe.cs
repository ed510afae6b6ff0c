using System.Runtime.InteropServices;

namespace Sluice.IO.Uring;

/// <summary>A submission queue entry: 64 bytes, laid out as the kernel's struct io_uring_sqe.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct IoUringSqe
{
    [FieldOffset(0)] public IoUringOp Opcode;
    [FieldOffset(1)] public byte Flags;
    [FieldOffset(2)] public ushort IoPrio;
    [FieldOffset(4)] public int Fd;
    [FieldOffset(8)] public ulong Off;          // also addr2
    [FieldOffset(16)] public ulong Addr;        // also splice_off_in
    [FieldOffset(24)] public uint Len;
    [FieldOffset(28)] public uint OpFlags;      // rw_flags, msg_flags, accept_flags, timeout_flags, open_flags, ...
    [FieldOffset(32)] public ulong UserData;
    [FieldOffset(40)] public ushort BufIndex;   // also buf_group
    [FieldOffset(42)] public ushort Personality;
    [FieldOffset(44)] public int SpliceFdIn;    // also file_index
    [FieldOffset(48)] public ulong Addr3;
    [FieldOffset(56)] public ulong Pad2;
}

/// <summary>A completion queue entry: 16 bytes, as struct io_uring_cqe.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringCqe
{
    public ulong UserData;
    public int Res;
    public uint Flags;
}

/// <summary>Opcodes (enum io_uring_op); the numbers are kernel ABI.</summary>
internal enum IoUringOp : byte
{
    Nop = 0, Readv = 1, Writev = 2, Fsync = 3, ReadFixed = 4, WriteFixed = 5, PollAdd = 6, PollRemove = 7,
    SyncFileRange = 8, SendMsg = 9, RecvMsg = 10, Timeout = 11, TimeoutRemove = 12, Accept = 13,
    AsyncCancel = 14, LinkTimeout = 15, Connect = 16, Fallocate = 17, OpenAt = 18, Close = 19,
    FilesUpdate = 20, Statx = 21, Read = 22, Write = 23, Fadvise = 24, Madvise = 25, Send = 26, Recv = 27,
    OpenAt2 = 28, EpollCtl = 29, Splice = 30, ProvideBuffers = 31, RemoveBuffers = 32, Tee = 33,
    Shutdown = 34, RenameAt = 35, UnlinkAt = 36, MkdirAt = 37, SymlinkAt = 38, LinkAt = 39, MsgRing = 40,
    Socket = 45, SendZc = 47, SendMsgZc = 48,
}

/// <summary>Flag values from the kernel header, grouped by where they go.</summary>
internal static class IoUringFlags
{
    // io_uring_setup flags
    public const uint SetupCqSize = 1u << 3, SetupClamp = 1u << 4, SetupSubmitAll = 1u << 7,
        SetupCoopTaskrun = 1u << 8, SetupTaskrunFlag = 1u << 9, SetupSingleIssuer = 1u << 12,
        SetupDeferTaskrun = 1u << 13;

    // features reported by io_uring_setup
    public const uint FeatSingleMmap = 1u << 0, FeatNoDrop = 1u << 1, FeatSubmitStable = 1u << 2,
        FeatFastPoll = 1u << 5, FeatExtArg = 1u << 8, FeatNativeWorkers = 1u << 9;

    // io_uring_enter flags
    public const uint EnterGetEvents = 1u << 0, EnterExtArg = 1u << 3;

    // sqe->flags
    public const byte SqeFixedFile = 1 << 0, SqeIoLink = 1 << 2, SqeAsync = 1 << 4, SqeCqeSkipSuccess = 1 << 6;

    // cqe->flags
    public const uint CqeFMore = 1u << 1, CqeFNotif = 1u << 3;

    // ioprio for send/recv: use the registered buffer named by buf_index
    public const ushort RecvSendFixedBuf = 1 << 2;

    // ioprio for accept / recv
    public const ushort AcceptMultishot = 1 << 0;

    // sq ring flags
    public const uint SqNeedWakeup = 1u << 0, SqCqOverflow = 1u << 1, SqTaskrun = 1u << 2;

    // async cancel flags
    public const uint CancelAll = 1u << 0, CancelFd = 1u << 1, CancelAny = 1u << 2;

    // mmap offsets
    public const long OffSqRing = 0, OffCqRing = 0x8000000, OffSqes = 0x10000000;

    // io_uring_register opcodes
    public const uint RegisterBuffers = 0, UnregisterBuffers = 1, RegisterFiles = 2, UnregisterFiles = 3,
        RegisterProbe = 8, RegisterFiles2 = 13, RegisterFilesUpdate2 = 14, RegisterFileAllocRange = 25;

    // io_uring_rsrc_register.flags: a table of empty slots, filled later
    public const uint RsrcRegisterSparse = 1u << 0;

    // FILES_UPDATE offset: let the kernel pick a free slot and write its index back
    public const ulong FileIndexAlloc = uint.MaxValue;

    public const ushort ProbeOpSupported = 1 << 0;
}
