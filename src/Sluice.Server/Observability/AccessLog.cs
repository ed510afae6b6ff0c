using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;

namespace Sluice.Server.Observability;

/// <summary>
/// The access log: one line per request, written by one writer task so a slow file never holds up the thread that
/// served the request. The request path formats its line into a reused char buffer and queues it (no garbage per
/// line); the queue is bounded (<see cref="Capacity"/> lines): when the writer falls that far behind, lines are
/// dropped and counted (<see cref="Dropped"/>), and the next line written is preceded by a "#" comment saying how
/// many. The writer flushes whenever the queue runs empty, so the file is current whenever the server is idle, and
/// an owner's AutoFlush is not needed; <see cref="DisposeAsync"/> writes what is queued and flushes.
/// Fields, space-separated: time (UTC, ms), request id, principal (access key, "-" anonymous), operation, bucket,
/// key, status, body bytes sent, body bytes received, latency in ms. Every field is printable ASCII without spaces:
/// any other byte (space, control, '%', non-ASCII UTF-8) is percent-encoded, so a line stays one line and splits on
/// spaces. An empty field is "-".
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    /// <summary>Queued lines before lines are dropped: a few seconds of a busy server, bounded memory.</summary>
    public const int Capacity = 8192;

    /// <summary>Chars of a pooled line buffer: a line with a key of a few hundred bytes fits; longer ones rent.</summary>
    private const int LineBufferChars = 1024;

    /// <summary>Free line buffers kept (more are garbage once returned): enough for the lines a busy writer has queued.</summary>
    private const int MaxFreeBuffers = 1024;

    /// <summary>Line buffers made up front (128 KiB): the lines in flight while the writer task is being scheduled.</summary>
    private const int InitialFreeBuffers = 64;

    private readonly TextWriter _writer;
    private readonly Channel<Line> _queue;
    private readonly Task _writing;
    private long _dropped, _droppedUnreported;

    /// <summary>
    /// Line buffers go from the request threads to the writer and back. ArrayPool's per-thread caches do not suit a
    /// one-way flow (a rent on one thread, its return on another), so the log keeps its own free list; a queue whose
    /// segment is never outgrown allocates nothing.
    /// </summary>
    private readonly ConcurrentQueue<char[]> _free = new();

    private readonly record struct Line(char[] Buffer, int Length);

    public AccessLog(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        for (int i = 0; i < InitialFreeBuffers; i++) _free.Enqueue(new char[LineBufferChars]);
        _queue = Channel.CreateBounded<Line>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the line is dropped and counted
        });
        _writing = Task.Run(WriteLinesAsync);
    }

    /// <summary>Lines dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one line; never blocks.</summary>
    public void Write(in AccessRecord record)
    {
        int need = record.MaxLength;
        char[] buffer = need > LineBufferChars ? ArrayPool<char>.Shared.Rent(need)
            : _free.TryDequeue(out var free) ? free : new char[LineBufferChars];
        int length = record.Format(buffer);
        if (!_queue.Writer.TryWrite(new Line(buffer, length)))
        {
            Release(buffer);
            Interlocked.Increment(ref _dropped);
            Interlocked.Increment(ref _droppedUnreported);
        }
    }

    private async Task WriteLinesAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            lock (_writer) // a writer shared with other output (stdout) gets whole lines
            {
                while (reader.TryRead(out var line))
                {
                    try
                    {
                        long dropped = Interlocked.Exchange(ref _droppedUnreported, 0);
                        if (dropped > 0)
                            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {dropped} access log lines dropped: the log fell behind"));
                        _writer.Write(line.Buffer, 0, line.Length);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException)
                    {
                        Interlocked.Increment(ref _dropped); // a full disk loses lines, not the server
                    }
                    finally
                    {
                        Release(line.Buffer);
                    }
                }
                try { _writer.Flush(); }
                catch (Exception e) when (e is IOException or ObjectDisposedException) { }
            }
        }
    }

    private void Release(char[] buffer)
    {
        if (buffer.Length != LineBufferChars) ArrayPool<char>.Shared.Return(buffer);
        else if (_free.Count < MaxFreeBuffers) _free.Enqueue(buffer);
    }

    /// <summary>Writes every queued line, flushes, and ends the writer task (the writer itself stays open: its owner's).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
    }
}
