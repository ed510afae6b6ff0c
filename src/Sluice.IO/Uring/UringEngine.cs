using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.IO.Buffers;
using Sluice.IO.Files;
using Sluice.IO.Native;

namespace Sluice.IO.Uring;

/// <summary>The io_uring engine: N reactors, each a thread with its own ring.</summary>
internal sealed class UringEngine : IoEngine
{
    private readonly UringReactor[] _reactors;
    private int _next;

    private readonly bool _pairLoopback;
    private readonly bool _zeroCopyToLoopback;

    private UringEngine(UringReactor[] reactors, NativeBufferPool buffers, bool pairLoopback, bool zeroCopyToLoopback)
    {
        _pairLoopback = pairLoopback;
        _reactors = reactors;
        Buffers = buffers;
        _zeroCopyToLoopback = zeroCopyToLoopback;
    }

    public override NativeBufferPool Buffers { get; }

    public override string Name => "io_uring";
    public override string Description => $"io_uring, {_reactors.Length} reactor(s), setup {_reactors[0].SetupName}";
    public override int ReactorCount => _reactors.Length;
    internal IReadOnlyList<UringReactor> Reactors => _reactors;

    public override IoCounters Counters
    {
        get
        {
            IoCounters sum = default;
            foreach (var r in _reactors) sum += r.Counters;
            return sum;
        }
    }

    public readonly record struct Failure(int Errno, string Reason);

    public static UringEngine? TryCreate(int reactorCount, IoEngineOptions options, Action<string>? log,
        out Failure failure)
    {
        failure = default;
        var reactors = new List<UringReactor>();
        for (int i = 0; i < reactorCount; i++)
        {
            var r = UringReactor.TryStart(i, options.RingEntries, out int errno);
            if (r == null)
            {
                foreach (var started in reactors) started.Dispose();
                failure = new Failure(errno, Explain(errno));
                return null;
            }
            r.DirectSockets = options.ResolveDirectDescriptors() && r.Ring.FileSlots > 0;
            reactors.Add(r);
        }
        var buffers = options.CreateBuffers();
        RegisterBuffers(reactors, buffers, log);
        return new UringEngine([.. reactors], buffers, options.PairLoopbackConnections, options.ZeroCopyToLoopback);
    }

    /// <summary>
    /// Registers every size class's slab with every ring (IORING_REGISTER_BUFFERS, index = class). Pinned pages count
    /// against RLIMIT_MEMLOCK without CAP_IPC_LOCK; when the kernel refuses, buffers still work, just not as fixed.
    /// </summary>
    private static unsafe void RegisterBuffers(List<UringReactor> reactors, NativeBufferPool buffers, Action<string>? log)
    {
        int n = buffers.ClassCount;
        var iovecs = new ulong[n * 2];
        for (int i = 0; i < n; i++)
        {
            var (address, length) = buffers.ClassSlab(i);
            iovecs[2 * i] = (ulong)address;
            iovecs[2 * i + 1] = (ulong)length;
        }
        foreach (var r in reactors)
        {
            int result = r.RunOnThread(() =>
            {
                fixed (ulong* iov = iovecs) return r.Ring.Register(IoUringFlags.RegisterBuffers, iov, (uint)n);
            });
            if (result < 0)
            {
                (log ?? Console.Error.WriteLine)($"sluice: registering I/O buffers failed ({Marshal.GetPInvokeErrorMessage(-result)}); " +
                    "file I/O uses unregistered buffers");
                return;
            }
        }
        buffers.IsRegistered = true;
        foreach (var r in reactors) r.RegisteredPool = buffers;
    }

    private static string Explain(int errno) => errno switch
    {
        Errno.ENOSYS => "io_uring_setup: not supported by this kernel (ENOSYS)",
        Errno.EPERM => "io_uring_setup: not permitted (EPERM: kernel.io_uring_disabled or a seccomp filter)",
        Errno.EACCES => "io_uring_setup: access denied (EACCES)",
        Errno.ENOMEM => "io_uring_setup: out of memory or locked-memory limit (ENOMEM)",
        _ => $"io_uring_setup failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})",
    };

    /// <summary>READ_FIXED / WRITE_FIXED operations completed by this engine's files (tests check the path is used).</summary>
    internal long FixedReads, FixedWrites;

    private readonly PipePool _pipes = new();
    private readonly LoopbackPairs _pairs = new();
    internal LoopbackPairs Pairs => _pairs;

    /// <summary>
    /// Transfers to a loopback peer from this size up are copied (read + send) instead of sendfile'd; smaller ones
    /// stay on sendfile, where the difference is too small to pay for the peer-address check.
    /// </summary>
    private const long LoopbackCopyMinBytes = 1 << 20;

    /// <summary>File transfers copied to a loopback peer instead of sendfile'd (tests check the choice).</summary>
    internal static long LoopbackCopies;

    private int _loopbackCopiesInFlight;
    internal PipePool Pipes => _pipes;

    /// <summary>The calling reactor when called on one (its awaits then resume inline), else the next in turn.</summary>
    internal UringReactor CurrentOrNextReactor()
    {
        foreach (var r in _reactors)
            if (r.IsOnReactorThread) return r;
        return NextReactor();
    }

    internal UringReactor NextReactor() => _reactors[(int)((uint)Interlocked.Increment(ref _next) % (uint)_reactors.Length)];

    public override Task RunAsync(Func<ValueTask> work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        NextReactor().Post(static s =>
        {
            var (w, d) = ((Func<ValueTask>, TaskCompletionSource))s!;
            _ = Run(w, d);
        }, (work, done));
        return done.Task;

        static async Task Run(Func<ValueTask> work, TaskCompletionSource done)
        {
            try
            {
                await work();
                done.TrySetResult();
            }
            catch (Exception e) { done.TrySetException(e); }
        }
    }

