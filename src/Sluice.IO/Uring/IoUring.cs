using System.Runtime.InteropServices;
using Sluice.IO.Native;

namespace Sluice.IO.Uring;

/// <summary>
/// One io_uring instance: the mmapped submission and completion rings and the SQE array. Not thread-safe by
/// design — exactly one thread (its reactor) touches it, which is what SINGLE_ISSUER promises the kernel.
/// </summary>
internal sealed unsafe class IoUring : IDisposable
{
    /// <summary>Setup flag sets tried in order, best first: each later one drops what an older kernel lacks.</summary>
    internal static readonly (uint Flags, string Name)[] SetupFlagSets =
    [
        (IoUringFlags.SetupSingleIssuer | IoUringFlags.SetupDeferTaskrun | IoUringFlags.SetupSubmitAll | IoUringFlags.SetupCqSize,
            "SINGLE_ISSUER|DEFER_TASKRUN|SUBMIT_ALL"),
        (IoUringFlags.SetupSingleIssuer | IoUringFlags.SetupCoopTaskrun | IoUringFlags.SetupSubmitAll | IoUringFlags.SetupCqSize,
            "SINGLE_ISSUER|COOP_TASKRUN|SUBMIT_ALL"),
        (IoUringFlags.SetupCoopTaskrun | IoUringFlags.SetupSubmitAll | IoUringFlags.SetupCqSize, "COOP_TASKRUN|SUBMIT_ALL"),
        (IoUringFlags.SetupSubmitAll | IoUringFlags.SetupCqSize, "SUBMIT_ALL"),
        (IoUringFlags.SetupCqSize, "plain"),
    ];

    /// <summary>CQ is sized at 4× the SQ so bursts of completions (multishot accept, many sends) do not overflow it.</summary>
    private const uint CqPerSqEntries = 4;

    private readonly int _fd;
    private readonly uint* _sqHead, _sqTail, _sqFlags, _cqHead, _cqTail, _cqOverflow;
    private readonly uint _sqMask, _cqMask;
    private readonly IoUringSqe* _sqes;
    private readonly IoUringCqe* _cqes;
    private readonly nint _sqRing, _cqRing, _sqesMap;
    private readonly nuint _sqRingSize, _cqRingSize, _sqesSize;
    private readonly bool[] _supportedOps = new bool[256];

    private uint _sqeTail;      // next free SQE slot (local, published on Submit)
    private uint _submitted;    // tail value the kernel has been told about
    private bool _disposed;

    public int Fd => _fd;
    public uint SqEntries { get; }
    public uint CqEntries { get; }
    public uint SetupFlags { get; }
    public string SetupName { get; }
    public uint Features { get; }
    public bool DeferTaskrun => (SetupFlags & IoUringFlags.SetupDeferTaskrun) != 0;

    /// <summary>io_uring_enter calls made, SQEs submitted, CQEs reaped (owner thread writes; others read).</summary>
    public long EnterCalls, SqesSubmitted, CqesReaped;

