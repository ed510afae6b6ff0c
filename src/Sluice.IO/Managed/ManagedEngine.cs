using System.Net;
using System.Net.Sockets;
using Sluice.IO.Buffers;
using Sluice.IO.Files;
using Sluice.IO.Native;
using Sluice.IO.Uring;

namespace Sluice.IO.Managed;

/// <summary>
/// The fallback engine over System.Net.Sockets (epoll and the thread pool underneath). Same surface, same
/// listener partitioning; it is also the baseline every io_uring benchmark is compared with.
/// </summary>
internal sealed class ManagedEngine : IoEngine
{
    private readonly int _reactors;
    private readonly string _reason;

    public ManagedEngine(int reactors, string reason, NativeBufferPool buffers)
    {
        _reactors = reactors;
        _reason = reason;
        Buffers = buffers;
    }

    public override NativeBufferPool Buffers { get; }

    public override string Name => "managed";
    public override string Description => $"managed (System.Net.Sockets), {_reactors} listener(s): {_reason}";
    public override int ReactorCount => _reactors;
    public override IoCounters Counters => default;

    public override Task RunAsync(Func<ValueTask> work) => Task.Run(async () => await work());

    public override async ValueTask<Connection> ConnectAsync(EndPoint endPoint, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        Socket socket;
        try { socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }; }
        catch (SocketException e) { throw ManagedConnection.Translate("socket", e); }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan) cts.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endPoint, cts.Token);
            return new ManagedConnection(socket);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new IoTimeoutException("connect");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw ManagedConnection.Translate("connect", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override ValueTask<IoFile> OpenFileAsync(string path, IoFileOptions options,
        CancellationToken cancellationToken = default) => ManagedFileSystem.OpenAsync(path, options, cancellationToken);

    public override ValueTask<IoFileStat> StatAsync(string path, CancellationToken cancellationToken = default) =>
        ManagedFileSystem.StatAsync(path, cancellationToken);

    public override ValueTask RenameAsync(string source, string destination, CancellationToken cancellationToken = default) =>
        ManagedFileSystem.RenameAsync(source, destination, cancellationToken);

    public override ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        ManagedFileSystem.DeleteAsync(path, cancellationToken);

    private protected override ValueTask SendFileCoreAsync(ReadOnlyMemory<byte> head, IoFile file, long offset, long count,
        Connection connection, CancellationToken cancellationToken) =>
        BufferedTransfer.SendFileAsync(Buffers, head, file, offset, count, connection, cancellationToken);

    private protected override ValueTask ReceiveToFileCoreAsync(Connection connection, IoFile file, long offset,
        long count, CancellationToken cancellationToken) =>
        BufferedTransfer.ReceiveToFileAsync(Buffers, connection, file, offset, count, cancellationToken);

    public override Listener Listen(IPEndPoint endPoint, Func<Connection, ValueTask> onConnection, int backlog = 512,
        Action<string>? log = null) =>
        ManagedListener.Start(_reactors, endPoint, onConnection, backlog, AcceptBudget.ForDescriptorLimit(log));

    // Operations run on the thread pool: their owners may still be finishing with a buffer.
    public override ValueTask DisposeAsync()
    {
        DisposeBuffers();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Listening sockets (SO_REUSEPORT, one per configured reactor) with an accept loop each.</summary>
internal sealed class ManagedListener : Listener
{
    private readonly Socket[] _sockets;
    private readonly Task[] _loops;
    private readonly CancellationTokenSource _stop = new();
    private readonly AcceptBudget _budget;
    private long _accepted;

    private ManagedListener(Socket[] sockets, IPEndPoint local, Func<Connection, ValueTask> onConnection, AcceptBudget budget)
    {
        _sockets = sockets;
        _budget = budget;
        LocalEndPoint = local;
        _loops = new Task[sockets.Length];
        for (int i = 0; i < sockets.Length; i++) _loops[i] = AcceptLoop(sockets[i], onConnection);
    }

    public override IPEndPoint LocalEndPoint { get; }
    public override long Accepted => Interlocked.Read(ref _accepted);

    public static ManagedListener Start(int count, IPEndPoint endPoint, Func<Connection, ValueTask> onConnection,
        int backlog, AcceptBudget budget)
    {
        var sockets = UringListener.CreateListeningSockets(endPoint, count, backlog);
        return new ManagedListener(sockets, (IPEndPoint)sockets[0].LocalEndPoint!, onConnection, budget);
    }

    private async Task AcceptLoop(Socket listener, Func<Connection, ValueTask> onConnection)
    {
        while (!_stop.IsCancellationRequested)
        {
            if (!_budget.HasRoom)
            {
                // At the budget: leave further connections in the backlog until one of ours closes.
                _budget.Paused(_budget.LimitReason());
                try { await _budget.WhenRoomAsync().WaitAsync(_stop.Token); }
                catch (OperationCanceledException) { return; }
                continue;
            }
            Socket accepted;
            try { accepted = await listener.AcceptAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                if (e.SocketErrorCode == SocketError.TooManyOpenSockets) _budget.Paused(AcceptBudget.ErrnoReason(Errno.EMFILE));
                try { await Task.Delay(AcceptBudget.RetryAfterError, _stop.Token); } // pause instead of spinning
                catch (OperationCanceledException) { return; }
                continue;
            }
            catch (SocketException) when (_stop.IsCancellationRequested) { return; }
            catch (SocketException) { continue; } // a connection aborted before accept: keep listening
            Interlocked.Increment(ref _accepted);
            if (!_budget.TryTake())
            {
                accepted.Dispose(); // another loop took the last room meanwhile
                continue;
            }
            // The connection owns the budget slot from here (its disposal gives it back), before anything can throw.
            var connection = new ManagedConnection(accepted, _budget);
            try { accepted.NoDelay = true; }
            catch (SocketException) { } // the peer already went: the connection's first receive says so
            _ = Handle(connection, onConnection);
        }
    }

    private static async Task Handle(ManagedConnection connection, Func<Connection, ValueTask> onConnection)
    {
        try { await onConnection(connection); }
        catch (Exception) { await connection.DisposeAsync(); }
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var s in _sockets) s.Dispose();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
