using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Sluice.IO.Native;

namespace Sluice.IO.Uring;

/// <summary>
/// One thread owning one io_uring: it alone fills SQEs and reaps CQEs. Work from other threads enters through
/// a queue and an eventfd; SQEs prepared during a loop turn go to the kernel with one io_uring_enter.
/// </summary>
internal sealed unsafe partial class UringReactor : IDisposable
{
    /// <summary>user_data of CQEs nobody waits for (cancel requests, linked timeouts).</summary>
    internal const ulong IgnoredUserData = ulong.MaxValue;
    private const ulong WakeUserData = ulong.MaxValue - 1;

    /// <summary>Default ring size: enough SQEs for a loop turn of a busy server; more requests queue, never fail.</summary>
    public const uint DefaultEntries = 256;

    /// <summary>
    /// CQEs one drain may handle before the loop turns again. Completions can keep arriving during a drain (immediate
    /// submits post them), and posted work from other threads must not starve behind them.
    /// </summary>
    private const int MaxCompletionsPerTurn = 1024;

    /// <summary>Slots of each ring's registered file table; files beyond it simply run unregistered.</summary>
    public const int FileTableSlots = 1024;

    private readonly IoUring _ring;
    private readonly Thread _thread;
    private readonly int _eventFd;
    private readonly ulong* _wakeBuffer;

    // --- touched by any thread ---
    private readonly ConcurrentQueue<Work> _incoming = new();
    private int _wakePending;           // 1 while an eventfd write is outstanding: later posters need not write
    private volatile bool _stopping;
    private volatile bool _closed;      // the loop has exited; posts run on the poster's thread
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    internal readonly ConcurrentQueue<UringOperation> OperationPool = new();

    // --- owned by the reactor thread ---
    private readonly Queue<Work> _local = new();
    private readonly Queue<IUringCompletion> _waitingForSqes = new();
    private IUringCompletion?[] _slots = new IUringCompletion?[64];
    private uint[] _generations = new uint[64];
    private readonly Stack<int> _freeSlots = new();
    private int _nextSlot;
    private int _inFlight;
    private bool _wakeArmed;
    private bool _cancelIssued;

    public int Id { get; }

    /// <summary>The pool whose size classes are registered with this ring as fixed buffers (index = class).</summary>
    internal Buffers.NativeBufferPool? RegisteredPool { get; set; }

    /// <summary>Live connections accepted onto this reactor: the listener places new ones on the least loaded.</summary>
    internal int AcceptedConnections;

    /// <summary>SEND_ZC requests from registered buffers (tests assert the zero-copy path ran).</summary>
    internal long ZeroCopySends;
    public string SetupName => _ring.SetupName;
    internal IoUring Ring => _ring;
    public bool IsOnReactorThread => Thread.CurrentThread == _thread;

    [ThreadStatic] private static UringReactor? t_current;

    /// <summary>The reactor whose thread is running, or null off reactor threads.</summary>
    public static UringReactor? Current => t_current;

    private readonly record struct Work(SendOrPostCallback Callback, object? State);

    private UringReactor(int id, IoUring ring, int eventFd)
    {
        Id = id;
        _ring = ring;
        _eventFd = eventFd;
        _wakeBuffer = (ulong*)NativeAllocations.AlignedAlloc(8, 8);
        _thread = Thread.CurrentThread; // constructed on the thread that then runs the loop
    }

    /// <summary>Starts a reactor; the ring is created on the reactor's own thread (SINGLE_ISSUER ties it there).</summary>
    public static UringReactor? TryStart(int id, uint entries, out int errno)
    {
        // The ring must be created by the thread that will submit to it when SINGLE_ISSUER is used: create it on
        // a dedicated thread and hand it over by running the whole reactor on that same thread.
        UringReactor? reactor = null;
        int err = 0;
        using var ready = new ManualResetEventSlim();
        var t = new Thread(() =>
        {
            var ring = IoUring.TryCreate(entries, out err);
            if (ring == null) { ready.Set(); return; }
            // Best effort: without the table (old kernel, low RLIMIT_NOFILE) files use plain descriptors.
            if (ring.Supports(IoUringOp.FilesUpdate)) ring.TryRegisterFileTable(FileTableSlots);
            int efd = LibC.EventFd(0, LibC.EfdCloexec);
            if (efd < 0)
            {
                err = Marshal.GetLastPInvokeError();
                ring.Dispose();
                ready.Set();
                return;
            }
            reactor = new UringReactor(id, ring, efd);
            reactor.RunOnCurrentThread(ready);
        }) { IsBackground = true, Name = $"sluice-reactor-{id}" };
        t.Start();
        ready.Wait();
        errno = err;
        return reactor;
    }

