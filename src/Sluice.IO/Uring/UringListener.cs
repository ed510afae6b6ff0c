using System.Net;
using System.Net.Sockets;
using Sluice.IO.Native;

namespace Sluice.IO.Uring;

/// <summary>
/// One SO_REUSEPORT listening socket per reactor (MegaPipe's partitioned listen), each with a multishot accept
/// armed on its reactor; accepted connections are handled on that reactor.
/// </summary>
internal sealed class UringListener : Listener
{
    private readonly Socket[] _sockets;
    private readonly Acceptor[] _acceptors;
    private readonly IReadOnlyList<UringReactor> _reactors;
    private readonly LoopbackPairs _pairs;
    private readonly AcceptBudget _budget;
    private long _accepted;

    private UringListener(Socket[] sockets, Acceptor[] acceptors, IPEndPoint local, IReadOnlyList<UringReactor> reactors,
        LoopbackPairs pairs, AcceptBudget budget)
    {
        _pairs = pairs;
        _budget = budget;
        _sockets = sockets;
        _acceptors = acceptors;
        LocalEndPoint = local;
        _reactors = reactors;
    }

    /// <summary>
    /// Connections accepted on one reactor and handled on another: it had fewer, or the connection's in-process client
    /// runs there (tests read it).
    /// </summary>
    internal long Rebalanced;

    public override IPEndPoint LocalEndPoint { get; }
    public override long Accepted => Interlocked.Read(ref _accepted);

    public static UringListener Start(UringEngine engine, IPEndPoint endPoint, Func<Connection, ValueTask> onConnection,
        int backlog, AcceptBudget budget)
    {
        var sockets = CreateListeningSockets(endPoint, engine.ReactorCount, backlog);
        var bound = (IPEndPoint)sockets[0].LocalEndPoint!;
        var acceptors = new Acceptor[sockets.Length];
        var listener = new UringListener(sockets, acceptors, bound, engine.Reactors, engine.Pairs, budget);
        for (int i = 0; i < sockets.Length; i++)
        {
            acceptors[i] = new Acceptor(listener, engine.Reactors[i], (int)sockets[i].Handle, onConnection);
            engine.Reactors[i].Submit(acceptors[i]);
        }
        return listener;
    }

    /// <summary>
    /// <paramref name="count"/> SO_REUSEPORT listening sockets on one address and port (port 0: one free port for all).
    /// SO_REUSEPORT alone would also let this process join another process's listeners on the port (a second server
    /// would silently take part of the first one's traffic), so a probe socket without SO_REUSEPORT binds the address
    /// first: it fails with EADDRINUSE if anyone listens there, and while it stays bound (not listening, SO_REUSEADDR
    /// on both sides) our own sockets may still bind beside it. What remains is a window of microseconds in which two
    /// servers starting at the same instant could both pass their probes.
    /// </summary>
    internal static Socket[] CreateListeningSockets(IPEndPoint endPoint, int count, int backlog)
    {
        var sockets = new Socket[Math.Max(1, count)];
        using var probe = NewSocket(endPoint, reusePort: false);
        try
        {
            Bind(probe, endPoint);
            var bound = (IPEndPoint)probe.LocalEndPoint!; // port 0: every listener shares the port the probe got
            for (int i = 0; i < sockets.Length; i++)
            {
                sockets[i] = NewSocket(bound, reusePort: true);
                Bind(sockets[i], bound);
                Listen(sockets[i], bound, backlog);
            }
            return sockets;
        }
        catch
        {
            foreach (var s in sockets) s?.Dispose();
            throw;
        }
    }

