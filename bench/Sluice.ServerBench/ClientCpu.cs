using System.Runtime.InteropServices;

namespace Sluice.ServerBench;

/// <summary>
/// The client side's CPU seconds from getrusage: this process (the load generator) plus reaped children (curl,
/// fio), so a measurement's client cost is the difference of two samples.
/// </summary>
internal static partial class ClientCpu
{
    private const int RusageSelf = 0, RusageChildren = -1;

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs.</summary>
    private const int RusageLongs = 18;

    public static double Seconds() => Read(RusageSelf) + Read(RusageChildren);

    private static unsafe double Read(int who)
    {
        long* u = stackalloc long[RusageLongs];
        if (GetRUsage(who, u) != 0) throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        return u[0] + u[1] / 1e6 + u[2] + u[3] / 1e6;
    }

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static unsafe partial int GetRUsage(int who, long* usage);
}
