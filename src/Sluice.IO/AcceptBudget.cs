using System.Runtime.InteropServices;
using Sluice.IO.Native;

namespace Sluice.IO;

/// <summary>
/// How many accepted connections a listener may hold open at once, so that a flood of clients cannot take the
/// process's last file descriptors. The runtime needs descriptors of its own to keep running (a new thread opens a
/// pipe, loading an assembly opens a file): when a flood had taken them all, the thread pool's next thread failed to
/// start, the runtime reported that as out of memory and aborted ("Out of memory.", SIGABRT). A listener at its
/// budget stops accepting — the kernel keeps further connections waiting in the backlog — and accepts again as
/// soon as a connection closes; connections already open are served meanwhile. Each pause (at the budget, or an
/// accept failing with EMFILE/ENFILE because descriptors went elsewhere) is logged once per episode.
/// </summary>
internal sealed class AcceptBudget
{
    /// <summary>
    /// Descriptors kept for everything but accepted connections beyond what is already open when listening starts
    /// (runtime threads, assemblies loaded later, files the server opens per request): a quarter of the limit, at
    /// least 128.
    /// </summary>
    private const int MinimumReserve = 128;

    /// <summary>
    /// io_uring's multishot accept keeps accepting in the kernel until its cancellation lands (a flood of 400 went 49
    /// past the budget), so it is armed only while this much room is left; closer to the budget each accept is armed
    /// singly, and the listener never exceeds the budget.
    /// </summary>
    public const int MultishotHeadroom = 64;

    /// <summary>After an accept failed for want of descriptors or memory, the pause before trying again.</summary>
    public static readonly TimeSpan RetryAfterError = TimeSpan.FromMilliseconds(50);

    private readonly Action<string> _log;
    private int _open;                   // accepted connections not yet closed
    private int _paused;                 // 1 during an episode of not accepting: its log line is written
    private TaskCompletionSource? _room; // completed when a connection closes below the limit

    public AcceptBudget(int limit, Action<string>? log)
    {
        Limit = limit;
        _log = log ?? WriteToStandardError;
    }

    /// <summary>Accepted connections allowed open at once.</summary>
    public int Limit { get; }

    public int Open => Volatile.Read(ref _open);

    public bool HasRoom => Volatile.Read(ref _open) < Limit;

    /// <summary>
    /// The budget under this process's RLIMIT_NOFILE (soft limit): what is not open yet, less the reserve.
    /// </summary>
    public static AcceptBudget ForDescriptorLimit(Action<string>? log)
    {
        long limit = DescriptorLimit();
        long reserve = Math.Max(MinimumReserve, limit / 4);
        return new AcceptBudget((int)Math.Clamp(limit - OpenDescriptors() - reserve, 1, int.MaxValue), log);
    }

    /// <summary>Descriptors this process has open (runtime, assemblies, rings, the server's own files).</summary>
    private static long OpenDescriptors()
    {
        try { return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; } // no /proc: the reserve covers it
    }

    /// <summary>The soft RLIMIT_NOFILE; no limit (or none known) counts as int.MaxValue.</summary>
    public static unsafe long DescriptorLimit()
    {
        ulong* limits = stackalloc ulong[2]; // struct rlimit { rlim_t rlim_cur, rlim_max; }
        if (LibC.GetRLimit(LibC.RLimitNoFile, limits) != 0) return int.MaxValue;
        return limits[0] > int.MaxValue ? int.MaxValue : (long)limits[0];
    }

    /// <summary>
    /// Counts an accepted connection if the budget has room for it (false: close it at once, over the budget).
    /// With half the budget or less in use the pressure has passed: a later pause is a new episode with a new log
    /// line (a flood that refills the budget as soon as it gets room stays one episode).
    /// </summary>
    public bool TryTake()
    {
        int open = Interlocked.Increment(ref _open);
        if (open > Limit)
        {
            Release();
            return false;
        }
        if (open <= Limit / 2 && Volatile.Read(ref _paused) != 0) Volatile.Write(ref _paused, 0);
        return true;
    }

    /// <summary>An accepted connection closed: a listener waiting for room may accept again.</summary>
    public void Release()
    {
        Interlocked.Decrement(ref _open); // a full fence: either WhenRoomAsync sees this count or this sees its source
        if (Volatile.Read(ref _room) is { } room && HasRoom && Interlocked.CompareExchange(ref _room, null, room) == room)
            room.TrySetResult();
    }

    /// <summary>Completes when fewer than <see cref="Limit"/> accepted connections are open.</summary>
    public Task WhenRoomAsync()
    {
        if (HasRoom) return Task.CompletedTask;
        var room = Volatile.Read(ref _room);
        if (room == null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            room = Interlocked.CompareExchange(ref _room, created, null) ?? created;
        }
        // A release between the check above and publishing the source may not have seen it: look again.
        if (HasRoom && Interlocked.CompareExchange(ref _room, null, room) == room) room.TrySetResult();
        return room.Task;
    }

    /// <summary>Accepting pauses for <paramref name="why"/>: logged once until accepting succeeds again.</summary>
    public void Paused(string why)
    {
        if (Interlocked.Exchange(ref _paused, 1) != 0) return;
        try
        {
            _log($"sluice: not accepting connections: {why}; {Open} open, connections already open are served, accepting resumes when descriptors free up");
        }
        catch (Exception)
        {
            // A caller's log may need a descriptor (a first write opening its file) and fail in any way: losing the
            // line must not end the accept loop, which is what keeps the server alive through the episode.
        }
    }

    /// <summary>
    /// The default log: the line goes straight to descriptor 2. Console.Error is no use here: its first write sets
    /// up the terminal and signal handling, which opens a pipe, and with no descriptor left that throws (EMFILE
    /// ended an accept loop that way in a loaded CI run).
    /// </summary>
    private static unsafe void WriteToStandardError(string line)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n"); // once per episode, not per request
        fixed (byte* start = bytes)
        {
            for (int written = 0; written < bytes.Length;)
            {
                nint n = LibC.Write(2, start + written, (nuint)(bytes.Length - written));
                if (n > 0) written += (int)n;
                else if (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                else return; // stderr closed or full: the line is lost, the server goes on
            }
        }
    }

    public static bool IsOutOfDescriptors(int errno) => errno is Errno.EMFILE or Errno.ENFILE;

    public string LimitReason() =>
        $"{Limit} accepted connections is the budget under the descriptor limit (RLIMIT_NOFILE {DescriptorLimit()})";

    public static string ErrnoReason(int errno) =>
        $"accept failed: {Marshal.GetPInvokeErrorMessage(errno)} ({(errno == Errno.ENFILE ? "ENFILE" : "EMFILE")})";
}
