using System.Runtime.CompilerServices;
using Sluice.IO.Native;
using Sluice.IO.Uring;

namespace Sluice.IO.Files;

/// <summary>
/// Zero-copy transfer between a file and a socket with IORING_OP_SPLICE through a pooled pipe: payload pages move
/// from the page cache to the socket (and back) without ever being copied into user space.
/// </summary>
/// <remarks>
/// Sending links the two halves of a step (file → pipe, then pipe → socket) with IOSQE_IO_LINK, so one submission
/// moves up to a pipe's worth. The kernel breaks a link when the first splice moves fewer bytes than asked
/// (io_splice fails the request on a short result): the second then completes with ECANCELED and whatever did reach
/// the pipe is drained with plain splices. Each step stays within the pipe's page slots (an unaligned offset costs
/// one slot more), so a short first half only happens at end of file. Receiving does not link: a socket splice
/// returns what has arrived, which is nearly always less than asked, so a link would break on almost every step.
/// No SPLICE_F_NONBLOCK: io_uring runs splice in its worker threads, where blocking is the point; with the flag a
/// full socket or empty pipe would come back as EAGAIN, since splice has no poll-driven retry in io_uring.
/// </remarks>
internal static class UringSplice
{
    private const uint SpliceFMove = 1;         // a hint: move pages rather than copy where the kernel can
    private const ulong NoOffset = ulong.MaxValue; // -1: the pipe or socket end has no file position
    private const int PageSize = 4096;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask SendFileAsync(UringReactor reactor, PipePool pipes, UringFile file, long offset,
        long count, int socketFd, CancellationToken cancellationToken)
    {
        int fileFd = file.Fd;
        long total = count;
        var pipe = pipes.Rent();
        bool empty = false;
        try
        {
            while (count > 0)
            {
                int step = (int)Math.Min(count, pipe.Capacity - (offset & (PageSize - 1)));
                var fill = Splice(reactor, fileFd, (ulong)offset, pipe.WriteFd, NoOffset, step);
                var drain = Splice(reactor, pipe.ReadFd, NoOffset, socketFd, NoOffset, step);
                fill.LinkNext(drain);
                var drained = drain.ArmLinkedAsync(cancellationToken);
                var filled = fill.RunAsync(cancellationToken);
                int inPipe;
                try { inPipe = await filled; }
                catch
                {
                    await Settle(drained); // the follower completes too (ECANCELED); its result no longer matters
                    throw;
                }
                int sent = await FollowerResult(drained);
                if (inPipe == 0)
                {
                    empty = true;
                    throw new IoException("splice", 0, $"sendfile {file.Path}: the file ends before offset {offset}; " +
                        $"{count} of {total} bytes were still to send");
                }
                // A short first half broke the link, or the socket took less: drain what is left in the pipe.
                for (int left = inPipe - sent; left > 0;)
                {
                    int n = await SpliceToSocket(reactor, pipe.ReadFd, socketFd, left, cancellationToken);
                    if (n < 0) await PollWritable(reactor, socketFd, cancellationToken);
                    else left -= n;
                }
                offset += inPipe;
                count -= inPipe;
            }
            empty = true;
        }
        finally
        {
            pipes.Return(pipe, empty);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask ReceiveToFileAsync(UringReactor reactor, PipePool pipes, int socketFd, UringFile file,
        long offset, long count, CancellationToken cancellationToken)
    {
        int fileFd = file.Fd;
        long total = count;
        var pipe = pipes.Rent();
        bool empty = false;
        try
        {
            while (count > 0)
            {
                int step = (int)Math.Min(count, pipe.Capacity);
                int received = await Splice(reactor, socketFd, NoOffset, pipe.WriteFd, NoOffset, step)
                    .RunAsync(cancellationToken);
                if (received == 0)
                {
                    empty = true;
                    throw new IoException("splice", 0, $"receive to {file.Path}: the connection closed after " +
                        $"{total - count} of {total} bytes (end of stream mid-transfer)");
                }
                for (int left = received; left > 0;)
                {
                    int n = await SpliceAll(reactor, pipe.ReadFd, NoOffset, fileFd, (ulong)offset, left, "receive to file",
                        cancellationToken);
                    offset += n;
                    left -= n;
                }
                count -= received;
            }
            empty = true;
        }
        finally
        {
            pipes.Return(pipe, empty);
        }
    }

    /// <summary>
    /// The follower's byte count, or 0 when the kernel never ran it because the link broke, or when the socket was
    /// full and non-blocking (EAGAIN: the drain loop waits for room).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> FollowerResult(ValueTask<int> follower)
    {
        try { return await follower; }
        catch (IoException e) when (e.Errno is Errno.ECANCELED or Errno.EAGAIN) { return 0; }
    }

    /// <summary>
    /// Pipe → socket; -1 when the socket is full. A non-blocking socket (UringSendFile makes it one for its inline
    /// sendfile) returns EAGAIN from splice, and io_uring does not poll-retry splice as it does send.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> SpliceToSocket(UringReactor reactor, int pipeFd, int socketFd, int length,
        CancellationToken cancellationToken)
    {
        try { return await SpliceAll(reactor, pipeFd, NoOffset, socketFd, NoOffset, length, "sendfile", cancellationToken); }
        catch (IoException e) when (e.Errno == Errno.EAGAIN) { return -1; }
    }

    /// <summary>Waits, with an io_uring poll and no thread, until the socket has room.</summary>
    internal static ValueTask<int> PollWritable(UringReactor reactor, int socketFd, CancellationToken cancellationToken) =>
        UringOperation.Rent(reactor).Set(IoUringOp.PollAdd, "poll", socketFd, 0, 0, 0, LibC.PollOut)
            .RunAsync(cancellationToken);

    /// <summary>Waits for a linked follower without letting its outcome hide the head's error.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask Settle(ValueTask<int> follower)
    {
        try { await follower; }
        catch (IoException) { }
        catch (OperationCanceledException) { }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> SpliceAll(UringReactor reactor, int fdIn, ulong offIn, int fdOut, ulong offOut,
        int length, string what, CancellationToken cancellationToken)
    {
        int n = await Splice(reactor, fdIn, offIn, fdOut, offOut, length).RunAsync(cancellationToken);
        if (n == 0) throw new IoException("splice", Errno.EIO, $"{what}: splice made no progress with {length} bytes in the pipe");
        return n;
    }

    /// <summary>SPLICE: fd_out in fd, off_out in off, fd_in in splice_fd_in, off_in in addr (splice_off_in).</summary>
    private static UringOperation Splice(UringReactor reactor, int fdIn, ulong offIn, int fdOut, ulong offOut, int length) =>
        UringOperation.Rent(reactor).Set(IoUringOp.Splice, "splice", fdOut, offIn, (uint)length, offOut, SpliceFMove)
            .WithSpliceFdIn(fdIn);
}
