using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.IO.Native;

namespace Sluice.IO.Uring;

/// <summary>A socket whose I/O runs as io_uring requests on its owning reactor.</summary>
internal sealed class UringConnection : Connection
{
    private readonly UringReactor _reactor;
    private readonly bool _accepted;    // counted in its reactor's AcceptedConnections until disposed
    private readonly AcceptBudget? _budget; // an accepted connection counts in its listener's budget until disposed
    private int _fd;
    private int _slot = -1;             // the socket's slot in the reactor's file table, or -1: requests name _fd
    private LoopbackPairs? _pairs;      // set for an in-process loopback client: its port is removed on dispose
    private int _pairPort = -1;
    private EndPoint? _remote, _local;

    public UringConnection(UringReactor reactor, int fd, bool accepted = false, AcceptBudget? budget = null)
    {
        _reactor = reactor;
        _fd = fd;
        _accepted = accepted;
        _budget = budget;
    }

    internal UringReactor Reactor => _reactor;

    /// <summary>Lets the engine's listener find this client's reactor when it accepts the other end.</summary>
    internal void JoinPairs(LoopbackPairs pairs)
    {
        _pairPort = pairs.Join(_fd, _reactor);
        if (_pairPort >= 0) _pairs = pairs;
    }

    internal override UringReactor? Owner => _reactor;
    public override EndPoint? RemoteEndPoint => _remote ??= _fd >= 0 ? SockAddr.Peer(_fd) : null;
    public override EndPoint? LocalEndPoint => _local ??= _fd >= 0 ? SockAddr.Local(_fd) : null;

    internal static unsafe void SetNoDelay(int fd)
    {
        int one = 1;
        LibC.SetSockOpt(fd, LibC.IpProtoTcp, LibC.TcpNoDelay, &one, sizeof(int));
    }

