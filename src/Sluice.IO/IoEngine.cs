using System.Net;
using System.Runtime.CompilerServices;
using Sluice.IO.Buffers;
using Sluice.IO.Files;
using Sluice.IO.Managed;
using Sluice.IO.Uring;

namespace Sluice.IO;

/// <summary>
/// The I/O core: reactors, connections and listeners. Two implementations share this surface: io_uring (a thread
/// per reactor, each with its own ring) and a managed fallback over System.Net.Sockets. Callers never branch on
/// which one runs.
/// </summary>
public abstract class IoEngine : IAsyncDisposable
{
    /// <summary>
    /// Disposal's last step, once no ring can use the registered slabs: the pool frees each slab now, or when its last
    /// rented buffer comes back (a renter may still be unwinding once the engine's loops have stopped).
    /// </summary>
    private protected void DisposeBuffers() => Buffers.Dispose();

    /// <summary>"io_uring" or "managed".</summary>
    public abstract string Name { get; }

    /// <summary>How the engine was set up, e.g. the io_uring flags in use, or why the fallback was chosen.</summary>
    public abstract string Description { get; }

    public abstract int ReactorCount { get; }

    /// <summary>
    /// The engine's pool of page-aligned native buffers; with io_uring every size class is registered with every
    /// ring, so file I/O into these buffers uses READ_FIXED / WRITE_FIXED.
    /// </summary>
    public abstract NativeBufferPool Buffers { get; }

    /// <summary>Kernel interaction counts summed over reactors.</summary>
    public abstract IoCounters Counters { get; }

    /// <summary>
    /// Runs <paramref name="work"/> on a reactor (round robin), so that its I/O is submitted and resumed there without
    /// crossing threads: connections it opens belong to that reactor. The managed engine runs it on the thread pool.
    /// </summary>
    public abstract Task RunAsync(Func<ValueTask> work);

