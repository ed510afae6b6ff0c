using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Sluice.IO.Native;

namespace Sluice.IO.Uring;

/// <summary>
/// A pooled one-shot io_uring request and its awaitable: renting, submitting and awaiting it allocates nothing.
/// It returns itself to its reactor's pool when the awaiter takes the result.
/// </summary>
internal sealed unsafe class UringOperation : IUringCompletion, IValueTaskSource<int>
{
    /// <summary>Per-operation native scratch: timespec, sockaddr, iovecs and msghdr live here while in flight.</summary>
    private const int ScratchSize = 256;
    internal const int TimespecOffset = 0, SockaddrOffset = 16, SockaddrCapacity = 128, IovecOffset = 144,
        MsghdrOffset = 176;

    private ManualResetValueTaskSourceCore<int> _core;   // continuations run where SetResult runs: the reactor
    private MemoryHandle _pin, _pin2;
    private CancellationTokenRegistration _ctr;
    private CancellationToken _token;
    private ulong _cancelTarget;
    private bool _cancelRequested;

    // Request fields, copied into the SQE by Prepare.
    private IoUringOp _opcode;
    private string _name = "";
    private int _fd;
    private ulong _addr, _off, _addr3;
    private uint _len, _opFlags;
    private ushort _ioPrio, _bufIndex;
    private byte _sqeFlags;
    private int _spliceFdIn;
    private long _timeoutNs;
    private bool _submitImmediately;
    private bool _zeroCopy;        // SEND_ZC: the result CQE (F_MORE) is followed by a notification CQE (F_NOTIF)
    private int _zeroCopyResult;
    private UringOperation? _linkedNext;   // prepared right after this one, IOSQE_IO_LINK between them
    private bool _isLinkedFollower;

    public UringOperation(UringReactor reactor)
    {
        Reactor = reactor;
        Scratch = (byte*)NativeAllocations.AlignedAlloc(ScratchSize, 64);
        new Span<byte>(Scratch, ScratchSize).Clear();
    }

    public UringReactor Reactor { get; }
    public ulong UserData { get; set; }
    public bool SubmitImmediately => _submitImmediately;
    public byte* Scratch { get; private set; }
    public int SqesNeeded => (_timeoutNs > 0 ? 2 : 1) + (_linkedNext?.SqesNeeded ?? 0);

    public static UringOperation Rent(UringReactor reactor) =>
        reactor.OperationPool.TryDequeue(out var op) ? op : new UringOperation(reactor);

    public UringOperation Set(IoUringOp opcode, string name, int fd, ulong addr = 0, uint len = 0, ulong off = 0,
        uint opFlags = 0)
    {
        _opcode = opcode;
        _name = name;
        _fd = fd;
        _addr = addr;
        _len = len;
        _off = off;
        _opFlags = opFlags;
        return this;
    }

    /// <summary>Sets addr and len after <see cref="Set"/> (for buffers pinned once the request is rented).</summary>
    public UringOperation WithAddress(ulong addr, uint len) { _addr = addr; _len = len; return this; }

    public UringOperation WithIoPrio(ushort ioPrio) { _ioPrio = ioPrio; return this; }

    /// <summary>Marks a SEND_ZC: complete on its notification, when the kernel no longer reads the buffer.</summary>
    public UringOperation WithZeroCopyNotification() { _zeroCopy = true; return this; }
    /// <summary>Submits this request on its own the moment it is prepared (see <see cref="IUringCompletion.SubmitImmediately"/>).</summary>
    public UringOperation WithImmediateSubmit() { _submitImmediately = true; return this; }
    public UringOperation WithBufIndex(ushort index) { _bufIndex = index; return this; }
    public UringOperation WithSqeFlags(byte flags) { _sqeFlags |= flags; return this; }
    public UringOperation WithSpliceFdIn(int fd) { _spliceFdIn = fd; return this; }
    public UringOperation WithAddr3(ulong addr3) { _addr3 = addr3; return this; }
    public UringOperation WithPin(MemoryHandle pin) { if (_pin.Pointer == null) _pin = pin; else _pin2 = pin; return this; }