    private int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(Connection));

    /// <summary>The socket descriptor, for splice to and from files.</summary>
    internal int FileDescriptor => Fd;

    private int _peerLoopback; // 0: not asked yet, 1: yes, -1: no — a connection's peer never changes

    /// <summary>Whether the peer is on this host (127/8, ::1, ::ffff:127/104): one getpeername per connection.</summary>
    internal bool PeerIsLoopback
    {
        get
        {
            if (_peerLoopback == 0) _peerLoopback = SockAddr.PeerIsLoopback(Fd) ? 1 : -1;
            return _peerLoopback > 0;
        }
    }

    /// <summary>True when requests name the socket by its registered slot (IOSQE_FIXED_FILE).</summary>
    internal bool IsRegistered => _slot >= 0;

    /// <summary>
    /// Installs the socket in the owning reactor's file table when the engine uses direct descriptors. A slot is an
    /// index into one ring's table, so this runs once the connection has its final reactor, and only that reactor's
    /// requests name it. A full table or a kernel without one leaves the connection on its descriptor.
    /// </summary>
    internal async ValueTask TryInstallAsync()
    {
        if (!_reactor.DirectSockets || _fd < 0) return;
        int slot = await _reactor.TryInstallFileAsync(_fd);
        if (slot < 0) return;
        Volatile.Write(ref _slot, slot);
        // Disposed meanwhile (from another thread): whichever of us takes the slot back empties it.
        if (Volatile.Read(ref _fd) < 0 && Interlocked.Exchange(ref _slot, -1) is >= 0 and var taken)
            _reactor.ReleaseSlot(taken);
    }

    /// <summary>A request on this socket: by slot with IOSQE_FIXED_FILE when registered, else by descriptor.</summary>
    private UringOperation Op(IoUringOp opcode, string name, ulong addr = 0, uint len = 0, ulong off = 0, uint opFlags = 0)
    {
        int fd = Fd; // throws once disposed, before anything is rented
        int slot = _slot;
        var op = UringOperation.Rent(_reactor);
        return slot >= 0
            ? op.Set(opcode, name, slot, addr, len, off, opFlags).WithSqeFlags(IoUringFlags.SqeFixedFile)
            : op.Set(opcode, name, fd, addr, len, off, opFlags);
    }

    public override unsafe ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var op = Op(IoUringOp.Recv, "recv");
        var pin = buffer.Pin();
        return op.WithAddress((ulong)pin.Pointer, (uint)buffer.Length).WithPin(pin).RunAsync(cancellationToken);
    }

    // Pooled builder: a send that does not complete synchronously reuses a state-machine box, no allocation.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int n = await SendOnce(buffer, cancellationToken);
            buffer = buffer[n..];
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask SendAsync(Buffers.NativeBuffer buffer, int offset, int length,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + length, buffer.Length);
        if (!ReferenceEquals(_reactor.RegisteredPool, buffer.Pool) || !_reactor.Ring.Supports(IoUringOp.SendZc))
        {
            await SendAsync(buffer.Memory.Slice(offset, length), cancellationToken);
            return;
        }
        while (length > 0)
        {
            int n = await SendFixedOnce(buffer, offset, length, cancellationToken);
            offset += n;
            length -= n;
        }
    }

    private unsafe ValueTask<int> SendFixedOnce(Buffers.NativeBuffer buffer, int offset, int length, CancellationToken ct)
    {
        // The fixed buffer is the whole size-class slab (index = class); the address selects the bytes inside it.
        Interlocked.Increment(ref _reactor.ZeroCopySends);
        return Op(IoUringOp.SendZc, "send_zc", (ulong)(buffer.Address + offset), (uint)length, 0, LibC.MsgNoSignal)
            .WithIoPrio(IoUringFlags.RecvSendFixedBuf).WithBufIndex((ushort)buffer.RegisteredIndex)
            .WithZeroCopyNotification().RunAsync(ct);
    }

    private unsafe ValueTask<int> SendOnce(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var op = Op(IoUringOp.Send, "send", 0, 0, 0, LibC.MsgNoSignal);
        var pin = buffer.Pin();
        return op.WithAddress((ulong)pin.Pointer, (uint)buffer.Length).WithPin(pin).RunAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        int total = head.Length + body.Length;
        int n = await SendGathered(head, body, cancellationToken);
        if (n == total) return;
        // Short gathered write: finish with plain sends of what is left.
        if (n < head.Length)
        {
            await SendAsync(head[n..], cancellationToken);
            n = head.Length;
        }
        await SendAsync(body[(n - head.Length)..], cancellationToken);
    }

    private unsafe ValueTask<int> SendGathered(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var op = Op(IoUringOp.SendMsg, "sendmsg", 0, 1, 0, LibC.MsgNoSignal);
        var pinHead = head.Pin();
        var pinBody = body.Pin();
        // struct iovec { void* base; size_t len; } ×2, then struct msghdr pointing at them.
        ulong* iov = (ulong*)(op.Scratch + UringOperation.IovecOffset);
        iov[0] = (ulong)pinHead.Pointer; iov[1] = (ulong)head.Length;
        iov[2] = (ulong)pinBody.Pointer; iov[3] = (ulong)body.Length;
        ulong* msg = (ulong*)(op.Scratch + UringOperation.MsghdrOffset);
        // msghdr: name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad) = 7 × 8 bytes
        msg[0] = 0; msg[1] = 0; msg[2] = (ulong)iov; msg[3] = 2; msg[4] = 0; msg[5] = 0; msg[6] = 0;
        return op.WithAddress((ulong)msg, 1).WithPin(pinHead).WithPin(pinBody).RunAsync(ct);
    }

    public override async ValueTask ShutdownSendAsync()
    {
        if (_reactor.Ring.Supports(IoUringOp.Shutdown))
            await Op(IoUringOp.Shutdown, "shutdown", 0, LibC.ShutWr).RunAsync(CancellationToken.None);
        else if (LibC.Shutdown(Fd, LibC.ShutWr) < 0)
            throw IoException.FromErrno("shutdown", Marshal.GetLastPInvokeError());
    }

    public override void Abort()
    {
        int fd = Volatile.Read(ref _fd);
        if (fd >= 0) LibC.Shutdown(fd, LibC.ShutRdWr); // completes the requests pending on it, as in DisposeAsync
    }

    public override ValueTask DisposeAsync()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0) return ValueTask.CompletedTask;
        if (_accepted) Interlocked.Decrement(ref _reactor.AcceptedConnections);
        _pairs?.Remove(_pairPort);
        // A request in the kernel holds its own file reference, so close alone would not end a pending recv.
        // Shutting the socket down completes every pending request on it (recv sees EOF, send EPIPE).
        LibC.Shutdown(fd, LibC.ShutRdWr);
        LibC.Close(fd);
        _budget?.Release();
        // The table's reference keeps the (shut down) socket alive until the slot is emptied on the owning ring.
        int slot = Interlocked.Exchange(ref _slot, -1);
        if (slot >= 0) _reactor.ReleaseSlot(slot);
        return ValueTask.CompletedTask;
    }
}
