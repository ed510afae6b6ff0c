using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Sluice.IO.Native;

namespace Sluice.IO.Managed;

/// <summary>A connection over System.Net.Sockets, translating its errors into <see cref="IoException"/>.</summary>
internal sealed class ManagedConnection : Connection
{
    private readonly Socket _socket;
    private readonly AcceptBudget? _budget; // an accepted connection counts in its listener's budget until disposed
    private int _disposed;

    public ManagedConnection(Socket socket, AcceptBudget? budget = null)
    {
        _socket = socket;
        _budget = budget;
    }

    public override EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;
    public override EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // once per request on a server: reuse the box
    public override async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try { return await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken); }
        catch (SocketException e) { throw Translate("recv", e); }
        catch (ObjectDisposedException) when (!cancellationToken.IsCancellationRequested) { return 0; }
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            while (!buffer.IsEmpty)
            {
                int n = await _socket.SendAsync(buffer, SocketFlags.None, cancellationToken);
                buffer = buffer[n..];
            }
        }
        catch (SocketException e) { throw Translate("send", e); }
        catch (ObjectDisposedException) { throw new IoException("send", Errno.EPIPE); }
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        await SendAsync(head, cancellationToken);
        await SendAsync(body, cancellationToken);
    }

    public override ValueTask ShutdownSendAsync()
    {
        try { _socket.Shutdown(SocketShutdown.Send); }
        catch (SocketException e) { throw Translate("shutdown", e); }
        return ValueTask.CompletedTask;
    }

    public override void Abort()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        try { _socket.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { } // already reset or closed
    }

    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } // already reset or closed
            _socket.Dispose();
            _budget?.Release();
        }
        return ValueTask.CompletedTask;
    }

    internal static IoException Translate(string operation, SocketException e)
    {
        int errno = e.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => Errno.ECONNREFUSED,
            SocketError.ConnectionReset => Errno.ECONNRESET,
            SocketError.ConnectionAborted => Errno.ECONNABORTED,
            SocketError.Shutdown => Errno.EPIPE,
            SocketError.TimedOut => Errno.ETIMEDOUT,
            SocketError.TooManyOpenSockets => Errno.EMFILE,
            SocketError.NetworkUnreachable => Errno.ENETUNREACH,
            SocketError.AddressAlreadyInUse => Errno.EADDRINUSE,
            SocketError.NoBufferSpaceAvailable => Errno.ENOBUFS,
            _ => Errno.EIO,
        };
        return IoException.FromErrno(operation, errno);
    }
}