    private static Socket NewSocket(IPEndPoint endPoint, bool reusePort)
    {
        var s = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SO_REUSEADDR: a restart may bind while the last run's connections linger in TIME_WAIT. Set raw: .NET's
            // SocketOptionName.ReuseAddress sets SO_REUSEPORT too on Linux, which would defeat the probe.
            s.SetRawSocketOption(LibC.SolSocket, LibC.SoReuseAddr, BitConverter.GetBytes(1));
            if (reusePort) s.SetRawSocketOption(LibC.SolSocket, LibC.SoReusePort, BitConverter.GetBytes(1));
            return s;
        }
        catch (SocketException e)
        {
            s.Dispose();
            throw ListenFailed(endPoint, e);
        }
    }

    private static void Bind(Socket s, IPEndPoint endPoint)
    {
        try { s.Bind(endPoint); }
        catch (SocketException e) { throw ListenFailed(endPoint, e); }
    }

    private static void Listen(Socket s, IPEndPoint endPoint, int backlog)
    {
        try { s.Listen(backlog); }
        catch (SocketException e) { throw ListenFailed(endPoint, e); }
    }

    private static IoException ListenFailed(IPEndPoint endPoint, SocketException e) =>
        new("listen", e.ErrorCode == 0 ? Errno.EINVAL : (int)e.SocketErrorCode switch
        {
            (int)SocketError.AddressAlreadyInUse => Errno.EADDRINUSE,
            (int)SocketError.AccessDenied => Errno.EACCES,
            _ => Errno.EINVAL,
        }, $"listen on {endPoint} failed: {e.Message}");

    /// <summary>
    /// Where an accepted connection lives: the accepting reactor unless another has fewer live accepted connections.
    /// The kernel's SO_REUSEPORT pick is a hash of the addresses, so with few busy connections it is often lopsided
    /// (8 streams on 2 reactors landed 6:2), leaving one reactor idle while the other is the bottleneck; one
    /// cross-thread post per connection buys an even split.
    /// </summary>
    private UringReactor Place(UringReactor accepting)
    {
        var best = accepting;
        int least = Volatile.Read(ref accepting.AcceptedConnections);
        foreach (var r in _reactors)
        {
            int n = Volatile.Read(ref r.AcceptedConnections);
            if (n < least && !r.IsStopping)
            {
                best = r;
                least = n;
            }
        }
        return best;
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var a in _acceptors) a.Stop();
        // Shutting a listening socket down ends its pending accept with an error; then the fd can close.
        foreach (var s in _sockets)
        {
            LibC.Shutdown((int)s.Handle, LibC.ShutRdWr);
        }
        foreach (var a in _acceptors) await a.Stopped;
        foreach (var s in _sockets) s.Dispose();
    }

    /// <summary>The multishot accept on one reactor.</summary>
    private sealed class Acceptor : IUringCompletion
    {
        private readonly UringListener _listener;
        private readonly int _fd;
        private readonly Func<Connection, ValueTask> _onConnection;
        private readonly Action<int, UringReactor?> _dispatchParked;
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _multishot;            // the kernel has multishot accept
        private bool _armedMultishot;       // the accept in flight is multishot
        private bool _cancelling;           // its cancellation (near the budget) is requested
        private volatile bool _stopping;
        private bool _armed;

        public Acceptor(UringListener listener, UringReactor reactor, int fd, Func<Connection, ValueTask> onConnection)
        {
            _listener = listener;
            Reactor = reactor;
            _fd = fd;
            _onConnection = onConnection;
            _multishot = Environment.OSVersion.Version >= new Version(5, 19);
            _dispatchParked = Start;
        }

        public UringReactor Reactor { get; }
        public ulong UserData { get; set; }
        public int SqesNeeded => 1;
        public bool SubmitImmediately => false;
        public Task Stopped => _stopped.Task;

        public void Stop()
        {
            _stopping = true;
            if (!_armed) Reactor.Post(static s => ((Acceptor)s!).FinishIfIdle(), this);
        }

        private void FinishIfIdle()
        {
            if (!_armed) _stopped.TrySetResult();
        }

        public unsafe void Prepare(IoUringSqe* sqe, ulong userData)
        {
            _armed = true;
            sqe->Opcode = IoUringOp.Accept;
            sqe->Fd = _fd;
            sqe->OpFlags = LibC.SockCloexec;
            var budget = _listener._budget;
            bool multishot = _multishot && budget.Limit - budget.Open > AcceptBudget.MultishotHeadroom;
            sqe->IoPrio = multishot ? IoUringFlags.AcceptMultishot : (ushort)0;
            _armedMultishot = multishot;
            _cancelling = false;
            sqe->UserData = userData;
        }

        public bool OnCompletion(int result, uint flags)
        {
            bool more = (flags & IoUringFlags.CqeFMore) != 0 && result >= 0;
            if (!more) _armed = false;
            var budget = _listener._budget;
            if (result >= 0)
            {
                Interlocked.Increment(ref _listener._accepted);
                if (_stopping || !budget.TryTake()) LibC.Close(result); // stopping, or a multishot past the budget: refused
                else
                {
                    UringConnection.SetNoDelay(result);
                    Dispatch(result);
                }
                // Near the budget a multishot would overshoot it: end it; the next accept is armed singly.
                if (more && !_stopping && !_cancelling && budget.Limit - budget.Open <= AcceptBudget.MultishotHeadroom)
                {
                    _cancelling = true;
                    Reactor.CancelOnThread(this, UserData);
                }
            }
            bool fallback = result == -Errno.EINVAL && _armedMultishot && !_stopping;
            if (fallback) _multishot = false; // a kernel without multishot accept: one accept per request
            if (!more)
            {
                if (_stopping || Reactor.IsStopping) _stopped.TrySetResult();
                else if (!budget.HasRoom)
                {
                    // Further connections wait in the backlog until one of ours closes.
                    budget.Paused(budget.LimitReason());
                    _ = RearmWhenRoom();
                }
                else if (AcceptBudget.IsOutOfDescriptors(-result))
                {
                    budget.Paused(AcceptBudget.ErrnoReason(-result));
                    _ = RearmLater();
                }
                else if (result is -Errno.ENOMEM or -Errno.ENOBUFS) _ = RearmLater();
                else if (result >= 0 || fallback || result is -Errno.ECONNABORTED or -Errno.EINTR or -Errno.EAGAIN
                         or -Errno.ECANCELED) // cancelled at the budget, and room came back meanwhile
                    Reactor.Submit(this);
                else _stopped.TrySetResult(); // the socket itself failed (closed, invalid): accepting is over
            }
            return !more;
        }

        /// <summary>Places an accepted socket: with its in-process client if it has one, else the least loaded.</summary>
        private void Dispatch(int fd)
        {
            UringReactor? target = null;
            if (!_listener._pairs.IsEmpty)
            {
                target = _listener._pairs.Find(fd, _dispatchParked, out bool parked);
                if (parked) return; // its client's ring has not recorded the connect yet: dispatched from there
            }
            Start(fd, target);
        }

        /// <summary>Starts the connection's handler on <paramref name="target"/>, or on the least loaded reactor.</summary>
        private void Start(int fd, UringReactor? target)
        {
            if (_stopping || Reactor.IsStopping)
            {
                LibC.Close(fd);
                _listener._budget.Release();
                return;
            }
            target ??= _listener.Place(Reactor);
            Interlocked.Increment(ref target.AcceptedConnections);
            var connection = new UringConnection(target, fd, accepted: true, _listener._budget);
            if (!ReferenceEquals(target, Reactor)) Interlocked.Increment(ref _listener.Rebalanced);
            if (target.IsOnReactorThread) _ = Handle(connection);
            else
            {
                // The handler starts on its reactor, so its awaits resume inline there (a parked socket is dispatched
                // from its client's thread, which may be any).
                target.Post(static s =>
                {
                    var (acceptor, c) = ((Acceptor, UringConnection))s!;
                    _ = acceptor.Handle(c);
                }, (this, connection));
            }
        }

        private async Task RearmLater()
        {
            await Task.Delay(AcceptBudget.RetryAfterError);
            if (_stopping) _stopped.TrySetResult();
            else Reactor.Submit(this);
        }

        private async Task RearmWhenRoom()
        {
            await _listener._budget.WhenRoomAsync();
            if (_stopping) _stopped.TrySetResult();
            else Reactor.Submit(this);
        }

        private async Task Handle(UringConnection connection)
        {
            try
            {
                await connection.TryInstallAsync(); // on its final reactor: a slot belongs to one ring's table
                await _onConnection(connection);
            }
            catch (Exception) { await connection.DisposeAsync(); } // the handler owns errors; never the reactor
        }

        public void OnAbandoned()
        {
            _armed = false;
            _stopped.TrySetResult();
        }
    }
}