    private IoUring(int fd, in IoUringParams p, string setupName)
    {
        _fd = fd;
        SqEntries = p.SqEntries;
        CqEntries = p.CqEntries;
        SetupFlags = p.Flags;
        SetupName = setupName;
        Features = p.Features;

        _sqRingSize = p.SqOff.Array + p.SqEntries * sizeof(uint);
        _cqRingSize = p.CqOff.Cqes + p.CqEntries * (uint)sizeof(IoUringCqe);
        bool singleMmap = (p.Features & IoUringFlags.FeatSingleMmap) != 0;
        if (singleMmap) _sqRingSize = _cqRingSize = Math.Max(_sqRingSize, _cqRingSize);

        _sqRing = Map(_sqRingSize, IoUringFlags.OffSqRing);
        _cqRing = singleMmap ? _sqRing : Map(_cqRingSize, IoUringFlags.OffCqRing);
        _sqesSize = p.SqEntries * (uint)sizeof(IoUringSqe);
        _sqesMap = Map(_sqesSize, IoUringFlags.OffSqes);

        byte* sq = (byte*)_sqRing, cq = (byte*)_cqRing;
        _sqHead = (uint*)(sq + p.SqOff.Head);
        _sqTail = (uint*)(sq + p.SqOff.Tail);
        _sqMask = *(uint*)(sq + p.SqOff.RingMask);
        _sqFlags = (uint*)(sq + p.SqOff.Flags);
        _cqHead = (uint*)(cq + p.CqOff.Head);
        _cqTail = (uint*)(cq + p.CqOff.Tail);
        _cqMask = *(uint*)(cq + p.CqOff.RingMask);
        _cqOverflow = (uint*)(cq + p.CqOff.Overflow);
        _cqes = (IoUringCqe*)(cq + p.CqOff.Cqes);
        _sqes = (IoUringSqe*)_sqesMap;

        // SQEs are filled in ring order, so the indirection array is the identity, written once.
        uint* array = (uint*)(sq + p.SqOff.Array);
        for (uint i = 0; i < p.SqEntries; i++) array[i] = i;
        _sqeTail = _submitted = *_sqTail;

        Probe();
    }

