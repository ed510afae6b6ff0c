namespace Sluice.IoBench;

/// <summary>
/// Counts server handlers still running, so a measurement ends only when the server side's work is done (its CPU is
/// in the interval) and the engine is disposed only after every handler gave its buffers back.
/// </summary>
internal sealed class HandlerTracker
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);
    private int _active;

    public void Enter() => Interlocked.Increment(ref _active);
    public void Exit() => Interlocked.Decrement(ref _active);

    public void WaitIdle(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Volatile.Read(ref _active) > 0)
        {
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException($"{Volatile.Read(ref _active)} server handler(s) still running after {timeout.TotalSeconds} s");
            Thread.Sleep(PollInterval);
        }
    }
}