    private void RunOnCurrentThread(ManualResetEventSlim ready)
    {
        // No SynchronizationContext on purpose: awaits of this reactor's operations resume inline here because
        // they complete here (see UringOperation); a context would make the BCL's awaitables post, and allocate,
        // for every await. Code that awaits something foreign resumes where that completes.
        t_current = this;
        ready.Set();
        Loop();
    }

    /// <summary>Posts a callback to run on the reactor thread.</summary>
    public void Post(SendOrPostCallback callback, object? state)
    {
        if (IsOnReactorThread && !_closed)
        {
            _local.Enqueue(new Work(callback, state));
            return;
        }
        _incoming.Enqueue(new Work(callback, state));
        if (_closed) RunIncomingHere(); // the loop is gone: run it here (abandoned requests complete as cancelled)
        else Wake();
    }

    private void RunIncomingHere()
    {
        while (_incoming.TryDequeue(out var w)) w.Callback(w.State);
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) != 0) return;
        ulong one = 1;
        LibC.Write(_eventFd, &one, 8);
    }

    private static readonly SendOrPostCallback SubmitCallback = static s =>
    {
        var c = (IUringCompletion)s!;
        c.Reactor.SubmitOnThread(c);
    };

    /// <summary>Submits a request from any thread; it is queued when the SQ is full, never rejected.</summary>
    internal void Submit(IUringCompletion request)
    {
        if (IsOnReactorThread) SubmitOnThread(request);
        else Post(SubmitCallback, request);
    }

    internal void SubmitOnThread(IUringCompletion request)
    {
        if (_stopping) { request.OnAbandoned(); return; }
        if (_waitingForSqes.Count > 0 || !TryPrepare(request)) _waitingForSqes.Enqueue(request);
        else if (request.SubmitImmediately) SubmitNow();
    }

    /// <summary>
    /// Enters the kernel with what is prepared (without waiting). With DEFER_TASKRUN the same call also posts the
    /// completions that arrived meanwhile, which the drain in progress then reaps: reap, queue, submit, like fio.
    /// A failure (EBUSY/EAGAIN while the CQ is full) leaves the SQEs to the loop's next enter.
    /// </summary>
    private void SubmitNow() => _ring.SubmitAndWait(0);

    private bool TryPrepare(IUringCompletion request)
    {
        int needed = request.SqesNeeded;
        if (_ring.SqSpace < needed)
        {
            // Flush what is prepared to make room; the kernel consumes SQEs during enter.
            _ring.SubmitAndWait(0);
            if (_ring.SqSpace < needed) return false;
        }
        PrepareInNewSlot(request);
        return true;
    }

    /// <summary>
    /// Prepares a request linked after the one being prepared, in the very next SQE (its head counted the room in
    /// SqesNeeded). Reactor thread, from inside the head's Prepare.
    /// </summary>
    internal void PrepareLinked(IUringCompletion request) => PrepareInNewSlot(request);

    private void PrepareInNewSlot(IUringCompletion request)
    {
        int slot = AllocateSlot(request);
        ulong userData = ((ulong)_generations[slot] << 32) | (uint)slot;
        IoUringSqe* sqe = _ring.TryGetSqe();
        request.Prepare(sqe, userData);
        request.UserData = userData;
        _inFlight++;
    }

    private int AllocateSlot(IUringCompletion request)
    {
        int slot;
        if (_freeSlots.Count > 0) slot = _freeSlots.Pop();
        else
        {
            if (_nextSlot == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
                Array.Resize(ref _generations, _generations.Length * 2);
            }
            slot = _nextSlot++;
        }
        _slots[slot] = request;
        return slot;
    }

    /// <summary>Gets one more SQE during a Prepare call (for a linked timeout that follows its operation).</summary>
    internal IoUringSqe* NextSqeForLink() => _ring.TryGetSqe();

    /// <summary>Asks the kernel to cancel an in-flight request (reactor thread).</summary>
    internal void CancelOnThread(IUringCompletion request, ulong userData)
    {
        int slot = (int)(uint)userData;
        if (userData != 0 && (uint)slot < (uint)_nextSlot && ReferenceEquals(_slots[slot], request)
            && _generations[slot] == (uint)(userData >> 32))
        {
            IssueCancel(userData);
            return;
        }
        // Not in the kernel yet: drop it from the waiting queue.
        int n = _waitingForSqes.Count;
        for (int i = 0; i < n; i++)
        {
            var r = _waitingForSqes.Dequeue();
            if (ReferenceEquals(r, request)) r.OnAbandoned();
            else _waitingForSqes.Enqueue(r);
        }
    }

    private void IssueCancel(ulong target)
    {
        IoUringSqe* sqe = _ring.TryGetSqe();
        if (sqe == null)
        {
            _ring.SubmitAndWait(0);
            sqe = _ring.TryGetSqe();
            if (sqe == null) return; // cancellation is best effort; the request still completes by itself
        }
        sqe->Opcode = IoUringOp.AsyncCancel;
        sqe->Fd = -1;
        sqe->Addr = target;
        sqe->UserData = IgnoredUserData;
    }

    private struct CompletionDispatcher : ICompletionHandler
    {
        public UringReactor Reactor;

        public void OnCompletion(ulong userData, int result, uint flags)
        {
            var r = Reactor;
            if (userData == IgnoredUserData) return;
            if (userData == WakeUserData)
            {
                r._wakeArmed = false;
                Volatile.Write(ref r._wakePending, 0);
                return;
            }
            int slot = (int)(uint)userData;
            uint gen = (uint)(userData >> 32);
            if ((uint)slot >= (uint)r._nextSlot || r._generations[slot] != gen || r._slots[slot] is not { } request)
                return; // stale: cannot happen unless the kernel repeats a CQE; never complete twice
            if ((flags & IoUringFlags.CqeFMore) == 0 || result < 0)
            {
                r._slots[slot] = null;
                r._generations[slot]++;
                r._freeSlots.Push(slot);
                r._inFlight--;
            }
            request.OnCompletion(result, flags);
        }
    }

    private void ArmWake()
    {
        if (_wakeArmed) return;
        IoUringSqe* sqe = _ring.TryGetSqe();
        if (sqe == null)
        {
            _ring.SubmitAndWait(0); // the kernel consumes what is queued, freeing SQEs
            sqe = _ring.TryGetSqe();
            if (sqe == null) return; // still full (the kernel refused to take more): the loop will not block
        }
        sqe->Opcode = IoUringOp.Read;
        sqe->Fd = _eventFd;
        sqe->Addr = (ulong)_wakeBuffer;
        sqe->Len = 8;
        sqe->Off = ulong.MaxValue; // -1: current position (eventfd has none)
        sqe->UserData = WakeUserData;
        _wakeArmed = true;
    }

    private void Loop()
    {
        var dispatcher = new CompletionDispatcher { Reactor = this };
        try
        {
            while (true)
            {
                RunQueuedWork();
                if (_stopping)
                {
                    if (!_cancelIssued) CancelEverything();
                    if (_inFlight == 0) break;
                }
                // The wake-up read goes in first: if it were crowded out of a full SQ, the reactor could block with
                // nobody listening for work posted by other threads.
                if (!_stopping) ArmWake();
                while (_waitingForSqes.Count > 0 && TryPrepare(_waitingForSqes.Peek())) _waitingForSqes.Dequeue();

                // Block only when nothing is left to do here: requests still waiting for SQEs may be the very ones the
                // in-flight requests depend on (a send that a pending recv's peer is waiting for).
                bool busy = _local.Count > 0 || !_incoming.IsEmpty || _waitingForSqes.Count > 0 || (!_wakeArmed && !_stopping);
                int r = _ring.SubmitAndWait(busy ? 0u : 1u);
                if (r < 0 && r != -Errno.EINTR && r != -Errno.EBUSY && r != -Errno.EAGAIN)
                    throw new IoException("io_uring_enter", -r);
                _ring.DrainCompletions(ref dispatcher, MaxCompletionsPerTurn);
            }
        }
        finally
        {
            Shutdown();
        }
    }

    private void RunQueuedWork()
    {
        while (_incoming.TryDequeue(out var w)) _local.Enqueue(w);
        // Bounded: continuations that post more work run next turn, after completions are reaped.
        int n = _local.Count;
        for (int i = 0; i < n; i++)
        {
            var w = _local.Dequeue();
            try { w.Callback(w.State); }
            catch (Exception e)
            {
                // Awaits capture their faults in their tasks; only a fire-and-forget callback can throw here, and
                // continuing would leave its state undefined.
                Environment.FailFast("sluice reactor: unhandled exception in a posted callback", e);
            }
        }
    }

    private void CancelEverything()
    {
        _cancelIssued = true;
        while (_waitingForSqes.Count > 0) _waitingForSqes.Dequeue().OnAbandoned();
        for (int i = 0; i < _nextSlot; i++)
        {
            if (_slots[i] != null) IssueCancel(((ulong)_generations[i] << 32) | (uint)i);
        }
        if (_wakeArmed) IssueCancel(WakeUserData);
    }

    private void Shutdown()
    {
        // Drain the eventfd read if it is still pending so the ring can be torn down cleanly.
        while (_wakeArmed)
        {
            var d = new CompletionDispatcher { Reactor = this };
            int r = _ring.SubmitAndWait(1);
            if (r < 0 && r != -Errno.EINTR) break;
            _ring.DrainCompletions(ref d, MaxCompletionsPerTurn);
        }
        // Run everything still queued, including work that queued work posts, before declaring the loop gone.
        while (_local.Count > 0 || !_incoming.IsEmpty) RunQueuedWork();
        _closed = true;
        Interlocked.MemoryBarrier(); // store _closed before reading the queue (posters enqueue, then read _closed)
        RunIncomingHere();
        while (_local.Count > 0) { var w = _local.Dequeue(); w.Callback(w.State); }
        // Release the pool's slabs before the ring goes (its teardown is asynchronous in the kernel): the pool may free
        // a slab as soon as the engine is disposed.
        if (RegisteredPool != null) _ring.Register(IoUringFlags.UnregisterBuffers, null, 0);
        _ring.Dispose();
        LibC.Close(_eventFd);
        NativeAllocations.AlignedFree(_wakeBuffer, 8);
        FreePooledOperations();
        _stopped.TrySetResult();
    }

    internal void FreePooledOperations()
    {
        while (OperationPool.TryDequeue(out var op)) op.FreeNative();
    }

    /// <summary>Runs a function on the reactor thread and waits for its result (setup work such as registration).</summary>
    internal T RunOnThread<T>(Func<T> work)
    {
        if (IsOnReactorThread) return work();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(static s =>
        {
            var (w, d) = ((Func<T>, TaskCompletionSource<T>))s!;
            try { d.SetResult(w()); }
            catch (Exception e) { d.SetException(e); }
        }, (work, done));
        return done.Task.GetAwaiter().GetResult();
    }

    /// <summary>Counters for benchmarks: io_uring_enter calls, SQEs submitted, CQEs reaped.</summary>
    public IoCounters Counters => new(Volatile.Read(ref _ring.EnterCalls), Volatile.Read(ref _ring.SqesSubmitted),
        Volatile.Read(ref _ring.CqesReaped));

    /// <summary>Cancels every pending operation, waits for the kernel to give them back, and closes the ring.</summary>
    public Task StopAsync()
    {
        _stopping = true;
        Wake();
        return _stopped.Task;
    }

    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    public bool IsStopping => _stopping;
    public bool IsClosed => _closed;
}