    /// <summary>
    /// Opens a TCP connection; fails with <see cref="IoTimeoutException"/> past <paramref name="timeout"/>. Called on a
    /// reactor, the connection belongs to that reactor; otherwise reactors are taken in turn.
    /// </summary>
    public abstract ValueTask<Connection> ConnectAsync(EndPoint endPoint, TimeSpan timeout,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Listens on <paramref name="endPoint"/> (port 0 picks one) and calls <paramref name="onConnection"/> for each
    /// accepted connection — on the accepting reactor's thread with io_uring. The handler owns the connection.
    /// Accepting pauses while the accepted connections open would leave too few file descriptors for the rest of the
    /// process (see AcceptBudget), or while accept fails with EMFILE/ENFILE; <paramref name="log"/> (default:
    /// stderr) gets one line per such episode.
    /// </summary>
    public abstract Listener Listen(IPEndPoint endPoint, Func<Connection, ValueTask> onConnection, int backlog = 512,
        Action<string>? log = null);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Opens (or creates) a file. With io_uring this is IORING_OP_OPENAT and the file's I/O runs on the calling
    /// reactor (or the next one); fails with <see cref="IoException"/> (operation "openat": ENOENT, EACCES, EEXIST,
    /// EISDIR, ...).
    /// </summary>
    public abstract ValueTask<IoFile> OpenFileAsync(string path, IoFileOptions options,
        CancellationToken cancellationToken = default);

    /// <summary>statx(2) of a path (symbolic links followed).</summary>
    public abstract ValueTask<IoFileStat> StatAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>rename(2): atomically replaces <paramref name="destination"/> when it exists (same filesystem only).</summary>
    public abstract ValueTask RenameAsync(string source, string destination, CancellationToken cancellationToken = default);

    /// <summary>unlink(2) of a file.</summary>
    public abstract ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/> to the
    /// connection. With io_uring the payload goes by sendfile (splice through a pipe where the pages are not cached)
    /// and is never copied into user space, except to a loopback peer (see <see cref="IoEngineOptions.ZeroCopyToLoopback"/>);
    /// the managed engine reads into a pooled native buffer and sends it. A file shorter than
    /// offset + count fails before anything is sent. The file must not be O_DIRECT (splice works on the page cache).
    /// </summary>
    public ValueTask SendFileAsync(IoFile file, long offset, long count, Connection connection,
        CancellationToken cancellationToken = default) =>
        SendFileAsync(ReadOnlyMemory<byte>.Empty, file, offset, count, connection, cancellationToken);

    /// <summary>
    /// Sends <paramref name="head"/> (e.g. an HTTP response head) and then the file bytes, as
    /// <see cref="SendFileAsync(IoFile, long, long, Connection, CancellationToken)"/>. The head shares the first
    /// segments with the file bytes instead of leaving as a packet of its own (io_uring: send with MSG_MORE
    /// before sendfile; managed: one gathered write with the first chunk), which saves the peer a wake-up per
    /// response. Nothing is sent if the file is too short.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendFileAsync(ReadOnlyMemory<byte> head, IoFile file, long offset, long count,
        Connection connection, CancellationToken cancellationToken = default)
    {
        ValidateTransfer(file, offset, count, connection);
        if (count == 0)
        {
            if (!head.IsEmpty) await connection.SendAsync(head, cancellationToken).ConfigureAwait(false);
            return;
        }
        long length = await file.GetLengthAsync(cancellationToken).ConfigureAwait(false);
        if (offset > length - count)
            throw new IoException("sendfile", 0, $"sendfile {file.Path}: the file is {length} bytes, " +
                $"so bytes [{offset}, {offset + count}) cannot be sent");
        await SendFileCoreAsync(head, file, offset, count, connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives exactly <paramref name="count"/> bytes from the connection into <paramref name="file"/> at
    /// <paramref name="offset"/> (socket → pipe → file with io_uring). The peer ending the stream early is an
    /// <see cref="IoException"/> saying how many bytes arrived.
    /// </summary>
    public ValueTask ReceiveToFileAsync(Connection connection, IoFile file, long offset, long count,
        CancellationToken cancellationToken = default)
    {
        ValidateTransfer(file, offset, count, connection);
        return count == 0 ? ValueTask.CompletedTask
            : ReceiveToFileCoreAsync(connection, file, offset, count, cancellationToken);
    }

    private protected abstract ValueTask SendFileCoreAsync(ReadOnlyMemory<byte> head, IoFile file, long offset, long count,
        Connection connection, CancellationToken cancellationToken);

    private protected abstract ValueTask ReceiveToFileCoreAsync(Connection connection, IoFile file, long offset,
        long count, CancellationToken cancellationToken);

    private static void ValidateTransfer(IoFile file, long offset, long count, Connection connection)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        // Splice moves the file's bytes as they are: over TLS they would go out in clear (kernel TLS is not used).
        if (connection is TlsConnection)
            throw new NotSupportedException("a file cannot be spliced to or from a TLS connection: its bytes must pass " +
                "through the TLS layer (copy them through a buffer)");
        if (file.IsDirect)
            throw new ArgumentException($"{file.Path} is open with O_DIRECT; splice transfers go through the page " +
                "cache, so open the file without Direct", nameof(file));
    }

    /// <summary>
    /// Picks the engine: SLUICE_IO=managed forces the fallback, SLUICE_IO=uring demands io_uring (and throws when it
    /// cannot start), otherwise io_uring with an automatic fallback, logged once to <paramref name="log"/>.
    /// </summary>
    public static IoEngine Create(IoEngineOptions? options = null, Action<string>? log = null)
    {
        options ??= new IoEngineOptions();
        string? mode = options.Mode ?? Environment.GetEnvironmentVariable("SLUICE_IO");
        int reactors = options.ReactorCount > 0 ? options.ReactorCount : Environment.ProcessorCount;
        switch (mode?.Trim().ToLowerInvariant())
        {
            case "managed":
                return new ManagedEngine(reactors, "forced by SLUICE_IO=managed", options.CreateBuffers());
            case "uring" or "io_uring":
                return UringEngine.TryCreate(reactors, options, log, out var why)
                    ?? throw new IoException("io_uring_setup", why.Errno, $"io_uring unavailable: {why.Reason}");
            case null or "" or "auto":
                var engine = UringEngine.TryCreate(reactors, options, log, out var reason);
                if (engine != null) return engine;
                string line = $"sluice: io_uring unavailable ({reason.Reason}); using the managed I/O engine";
                (log ?? Console.Error.WriteLine)(line);
                return new ManagedEngine(reactors, reason.Reason, options.CreateBuffers());
            default:
                throw new ArgumentException($"SLUICE_IO must be 'uring', 'managed' or 'auto', not '{mode}'");
        }
    }
}

/// <summary>Engine choice and sizing.</summary>
public sealed class IoEngineOptions
{
    /// <summary>"uring", "managed", "auto" or null (then SLUICE_IO decides).</summary>
    public string? Mode { get; init; }