    public override async ValueTask<Connection> ConnectAsync(EndPoint endPoint, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var reactor = UringReactor.Current is { } current && Array.IndexOf(_reactors, current) >= 0 ? current : NextReactor();
        var family = endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2;
        int fd = LibC.Socket(family, 1 /* SOCK_STREAM */ | LibC.SockCloexec, 0);
        if (fd < 0) throw IoException.FromErrno("socket", Marshal.GetLastPInvokeError());
        bool loopback = _pairLoopback && endPoint is IPEndPoint { Address: var address } && IPAddress.IsLoopback(address);
        if (loopback) _pairs.BeginConnect();
        UringConnection connection;
        try
        {
            UringConnection.SetNoDelay(fd);
            await ConnectOnReactor(reactor, fd, endPoint, timeout, cancellationToken);
            connection = new UringConnection(reactor, fd);
            if (loopback) connection.JoinPairs(_pairs);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
        finally
        {
            if (loopback) _pairs.EndConnect();
        }
        await connection.TryInstallAsync();
        return connection;
    }

    private static unsafe ValueTask<int> ConnectOnReactor(UringReactor reactor, int fd, EndPoint endPoint,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var op = UringOperation.Rent(reactor);
        byte* sa = op.Scratch + UringOperation.SockaddrOffset;
        int len = SockAddr.Write(endPoint, sa, UringOperation.SockaddrCapacity);
        return op.Set(IoUringOp.Connect, "connect", fd, (ulong)sa, 0, (ulong)len)
            .WithTimeout(timeout).RunAsync(cancellationToken);
    }

    public override ValueTask<IoFile> OpenFileAsync(string path, IoFileOptions options,
        CancellationToken cancellationToken = default) => UringFileSystem.OpenAsync(this, path, options, cancellationToken);

    public override ValueTask<IoFileStat> StatAsync(string path, CancellationToken cancellationToken = default) =>
        UringFileSystem.StatAsync(this, path, cancellationToken);

    public override ValueTask RenameAsync(string source, string destination, CancellationToken cancellationToken = default) =>
        UringFileSystem.RenameAsync(this, source, destination, cancellationToken);

    public override ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        UringFileSystem.DeleteAsync(this, path, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CopyToLoopbackAsync(NativeBuffer buffer, ReadOnlyMemory<byte> head, IoFile file, long offset,
        long count, Connection connection, CancellationToken cancellationToken)
    {
        try { await BufferedTransfer.SendFileAsync(buffer, head, file, offset, count, connection, cancellationToken); }
        finally { Interlocked.Decrement(ref _loopbackCopiesInFlight); }
    }

    private protected override ValueTask SendFileCoreAsync(ReadOnlyMemory<byte> head, IoFile file, long offset, long count,
        Connection connection, CancellationToken cancellationToken)
    {
        var (f, c) = Own(file, connection);
        if (!c.Reactor.Ring.Supports(IoUringOp.Splice))
            return BufferedTransfer.SendFileAsync(Buffers, head, file, offset, count, connection, cancellationToken);
        // A loopback peer copies every byte out of the socket anyway; a copy just made (read into a registered
        // buffer, then send) is cache-hot for it, page-cache pages are not: zero copy costs the receiver more than
        // it saves the sender there (docs/benchmarks.md, "GET of a 1 GiB object"). Only while a buffer is free and
        // at most half of the largest buffers are held this way (a slow reader keeps its buffer for the whole
        // transfer; uploads need those buffers too): sendfile never waits for one.
        if (!_zeroCopyToLoopback && count >= LoopbackCopyMinBytes && c.PeerIsLoopback)
        {
            int limit = Buffers.ClassCapacity(Buffers.ClassCount - 1) / 2;
            if (Interlocked.Increment(ref _loopbackCopiesInFlight) <= limit
                && Buffers.TryRent(BufferedTransfer.ChunkSize(Buffers, count), out var buffer))
            {
                Interlocked.Increment(ref LoopbackCopies);
                return CopyToLoopbackAsync(buffer, head, file, offset, count, connection, cancellationToken);
            }
            Interlocked.Decrement(ref _loopbackCopiesInFlight);
        }
        return UringSendFile.SendFileAsync(c.Reactor, _pipes, head, f, offset, count, c.FileDescriptor, cancellationToken);
    }

    private protected override ValueTask ReceiveToFileCoreAsync(Connection connection, IoFile file, long offset,
        long count, CancellationToken cancellationToken)
    {
        var (f, c) = Own(file, connection);
        return c.Reactor.Ring.Supports(IoUringOp.Splice)
            ? UringSplice.ReceiveToFileAsync(c.Reactor, _pipes, c.FileDescriptor, f, offset, count, cancellationToken)
            : BufferedTransfer.ReceiveToFileAsync(Buffers, connection, file, offset, count, cancellationToken);
    }

    private static (UringFile, UringConnection) Own(IoFile file, Connection connection) =>
        (file as UringFile ?? throw new ArgumentException("the file was opened by another engine", nameof(file)),
         connection as UringConnection ?? throw new ArgumentException("the connection belongs to another engine", nameof(connection)));

    public override Listener Listen(IPEndPoint endPoint, Func<Connection, ValueTask> onConnection, int backlog = 512,
        Action<string>? log = null) =>
        UringListener.Start(this, endPoint, onConnection, backlog, AcceptBudget.ForDescriptorLimit(log));

    public override async ValueTask DisposeAsync()
    {
        foreach (var r in _reactors) await r.StopAsync();
        _pipes.Dispose(); // no splice can be in flight once the rings are gone
        DisposeBuffers(); // the kernel is done with them once the rings are gone; their renters may not be
    }
}
