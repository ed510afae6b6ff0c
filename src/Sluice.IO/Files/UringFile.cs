using System.Buffers;
using System.Runtime.CompilerServices;
using Sluice.IO.Buffers;
using Sluice.IO.Native;
using Sluice.IO.Uring;

namespace Sluice.IO.Files;

/// <summary>
/// A file whose I/O runs as io_uring requests on one reactor (the opener's when opened on a reactor thread, so its
/// awaits resume inline). Where the ring lacks an opcode the same call goes to libc instead.
/// </summary>
internal sealed class UringFile : IoFile
{
    private const uint FsyncDataSync = 1; // IORING_FSYNC_DATASYNC

    private readonly UringEngine _engine;
    private int _fd;
    private int _slot = -1;     // index in the reactor's registered file table, or -1: reads and writes use _fd

    public UringFile(UringEngine engine, UringReactor reactor, int fd, string path, bool canRead, bool canWrite,
        bool isDirect) : base(path, canRead, canWrite, isDirect)
    {
        _engine = engine;
        Reactor = reactor;
        _fd = fd;
    }

    internal UringReactor Reactor { get; }
    internal int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(Path);

    /// <summary>True when reads and writes name the file by its registered slot (IOSQE_FIXED_FILE).</summary>
    internal bool IsRegistered => _slot >= 0;

    /// <summary>
    /// Installs the descriptor in the reactor's registered file table (FILES_UPDATE, the kernel picks the slot), so
    /// reads and writes skip the per-request file lookup and reference count. A full table or an old kernel leaves
    /// the file unregistered, which works the same.
    /// </summary>
    internal async ValueTask TryRegisterAsync() => _slot = await Reactor.TryInstallFileAsync(Fd);

    private IoUring Ring => Reactor.Ring;