    /// <summary>Reactor threads; 0 means one per core.</summary>
    public int ReactorCount { get; init; }

    /// <summary>Submission queue entries per ring.</summary>
    public uint RingEntries { get; init; } = UringReactor.DefaultEntries;

    /// <summary>
    /// io_uring: install every connection's socket in its reactor's registered file table and name it by slot
    /// (IOSQE_FIXED_FILE) in recv, send, sendmsg and shutdown, which spares the kernel a file lookup and reference
    /// count per request. The socket keeps its descriptor too (sendfile, splice, socket options need one). Null:
    /// SLUICE_IO_DIRECT (1/0, on/off) decides, else <see cref="DefaultDirectDescriptors"/>. Ignored by the managed
    /// engine, and where the kernel lacks a sparse file table or the table is full (the socket then uses its fd).
    /// </summary>
    public bool? DirectDescriptors { get; init; }

    /// <summary>The default of <see cref="DirectDescriptors"/>, chosen by measurement (docs/io.md).</summary>
    public const bool DefaultDirectDescriptors = true;

    /// <summary>
    /// io_uring: the accepted end of a loopback connection this engine opened itself runs on the client's reactor,
    /// so an in-process pair shares one thread (docs/io.md). Off: accepted connections are placed by load only
    /// (benchmarks that measure split pairs turn it off). Ignored by the managed engine.
    /// </summary>
    public bool PairLoopbackConnections { get; init; } = true;

    /// <summary>Buffer pool size classes and counts; null gives <see cref="NativeBufferPool.CreateDefault"/>.</summary>
    public Func<NativeBufferPool>? BufferPoolFactory { get; init; }

    internal bool ResolveDirectDescriptors()
    {
        if (DirectDescriptors is { } set) return set;
        return Environment.GetEnvironmentVariable("SLUICE_IO_DIRECT")?.Trim().ToLowerInvariant() switch
        {
            null or "" => DefaultDirectDescriptors,
            "1" or "on" or "true" => true,
            "0" or "off" or "false" => false,
            var v => throw new ArgumentException($"SLUICE_IO_DIRECT must be 1/on or 0/off, not '{v}'"),
        };
    }

    /// <summary>
    /// io_uring: send files to loopback peers zero-copy (sendfile) too. By default a transfer of 1 MiB or more to a
    /// loopback peer is read into a pool buffer and sent instead, which measured cheaper for the receiver and no
    /// dearer for the sender (docs/io.md, "File → socket"); tests and benchmarks of the zero-copy path set this.
    /// </summary>
    public bool ZeroCopyToLoopback { get; init; }

    internal NativeBufferPool CreateBuffers() => BufferPoolFactory?.Invoke() ?? NativeBufferPool.CreateDefault();
}
