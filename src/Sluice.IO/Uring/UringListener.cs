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
    private long _accepted;

    private UringListener(Socket[] sockets, Acceptor[] acceptors, IPEndPoint local, IReadOnlyList<UringReactor> reactors,
        LoopbackPairs pairs)
    {
        _pairs = pairs;
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
        int backlog)
    {
        var sockets = new Socket[engine.ReactorCount];
        var bound = endPoint;
        try
        {
            for (int i = 0; i < sockets.Length; i++)
            {
                sockets[i] = CreateListeningSocket(bound, backlog);
                bound = (IPEndPoint)sockets[i].LocalEndPoint!; // later sockets share the port the first one got
            }
        }
        catch
        {
            foreach (var s in sockets) s?.Dispose();
            throw;
        }
        var acceptors = new Acceptor[sockets.Length];
        var listener = new UringListener(sockets, acceptors, bound, engine.Reactors, engine.Pairs);
        for (int i = 0; i < sockets.Length; i++)
        {
            acceptors[i] = new Acceptor(listener, engine.Reactors[i], (int)sockets[i].Handle, onConnection);
            engine.Reactors[i].Submit(acceptors[i]);
        }
        return listener;
    }

    internal static Socket CreateListeningSocket(IPEndPoint endPoint, int backlog)
    {
        var s = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.SetRawSocketOption(LibC.SolSocket, LibC.SoReusePort, BitConverter.GetBytes(1));
            s.Bind(endPoint);
            s.Listen(backlog);
            return s;
        }
        catch (SocketException e)
        {
            s.Dispose();
            throw new IoException("listen", e.ErrorCode == 0 ? Errno.EINVAL : (int)e.SocketErrorCode switch
            {
                (int)SocketError.AddressAlreadyInUse => Errno.EADDRINUSE,
                (int)SocketError.AccessDenied => Errno.EACCES,
                _ => Errno.EINVAL,
            }, $"listen on {endPoint} failed: {e.Message}");
        }
    }

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
        /// <summary>After EMFILE/ENFILE the accept is re-armed after this pause instead of spinning.</summary>
        private static readonly TimeSpan RearmDelayAfterError = TimeSpan.FromMilliseconds(50);

        private readonly UringListener _listener;
        private readonly int _fd;
        private readonly Func<Connection, ValueTask> _onConnection;
        private readonly Action<int, UringReactor?> _dispatchParked;
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _multishot;
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
            sqe->IoPrio = _multishot ? IoUringFlags.AcceptMultishot : (ushort)0;
            sqe->UserData = userData;
        }

        public bool OnCompletion(int result, uint flags)
        {
            bool more = (flags & IoUringFlags.CqeFMore) != 0 && result >= 0;
            if (!more) _armed = false;
            if (result >= 0)
            {
                Interlocked.Increment(ref _listener._accepted);
                if (_stopping) LibC.Close(result);
                else
                {
                    UringConnection.SetNoDelay(result);
                    Dispatch(result);
                }
            }
            bool fallback = result == -Errno.EINVAL && _multishot && !_stopping;
            if (fallback) _multishot = false; // a kernel without multishot accept: one accept per request
            if (!more)
            {
                if (_stopping || Reactor.IsStopping) _stopped.TrySetResult();
                else if (result is -Errno.EMFILE or -Errno.ENFILE or -Errno.ENOMEM or -Errno.ENOBUFS) _ = RearmLater();
                else if (result >= 0 || fallback || result is -Errno.ECONNABORTED or -Errno.EINTR or -Errno.EAGAIN)
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
                return;
            }
            target ??= _listener.Place(Reactor);
            Interlocked.Increment(ref target.AcceptedConnections);
            var connection = new UringConnection(target, fd, accepted: true);
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
            await Task.Delay(RearmDelayAfterError);
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
