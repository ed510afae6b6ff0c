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

    /// <summary>Half-closes: the peer then reads end of stream; receiving still works.</summary>
    public abstract ValueTask ShutdownSendAsync();

    /// <summary>Continues the awaiting method on the reactor that owns this connection (see <see cref="OwnerAwaitable"/>).</summary>
    public OwnerAwaitable ResumeOnOwner() => new(Owner);

    internal virtual Uring.UringReactor? Owner => null;

    /// <summary>A Stream over this connection, e.g. for SslStream. Disposing the stream disposes the connection.</summary>
    public Stream AsStream() => new ConnectionStream(this);

    public abstract ValueTask DisposeAsync();
}
