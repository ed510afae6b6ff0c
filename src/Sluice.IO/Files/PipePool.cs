using Sluice.IO.Native;

namespace Sluice.IO.Files;

/// <summary>
/// Pipes for splice (file → pipe → socket and back). A pipe is reused only when it is known to be empty; one a
/// failure may have left bytes in is closed instead. The pool keeps at most <see cref="MaxIdlePipes"/> idle pipes;
/// more concurrent transfers create extra pipes, closed when they come back.
/// </summary>
internal sealed class PipePool : IDisposable
{
    /// <summary>
    /// 1 MiB (256 pages) per pipe: each splice step moves up to this much, so a large transfer costs two SQEs per
    /// MiB instead of per 64 KiB (the default pipe size). It equals the default /proc/sys/fs/pipe-max-size, so an
    /// unprivileged process may ask for it; when the kernel grants less, the pipe keeps what it got.
    /// </summary>
    public const int PreferredPipeSize = 1 << 20;

    /// <summary>Idle pipes kept for reuse: enough for the concurrent transfers of a busy server.</summary>
    public const int MaxIdlePipes = 32;

    private readonly Stack<Pipe> _idle = new();
    private bool _disposed;

    /// <summary>Pipes currently open (idle and rented): tests check nothing leaks.</summary>
    public int OpenPipes => Volatile.Read(ref _open);
    private int _open;

    public unsafe Pipe Rent()
    {
        lock (_idle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var pipe)) return pipe;
        }
        int* fds = stackalloc int[2];
        // Blocking ends on purpose: io_uring runs splice in its worker threads, where a pipe with O_NONBLOCK would
        // surface EAGAIN as the result instead of waiting.
        if (LibC.Pipe2(fds, LibC.OCloexec) < 0) throw FileErrors.LastError("pipe2", null);
        int size = LibC.Fcntl(fds[1], LibC.FSetPipeSize, PreferredPipeSize);
        if (size < 0) size = LibC.Fcntl(fds[1], LibC.FGetPipeSize, 0); // EPERM over the per-user pipe budget
        if (size <= 0)
        {
            var e = FileErrors.LastError("fcntl(F_GETPIPE_SZ)", null);
            LibC.Close(fds[0]);
            LibC.Close(fds[1]);
            throw e;
        }
        Interlocked.Increment(ref _open);
        return new Pipe(fds[0], fds[1], size);
    }

    /// <summary>Takes a pipe back: pooled when <paramref name="empty"/> and there is room, otherwise closed.</summary>
    public void Return(Pipe pipe, bool empty)
    {
        if (empty)
        {
            lock (_idle)
            {
                if (!_disposed && _idle.Count < MaxIdlePipes)
                {
                    _idle.Push(pipe);
                    return;
                }
            }
        }
        Close(pipe);
    }

    private void Close(Pipe pipe)
    {
        LibC.Close(pipe.ReadFd);
        LibC.Close(pipe.WriteFd);
        Interlocked.Decrement(ref _open);
    }

    public void Dispose()
    {
        lock (_idle)
        {
            _disposed = true;
            while (_idle.TryPop(out var pipe)) Close(pipe);
        }
    }

    /// <summary>The two ends of a pipe and how many bytes it holds at most.</summary>
    internal sealed record Pipe(int ReadFd, int WriteFd, int Capacity);
}