    private nint Map(nuint size, long offset)
    {
        nint p = LibC.Mmap(0, size, LibC.ProtRead | LibC.ProtWrite, LibC.MapShared | LibC.MapPopulate, _fd, offset);
        if (p == LibC.MapFailed)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IoException("mmap io_uring", errno);
        }
        return p;
    }

    /// <summary>
    /// Creates a ring with the best flag set this kernel accepts. Returns null and the errno of the last attempt
    /// when io_uring is unavailable (ENOSYS: old kernel; EPERM: io_uring_disabled or seccomp).
    /// </summary>
    public static IoUring? TryCreate(uint entries, out int errno)
    {
        errno = 0;
        foreach (var (flags, name) in SetupFlagSets)
        {
            IoUringParams p = default;
            p.Flags = flags;
            p.CqEntries = entries * CqPerSqEntries;
            int fd = LibC.IoUringSetup(entries, &p);
            if (fd >= 0)
            {
                try { return new IoUring(fd, p, name); }
                catch { LibC.Close(fd); throw; }
            }
            errno = Marshal.GetLastPInvokeError();
            // EINVAL means "a flag this kernel does not know": try the next set. Anything else is final.
            if (errno != Errno.EINVAL) return null;
        }
        return null;
    }

    private void Probe()
    {
        const int MaxOps = 256;
        int size = 16 + MaxOps * 8;   // struct io_uring_probe + ops[]
        byte* buf = stackalloc byte[size];
        new Span<byte>(buf, size).Clear();
        if (LibC.IoUringRegister(_fd, IoUringFlags.RegisterProbe, buf, MaxOps) < 0) return; // pre-5.6: assume none
        int opsLen = buf[1];
        for (int i = 0; i < opsLen; i++)
        {
            byte* op = buf + 16 + i * 8;
            if ((*(ushort*)(op + 2) & IoUringFlags.ProbeOpSupported) != 0) _supportedOps[op[0]] = true;
        }
    }

    public bool Supports(IoUringOp op) => _supportedOps[(byte)op];

    /// <summary>Slots of the registered (sparse) file table, 0 when there is none.</summary>
    public int FileSlots { get; private set; }

    /// <summary>
    /// Registers an empty file table of <paramref name="slots"/> entries (IORING_REGISTER_FILES2, sparse; 5.19+).
    /// Files installed in it with FILES_UPDATE are then named by slot with IOSQE_FIXED_FILE, which spares the
    /// kernel a file-table lookup and reference count per request (fio's --registerfiles). Owner thread only.
    /// </summary>
    public bool TryRegisterFileTable(int slots)
    {
        // struct io_uring_rsrc_register { u32 nr; u32 flags; u64 resv2; u64 data; u64 tags; }
        ulong* reg = stackalloc ulong[4];
        reg[0] = (uint)slots | ((ulong)IoUringFlags.RsrcRegisterSparse << 32);
        reg[1] = reg[2] = reg[3] = 0;
        if (Register(IoUringFlags.RegisterFiles2, reg, 4 * sizeof(ulong)) < 0) return false;
        FileSlots = slots;
        return true;
    }

    /// <summary>Free SQ slots right now (the kernel consumes SQEs during io_uring_enter).</summary>
    public uint SqSpace => SqEntries - (_sqeTail - Volatile.Read(ref *_sqHead));

    /// <summary>Returns a zeroed SQE to fill, or null when the submission queue is full.</summary>
    public IoUringSqe* TryGetSqe()
    {
        if (_sqeTail - Volatile.Read(ref *_sqHead) >= SqEntries) return null;
        IoUringSqe* sqe = &_sqes[_sqeTail & _sqMask];
        *sqe = default;
        _sqeTail++;
        return sqe;
    }

    public uint Pending => _sqeTail - _submitted;

    /// <summary>
    /// Publishes pending SQEs and enters the kernel once: submits them and, when <paramref name="waitFor"/> > 0,
    /// waits for that many completions. Returns the negative errno on failure (EINTR, EBUSY, EAGAIN are the
    /// caller's to retry), else the number submitted.
    /// </summary>
    public int SubmitAndWait(uint waitFor)
    {
        uint toSubmit = _sqeTail - _submitted;
        if (toSubmit != 0) Volatile.Write(ref *_sqTail, _sqeTail); // release: SQE contents before the tail
        uint flags = 0;
        if (waitFor > 0 || DeferTaskrun || (Volatile.Read(ref *_sqFlags) & (IoUringFlags.SqCqOverflow | IoUringFlags.SqTaskrun)) != 0)
            flags |= IoUringFlags.EnterGetEvents;
        if (toSubmit == 0 && flags == 0) return 0;
        EnterCalls++;
        int r = LibC.IoUringEnter(_fd, toSubmit, waitFor, flags, null, 0);
        if (r < 0) return -Marshal.GetLastPInvokeError();
        _submitted += (uint)r;
        SqesSubmitted += r;
        return r;
    }

    /// <summary>
    /// Visits every available CQE and frees its slot, also those posted while it runs, until <paramref name="limit"/>
    /// are handled (then only those already seen); returns how many were handled.
    /// </summary>
    public int DrainCompletions<THandler>(ref THandler handler, int limit) where THandler : struct, ICompletionHandler
    {
        uint head = *_cqHead;
        uint tail = Volatile.Read(ref *_cqTail); // acquire: CQE contents after the tail
        int n = 0;
        while (head != tail)
        {
            IoUringCqe cqe = _cqes[head & _cqMask];
            head++;
            n++;
            // Release the slot before handling: the handler may submit and enter again.
            Volatile.Write(ref *_cqHead, head);
            handler.OnCompletion(cqe.UserData, cqe.Res, cqe.Flags);
            if (head == tail && n < limit) tail = Volatile.Read(ref *_cqTail);
        }
        CqesReaped += n;
        return n;
    }

    public uint CqOverflow => Volatile.Read(ref *_cqOverflow);

    public int Register(uint opcode, void* arg, uint count)
    {
        int r = LibC.IoUringRegister(_fd, opcode, arg, count);
        return r < 0 ? -Marshal.GetLastPInvokeError() : r;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        LibC.Munmap(_sqesMap, _sqesSize);
        if (_cqRing != _sqRing) LibC.Munmap(_cqRing, _cqRingSize);
        LibC.Munmap(_sqRing, _sqRingSize);
        LibC.Close(_fd);
    }
}

/// <summary>Called for each completion; a struct so the drain loop inlines it.</summary>
internal interface ICompletionHandler
{
    void OnCompletion(ulong userData, int result, uint flags);
}