    private static unsafe ulong Address(in MemoryHandle pin) => (ulong)pin.Pointer;
    private static unsafe ulong Address(NativeBuffer buffer) => (ulong)buffer.Address;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        using var pin = buffer.Pin();
        while (true)
        {
            try { return await Transfer(read: true, Address(pin), buffer.Length, offset, -1, cancellationToken); }
            catch (IoException e) when (FileErrors.IsTransient(e)) { }
            catch (IoException e) { throw FileErrors.WithPath(e, Path); }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> ReadCoreAsync(NativeBuffer buffer, int length, long offset,
        CancellationToken cancellationToken)
    {
        int index = FixedIndex(buffer);
        while (true)
        {
            try
            {
                int n = await Transfer(read: true, Address(buffer), length, offset, index, cancellationToken);
                if (index >= 0) Interlocked.Increment(ref _engine.FixedReads);
                return n;
            }
            catch (IoException e) when (FileErrors.IsTransient(e)) { }
            catch (IoException e) { throw FileErrors.WithPath(e, Path); }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        using var pin = buffer.Pin();
        await WriteAll(Address(pin), buffer.Length, offset, -1, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask WriteCoreAsync(NativeBuffer buffer, int length, long offset,
        CancellationToken cancellationToken)
    {
        int index = FixedIndex(buffer);
        await WriteAll(Address(buffer), length, offset, index, cancellationToken);
        if (index >= 0) Interlocked.Increment(ref _engine.FixedWrites);
    }

    /// <summary>Writes until every byte is down: a short write continues where it stopped.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAll(ulong address, int length, long offset, int fixedIndex, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < length)
        {
            int n;
            try { n = await Transfer(read: false, address + (ulong)done, length - done, offset + done, fixedIndex, cancellationToken); }
            catch (IoException e) when (FileErrors.IsTransient(e)) { continue; }
            catch (IoException e) { throw FileErrors.WithPath(e, Path); }
            // A regular file never accepts 0 bytes of a non-empty write without an error; looping would spin.
            if (n == 0) throw new IoException("write", Errno.EIO, $"write {Path}: no progress at offset {offset + done}");
            done += n;
        }
    }

    /// <summary>
    /// The fixed-buffer index for a buffer of this engine's registered pool (the whole size class slab is one
    /// registered buffer, so the index is the class and the address lies inside it), or -1 for a plain read/write.
    /// </summary>
    private int FixedIndex(NativeBuffer buffer)
    {
        int index = buffer.RegisteredIndex;
        var pool = _engine.Buffers;
        if (index < 0 || !pool.IsRegistered || index >= pool.ClassCount) return -1;
        var (slab, length) = pool.ClassSlab(index);
        long at = (long)Address(buffer) - slab;
        if (at < 0 || at + buffer.Length > length) return -1; // another pool's buffer
        return Ring.Supports(IoUringOp.ReadFixed) && Ring.Supports(IoUringOp.WriteFixed) ? index : -1;
    }

    private unsafe ValueTask<int> Transfer(bool read, ulong address, int length, long offset, int fixedIndex,
        CancellationToken cancellationToken)
    {
        var opcode = fixedIndex >= 0 ? (read ? IoUringOp.ReadFixed : IoUringOp.WriteFixed)
            : read ? IoUringOp.Read : IoUringOp.Write;
        string name = read ? "read" : "write";
        if (!Ring.Supports(opcode))
        {
            nint r = read ? LibC.PRead(Fd, (void*)address, (nuint)length, offset)
                : LibC.PWrite(Fd, (void*)address, (nuint)length, offset);
            return r >= 0 ? ValueTask.FromResult((int)r) : ValueTask.FromException<int>(FileErrors.LastError(name, Path));
        }
        int slot = _slot;
        var op = UringOperation.Rent(Reactor).Set(opcode, name, slot >= 0 ? slot : Fd, address, (uint)length, (ulong)offset);
        if (slot >= 0) op.WithSqeFlags(IoUringFlags.SqeFixedFile);
        if (fixedIndex >= 0) op.WithBufIndex((ushort)fixedIndex);
        // O_DIRECT goes to the device: hand it over now rather than after the rest of the loop turn (see SubmitImmediately).
        if (IsDirect) op.WithImmediateSubmit();
        return op.RunAsync(cancellationToken);
    }

    public override async ValueTask FlushAsync(bool dataOnly = false, CancellationToken cancellationToken = default)
    {
        string name = dataOnly ? "fdatasync" : "fsync";
        if (!Ring.Supports(IoUringOp.Fsync))
        {
            int fd = Fd;
            await Task.Run(() =>
            {
                if ((dataOnly ? LibC.FDataSync(fd) : LibC.FSync(fd)) < 0) throw FileErrors.LastError(name, Path);
            }, cancellationToken);
            return;
        }
        while (true)
        {
            try
            {
                await UringOperation.Rent(Reactor).Set(IoUringOp.Fsync, name, Fd, opFlags: dataOnly ? FsyncDataSync : 0)
                    .RunAsync(cancellationToken);
                return;
            }
            catch (IoException e) when (FileErrors.IsTransient(e)) { }
            catch (IoException e) { throw FileErrors.WithPath(e, Path); }
        }
    }

    protected override async ValueTask SyncRangeCoreAsync(long offset, long length, SyncRangeMode mode,
        CancellationToken cancellationToken)
    {
        // SYNC_FILE_RANGE carries the length in len (32 bits) and the flags in the op flags: longer ranges are split.
        const long MaxRequest = 1L << 30;
        if (!Ring.Supports(IoUringOp.SyncFileRange))
        {
            int fd = Fd;
            await Task.Run(() =>
            {
                while (LibC.SyncFileRange(fd, offset, length, (uint)mode) < 0)
                {
                    var e = FileErrors.LastError("sync_file_range", Path);
                    if (!FileErrors.IsTransient(e)) throw e;
                }
            }, cancellationToken);
            return;
        }
        long end = offset + length;
        while (true)
        {
            uint chunk = length == 0 ? 0u : (uint)Math.Min(MaxRequest, end - offset); // 0: to the end of the file
            try
            {
                await UringOperation.Rent(Reactor)
                    .Set(IoUringOp.SyncFileRange, "sync_file_range", Fd, 0, chunk, (ulong)offset, (uint)mode)
                    .RunAsync(cancellationToken);
            }
            catch (IoException e) when (FileErrors.IsTransient(e)) { continue; }
            catch (IoException e) { throw FileErrors.WithPath(e, Path); }
            offset += chunk;
            if (chunk == 0 || offset >= end) return;
        }
    }

    protected override async ValueTask AllocateCoreAsync(long offset, long length, CancellationToken cancellationToken)
    {
        if (!Ring.Supports(IoUringOp.Fallocate))
        {
            if (LibC.FAllocate(Fd, 0, offset, length) < 0) throw FileErrors.LastError("fallocate", Path);
            return;
        }
        // FALLOCATE carries the length in addr and the mode in len.
        try
        {
            await UringOperation.Rent(Reactor).Set(IoUringOp.Fallocate, "fallocate", Fd, (ulong)length, 0, (ulong)offset)
                .RunAsync(cancellationToken);
        }
        catch (IoException e) { throw FileErrors.WithPath(e, Path); }
    }

    /// <summary>
    /// statx of the open descriptor, called inline: it reads the in-memory inode and never waits for the disk, while
    /// io_uring always hands STATX to a worker thread (a thread wake-up and two context switches, which cost a small
    /// GET more CPU than the call itself; docs/server.md).
    /// </summary>
    public override unsafe ValueTask<IoFileStat> StatAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<IoFileStat>(cancellationToken);
        byte* buffer = stackalloc byte[Statx.Size];
        byte empty = 0;
        if (LibC.Statx(Fd, &empty, LibC.AtEmptyPath, Statx.Mask, buffer) < 0)
            return ValueTask.FromException<IoFileStat>(FileErrors.LastError("statx", Path));
        return ValueTask.FromResult(Statx.Parse(buffer));
    }

    public override async ValueTask DisposeAsync()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0) return;
        int slot = _slot;
        _slot = -1;
        await Reactor.ReleaseSlotAsync(slot); // empty the slot first: the table holds its own reference
        if (!Ring.Supports(IoUringOp.Close) || Reactor.IsStopping)
        {
            if (LibC.Close(fd) < 0) throw FileErrors.LastError("close", Path);
            return;
        }
        try { await UringOperation.Rent(Reactor).Set(IoUringOp.Close, "close", fd).RunAsync(CancellationToken.None); }
        catch (OperationCanceledException) { LibC.Close(fd); } // never reached the kernel: the reactor is closing
        catch (IoException e) { throw FileErrors.WithPath(e, Path); }
    }
}
