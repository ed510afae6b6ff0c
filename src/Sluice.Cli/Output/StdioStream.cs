using System.Runtime.InteropServices;

namespace Sluice.Cli.Output;

/// <summary>
/// Standard input or output as a stream that reads and writes the descriptor with read(2) and write(2), at the
/// descriptor's own offset, which it advances. A FileStream over descriptor 0 or 1 cannot be used: when the
/// descriptor is a regular file it reads and writes at a position of its own (pread/pwrite) and never moves the
/// descriptor's offset, so in <c>{ echo a; sluice cp s3://b/k -; echo b; } &gt; file</c> the shell's next write lands
/// on top of the object. The console streams would be right but copy every byte of a part buffer through a pooled
/// array; this one writes the caller's memory in place.
/// </summary>
internal sealed partial class StdioStream : Stream
{
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const short POLLIN = 0x1;
    private const short POLLOUT = 0x4;

    private readonly int _descriptor;
    private readonly bool _write;

    private StdioStream(int descriptor, bool write)
    {
        _descriptor = descriptor;
        _write = write;
    }

    /// <summary>Standard input (descriptor 0), left open.</summary>
    public static StdioStream Input() => new(0, write: false);

    /// <summary>Standard output (descriptor 1), left open.</summary>
    public static StdioStream Output() => new(1, write: true);

    public override bool CanRead => !_write;
    public override bool CanWrite => _write;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override unsafe int Read(Span<byte> buffer)
    {
        if (_write) throw new NotSupportedException();
        if (buffer.IsEmpty) return 0;
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = SysRead(_descriptor, p, (nuint)buffer.Length);
                if (n >= 0) return (int)n;
                Retry(POLLIN);
            }
        }
    }

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        if (!_write) throw new NotSupportedException();
        fixed (byte* start = buffer)
        {
            byte* p = start;
            nuint left = (nuint)buffer.Length;
            // write(2) may take part of the buffer (a pipe, a signal): the rest follows until all is written.
            while (left > 0)
            {
                nint n = SysWrite(_descriptor, p, left);
                if (n >= 0)
                {
                    p += n;
                    left -= (nuint)n;
                }
                else Retry(POLLOUT);
            }
        }
    }

    // The descriptor is blocking unless another process made it not (a shared terminal or pipe): then wait for it to
    // be ready rather than fail. Any other error is the copy's failure (EPIPE when the reader went away, ENOSPC...).
    private unsafe void Retry(short events)
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EINTR) return;
        if (errno == EAGAIN)
        {
            var fd = new PollFd { Fd = _descriptor, Events = events };
            if (Poll(&fd, 1, -1) >= 0 || Marshal.GetLastPInvokeError() == EINTR) return;
            errno = Marshal.GetLastPInvokeError();
        }
        throw new IOException($"{(_write ? "stdout" : "stdin")}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    // A read or write may block for as long as the other end likes (a terminal, a full pipe), and the caller may be
    // running on an I/O reactor's thread: it goes to the thread pool, as a FileStream's does. One hop per part
    // buffer (megabytes), not per byte.
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await Task.Factory.StartNew(static state =>
        {
            var (stream, memory) = ((StdioStream, Memory<byte>))state!;
            return stream.Read(memory.Span);
        }, (this, buffer), cancellationToken, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).ConfigureAwait(false);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Task.Factory.StartNew(static state =>
        {
            var (stream, memory) = ((StdioStream, ReadOnlyMemory<byte>))state!;
            stream.Write(memory.Span);
        }, (this, buffer), cancellationToken, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint SysRead(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint SysWrite(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeout);
}