    /// <summary>Bounds the operation with a linked timeout; it then fails with <see cref="IoTimeoutException"/>.</summary>
    public UringOperation WithTimeout(TimeSpan timeout)
    {
        if (timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan) _timeoutNs = timeout.Ticks * 100;
        return this;
    }

    /// <summary>
    /// Chains <paramref name="next"/> after this operation with IOSQE_IO_LINK: both SQEs reach the kernel in the same
    /// submission, and next starts only once this one completes in full. A failure or a short result of this one
    /// completes next with an <see cref="IoException"/> (ECANCELED). Await next through <see cref="ArmLinkedAsync"/>
    /// (before calling <see cref="RunAsync"/> on this one, which submits both).
    /// </summary>
    public UringOperation LinkNext(UringOperation next)
    {
        if (_timeoutNs > 0 || next._timeoutNs > 0)
            throw new InvalidOperationException("a linked pair cannot also carry a linked timeout");
        if (!ReferenceEquals(next.Reactor, Reactor)) throw new InvalidOperationException("linked operations share a ring");
        _linkedNext = next;
        next._isLinkedFollower = true;
        return this;
    }

    /// <summary>Submits and returns the awaitable result (bytes transferred, fd, or 0).</summary>
    public ValueTask<int> RunAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            AbandonLinked();
            Release();
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        var task = Arm(cancellationToken);
        Reactor.Submit(this);
        return task;
    }

    /// <summary>The awaitable of an operation linked after another: the head's <see cref="RunAsync"/> submits it.</summary>
    public ValueTask<int> ArmLinkedAsync(CancellationToken cancellationToken)
    {
        if (!_isLinkedFollower) throw new InvalidOperationException("not linked after another operation");
        return Arm(cancellationToken);
    }

    private ValueTask<int> Arm(CancellationToken cancellationToken)
    {
        _token = cancellationToken;
        // Code running on the reactor resumes on the reactor, inline in its loop. Code from elsewhere resumes on its
        // own context or the thread pool: foreign code must never run on (and possibly block) a reactor thread.
        _core.RunContinuationsAsynchronously = !Reactor.IsOnReactorThread;
        var task = new ValueTask<int>(this, _core.Version);
        if (cancellationToken.CanBeCanceled)
            _ctr = cancellationToken.UnsafeRegister(static s => ((UringOperation)s!).OnCancelRequested(), this);
        return task;
    }

    private void AbandonLinked()
    {
        var next = _linkedNext;
        _linkedNext = null;
        next?.OnAbandoned();
    }

    private static readonly SendOrPostCallback CancelCallback = static s =>
    {
        var (op, target) = ((UringOperation, ulong))s!;
        op.Reactor.CancelOnThread(op, target);
    };

    private void OnCancelRequested()
    {
        _cancelRequested = true;
        // Boxing the pair is fine: cancellation is the exceptional path. The captured user_data makes sure a
        // late cancel can never hit a later submission that reuses this object.
        if (Reactor.IsOnReactorThread) Reactor.CancelOnThread(this, UserData);
        else Reactor.Post(CancelCallback, (this, UserData == 0 ? _cancelTarget : UserData));
    }

    public void Prepare(IoUringSqe* sqe, ulong userData)
    {
        sqe->Opcode = _opcode;
        sqe->Flags = _sqeFlags;
        sqe->IoPrio = _ioPrio;
        sqe->Fd = _fd;
        sqe->Addr = _addr;
        sqe->Len = _len;
        sqe->Off = _off;
        sqe->OpFlags = _opFlags;
        sqe->BufIndex = _bufIndex;
        sqe->SpliceFdIn = _spliceFdIn;
        sqe->Addr3 = _addr3;
        sqe->UserData = userData;
        _cancelTarget = userData;
        if (_timeoutNs > 0)
        {
            long* ts = (long*)(Scratch + TimespecOffset);
            ts[0] = _timeoutNs / 1_000_000_000;
            ts[1] = _timeoutNs % 1_000_000_000;
            sqe->Flags |= IoUringFlags.SqeIoLink;
            IoUringSqe* link = Reactor.NextSqeForLink();
            link->Opcode = IoUringOp.LinkTimeout;
            link->Fd = -1;
            link->Addr = (ulong)ts;
            link->Len = 1;
            link->UserData = UringReactor.IgnoredUserData;
        }
        if (_linkedNext != null)
        {
            // The follower's SQE must come directly after this one: prepare it before anything else takes an SQE.
            sqe->Flags |= IoUringFlags.SqeIoLink;
            Reactor.PrepareLinked(_linkedNext);
            _linkedNext = null;
        }
        if (_cancelRequested) Reactor.CancelOnThread(this, userData); // cancelled while queued for an SQE
    }

    public bool OnCompletion(int result, uint flags)
    {
        if (_zeroCopy)
        {
            // The bytes count arrives first; the buffer is the kernel's until the notification says it is done.
            if ((flags & IoUringFlags.CqeFNotif) != 0) result = _zeroCopyResult;
            else if ((flags & IoUringFlags.CqeFMore) != 0 && result >= 0)
            {
                _zeroCopyResult = result;
                return false;
            }
        }
        UserData = 0;
        if (result >= 0)
        {
            Finish();
            _core.SetResult(result);
            return true;
        }
        int errno = -result;
        Exception error;
        if (errno == Errno.ECANCELED && _cancelRequested && _token.IsCancellationRequested)
            error = new OperationCanceledException(_token);
        else if (errno == Errno.ECANCELED && _timeoutNs > 0 && !Reactor.IsStopping)
            error = new IoTimeoutException(_name);
        else if (errno == Errno.ECANCELED && _isLinkedFollower && !Reactor.IsStopping)
            error = new IoException(_name, errno, $"{_name} did not run: the operation linked before it failed or ended short");
        else if (errno == Errno.ECANCELED)
            error = new OperationCanceledException($"{_name} was cancelled: the reactor is closing");
        else
            error = IoException.FromErrno(_name, errno);
        Finish();
        _core.SetException(error);
        return true;
    }

    public void OnAbandoned()
    {
        AbandonLinked();
        Exception error = _cancelRequested && _token.IsCancellationRequested
            ? new OperationCanceledException(_token)
            : new OperationCanceledException($"{_name} was cancelled: the reactor is closing");
        Finish();
        _core.SetException(error);
    }

    private void Finish()
    {
        _ctr.Dispose();
        _ctr = default;
        _pin.Dispose();
        _pin = default;
        _pin2.Dispose();
        _pin2 = default;
    }

    public int GetResult(short token)
    {
        try { return _core.GetResult(token); }
        finally { Release(); }
    }

    private void Release()
    {
        _core.Reset();
        _opcode = default; _name = ""; _fd = 0; _addr = _off = _addr3 = 0; _len = _opFlags = 0;
        _ioPrio = _bufIndex = 0; _sqeFlags = 0; _spliceFdIn = 0; _timeoutNs = 0; _zeroCopy = false; _zeroCopyResult = 0; _submitImmediately = false;
        _linkedNext = null; _isLinkedFollower = false;
        _cancelRequested = false; _token = default; _cancelTarget = 0; UserData = 0;
        Finish();
        if (Reactor.IsClosed)
        {
            FreeNative();
            return;
        }
        Reactor.OperationPool.Enqueue(this);
        // The reactor may have closed and emptied its pool meanwhile: whoever sees that frees what is left.
        if (Reactor.IsClosed) Reactor.FreePooledOperations();
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);

    internal void FreeNative()
    {
        if (Scratch == null) return;
        NativeAllocations.AlignedFree(Scratch, ScratchSize);
        Scratch = null;
    }
}
