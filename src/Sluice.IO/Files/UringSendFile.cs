using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.IO.Native;
using Sluice.IO.Uring;

namespace Sluice.IO.Files;

/// <summary>
/// File → socket for data already in the page cache: sendfile(2) on the reactor thread, with an io_uring poll when
/// the socket is full. io_uring runs every splice in a kernel worker thread (two hand-offs per pipe-full); for
/// cached pages that costs more CPU than it saves (docs/benchmarks.md), while sendfile hands the pages to the
/// socket inline. A range whose pages are not cached would make sendfile block the reactor on the disk, so each
/// step first asks the page cache (a 1-byte RWF_NOWAIT read at each end of the step not already probed: one per
/// sendfile call once the transfer is under way) and sends uncached steps through the splice path, whose worker
/// threads are the right place to wait for the disk. A head given with the file (an HTTP response head) goes first
/// with MSG_MORE, so it leaves in the same segment as the first file bytes instead of as a packet of its own: one
/// transmit and one wake-up of the peer fewer per response.
/// </summary>
internal static class UringSendFile
{
    /// <summary>
    /// Bytes per step: large enough to amortize the residency probe and the sendfile call (4 MiB took ~15% less
    /// sender CPU than 1 MiB, docs/benchmarks-io.md), small enough that probing its two ends is meaningful.
    /// </summary>
    private const int StepBytes = 4 << 20;

    /// <summary>Inline sendfile calls and steps handed to splice (tests and the I/O benchmark check both paths run).</summary>
    internal static long InlineSteps, SplicedSteps;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask SendFileAsync(UringReactor reactor, PipePool pipes, ReadOnlyMemory<byte> head,
        UringFile file, long offset, long count, int socketFd, CancellationToken cancellationToken)
    {
        EnsureNonBlocking(socketFd);
        while (!head.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int sent = SendHeadInline(socketFd, head.Span);
            if (sent < 0) await UringSplice.PollWritable(reactor, socketFd, cancellationToken);
            else head = head[sent..];
        }
        long total = count;
        long cachedEnd = offset; // bytes before this were judged cached by an earlier probe
        while (count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Each call asks for a whole step from where the socket stopped taking bytes (no small remainders), and
            // only the step's ends not already probed are probed: after the first, one probe per call.
            int step = (int)Math.Min(count, StepBytes);
            long last = offset + step - 1;
            if (!(offset < cachedEnd || IsCached(file.Fd, offset)) || !(last < cachedEnd || IsCached(file.Fd, last)))
            {
                Interlocked.Increment(ref SplicedSteps);
                await UringSplice.SendFileAsync(reactor, pipes, file, offset, step, socketFd, cancellationToken);
                offset += step;
                count -= step;
                continue;
            }
            cachedEnd = Math.Max(cachedEnd, last + 1);
            Interlocked.Increment(ref InlineSteps);
            long sent = SendInline(socketFd, file, offset, step, count, total);
            if (sent < 0) await UringSplice.PollWritable(reactor, socketFd, cancellationToken); // socket full: wait, no thread
            else
            {
                offset += sent;
                count -= sent;
            }
        }
    }

    /// <summary>
    /// Sends what the socket takes of the head now, held back (MSG_MORE) until the file bytes follow; -1 when the
    /// socket is full. The sendfile that follows always pushes: its last chunk goes without MSG_MORE.
    /// </summary>
    private static unsafe int SendHeadInline(int socketFd, ReadOnlySpan<byte> head)
    {
        fixed (byte* p = head)
        {
            while (true)
            {
                nint n = LibC.Send(socketFd, p, (nuint)head.Length, LibC.MsgMore | LibC.MsgNoSignal | LibC.MsgDontWait);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return -1;
                throw IoException.FromErrno("send", errno);
            }
        }
    }

    /// <summary>Sends what the socket takes now; -1 when it is full.</summary>
    private static unsafe long SendInline(int socketFd, UringFile file, long offset, int step, long count, long total)
    {
        while (true)
        {
            long position = offset;
            nint n = LibC.SendFile(socketFd, file.Fd, &position, (nuint)step);
            if (n > 0) return n;
            if (n == 0)
                throw new IoException("sendfile", 0, $"sendfile {file.Path}: the file ends before offset {offset}; " +
                    $"{count} of {total} bytes were still to send");
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR) continue;
            if (errno == Errno.EAGAIN) return -1;
            throw IoException.FromErrno("sendfile", errno);
        }
    }

    /// <summary>True when the page holding byte <paramref name="offset"/> is in the page cache (a read would not block).</summary>
    private static unsafe bool IsCached(int fd, long offset)
    {
        byte probe;
        ulong* iov = stackalloc ulong[2];
        iov[0] = (ulong)&probe;
        iov[1] = 1;
        return LibC.PReadV2(fd, iov, 1, offset, LibC.RwfNoWait) == 1;
    }

    /// <summary>sendfile must never block the reactor: the socket is switched to non-blocking (io_uring copes with both).</summary>
    private static void EnsureNonBlocking(int fd)
    {
        int flags = LibC.Fcntl(fd, LibC.FGetFl, 0);
        if (flags >= 0 && (flags & LibC.ONonBlock) == 0) LibC.Fcntl(fd, LibC.FSetFl, flags | LibC.ONonBlock);
    }
}
