using System.Runtime.InteropServices;

namespace Sluice.IoBench;

/// <summary>
/// Whole-process CPU time and context switches from getrusage(RUSAGE_SELF): microsecond resolution, where
/// /proc-based Process.TotalProcessorTime counts in 10 ms clock ticks. Client and server share the process, so
/// this is the cost of both ends together.
/// </summary>
internal static partial class ResourceUsage
{
    private const int RusageSelf = 0;

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs.</summary>
    private const int RusageLongs = 18;

    // Indexes (in longs) into struct rusage.
    private const int UserSec = 0, UserUsec = 1, SysSec = 2, SysUsec = 3, VoluntarySwitches = 16, InvoluntarySwitches = 17;

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static unsafe partial int GetRUsage(int who, long* usage);

    public static unsafe CpuSample Sample()
    {
        long* u = stackalloc long[RusageLongs];
        if (GetRUsage(RusageSelf, u) != 0)
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        return new CpuSample(
            UserSeconds: u[UserSec] + u[UserUsec] / 1e6,
            SystemSeconds: u[SysSec] + u[SysUsec] / 1e6,
            ContextSwitches: u[VoluntarySwitches] + u[InvoluntarySwitches]);
    }
}

/// <summary>Process CPU time split into user and kernel, plus context switches so far.</summary>
internal readonly record struct CpuSample(double UserSeconds, double SystemSeconds, long ContextSwitches)
{
    public double TotalSeconds => UserSeconds + SystemSeconds;

    public static CpuSample operator -(CpuSample a, CpuSample b) =>
        new(a.UserSeconds - b.UserSeconds, a.SystemSeconds - b.SystemSeconds, a.ContextSwitches - b.ContextSwitches);
}
