namespace Sluice.Server.Index;

/// <summary>
/// The bucket-wide gate of a <see cref="BucketIndex"/>: every write passes it shared (one interlocked add and one read
/// on the way in, one add on the way out); a change that must see no write in progress (a policy split or merge, a
/// journal rotation, a recovery, close) closes it and waits for the writers inside to leave.
/// </summary>
/// <remarks>
/// <para>Not <see cref="ReaderWriterLockSlim"/>: its shared acquire takes an internal spin lock that backs off with
/// <c>Thread.Sleep(1)</c> when its holder is preempted, which on a machine with more busy threads than cores (2 cores
/// beside other builds) stalls writers for whole milliseconds; here a writer never waits unless a map change is
/// running, and then it blocks on a <see cref="Lock"/> instead of spinning.</para>
/// <para>Exclusive sections nest, and a thread inside one may pass the gate shared (a recovery re-enters TryPut to undo
/// writes). A thread that holds the gate shared must not ask for it exclusively (it would wait for itself).</para>
/// </remarks>
internal sealed class PartitionMapGate
{
    private readonly Lock _exclusive = new();
    private int _writers;
    private int _closed;
    private int _depth; // exclusive nesting, under _exclusive

    /// <summary>True when the calling thread holds the gate exclusively.</summary>
    public bool IsExclusiveHeld => _exclusive.IsHeldByCurrentThread;

    public void EnterShared()
    {
        // Full fences on both sides (this add, the closer's exchange): either this writer sees the gate closed, or the
        // closer sees this writer and waits for it.
        Interlocked.Increment(ref _writers);
        if (Volatile.Read(ref _closed) == 0 || _exclusive.IsHeldByCurrentThread)
        {
            return;
        }

        Interlocked.Decrement(ref _writers);

        // Wait for the map change to end; counted while holding its lock, so the next change waits for this writer
        // (no starvation behind a busy policy thread).
        lock (_exclusive)
        {
            Interlocked.Increment(ref _writers);
        }
    }

    public void ExitShared() => Interlocked.Decrement(ref _writers);

    public void EnterExclusive()
    {
        _exclusive.Enter();
        if (_depth++ > 0)
        {
            return;
        }

        Interlocked.Exchange(ref _closed, 1);
        var spin = new SpinWait();
        while (Volatile.Read(ref _writers) != 0)
        {
            spin.SpinOnce(); // writers hold the gate for one short in-memory write
        }
    }

    public void ExitExclusive()
    {
        if (--_depth == 0)
        {
            Volatile.Write(ref _closed, 0);
        }

        _exclusive.Exit();
    }
}
