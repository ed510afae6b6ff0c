namespace Sluice.IO;

/// <summary>
/// What an engine asked of the kernel: io_uring_enter calls, submissions and completions. Benchmarks divide these
/// by requests to report system calls per request. The managed engine reports zeros (use strace there).
/// </summary>
public readonly record struct IoCounters(long EnterCalls, long Submissions, long Completions)
{
    public static IoCounters operator +(IoCounters a, IoCounters b) =>
        new(a.EnterCalls + b.EnterCalls, a.Submissions + b.Submissions, a.Completions + b.Completions);

    public static IoCounters operator -(IoCounters a, IoCounters b) =>
        new(a.EnterCalls - b.EnterCalls, a.Submissions - b.Submissions, a.Completions - b.Completions);

    public static IoCounters Add(IoCounters a, IoCounters b) => a + b;
    public static IoCounters Subtract(IoCounters a, IoCounters b) => a - b;
}
