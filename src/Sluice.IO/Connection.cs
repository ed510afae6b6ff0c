using System.Net;

namespace Sluice.IO;

/// <summary>
/// A connected stream socket on one of the engines. Receives return 0 at end of stream; sends write everything
/// or throw. Failures are <see cref="IoException"/> (with errno), timeouts <see cref="IoTimeoutException"/>,
/// cancellation <see cref="OperationCanceledException"/>.
/// </summary>
public abstract class Connection : IAsyncDisposable
{
    public abstract EndPoint? RemoteEndPoint { get; }
    public abstract EndPoint? LocalEndPoint { get; }

    /// <summary>Receives up to buffer.Length bytes; 0 means the peer closed its side.</summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Sends all of buffer (short writes are continued internally).</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Sends head then body with one gathered write where the engine can (sendmsg with two iovecs).</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="length"/> bytes of a pool buffer. With io_uring, a buffer registered with the ring goes
    /// out as SEND_ZC from the fixed buffer (no copy into the socket, no per-send page pinning); the call completes
    /// when the kernel has released the buffer. Worth it for large sends on real NICs; on loopback the kernel copies
    /// anyway (see docs/benchmarks.md). Otherwise it is a plain send.
    /// </summary>
    public virtual ValueTask SendAsync(Buffers.NativeBuffer buffer, int offset, int length,
        CancellationToken cancellationToken = default) =>
        SendAsync(buffer.Memory.Slice(offset, length), cancellationToken);

    /// <summary>Half-closes: the peer then reads end of stream; receiving still works.</summary>
    public abstract ValueTask ShutdownSendAsync();

    /// <summary>
    /// Shuts the socket down both ways without closing it: pending and later receives see end of stream, sends fail,
    /// so whoever is using the connection unwinds (a server stopping past its grace period). The owner still disposes
    /// it, and must not let this race that dispose (the descriptor could be reused by then).
    /// </summary>
    public abstract void Abort();

    /// <summary>Continues the awaiting method on the reactor that owns this connection (see <see cref="OwnerAwaitable"/>).</summary>
    public OwnerAwaitable ResumeOnOwner() => new(Owner);

    internal virtual Uring.UringReactor? Owner => null;

    /// <summary>A Stream over this connection, e.g. for SslStream. Disposing the stream disposes the connection.</summary>
    public Stream AsStream() => new ConnectionStream(this);

    public abstract ValueTask DisposeAsync();
}
