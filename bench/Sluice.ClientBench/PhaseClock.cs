using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Sluice.ClientBench;

/// <summary>Wall time and this process's CPU time (getrusage, all threads) across one phase; prints an @result line.</summary>
internal readonly partial struct PhaseClock
{
    private const int RusageSelf = 0, RusageLongs = 18;
    private readonly long _start;
    private readonly double _cpu;
    private readonly long _jitMethods;
    private readonly TimeSpan _jitTime;
    private readonly long _allocated;
    private readonly int _gen0;

    private PhaseClock(long start, double cpu)
    {
        _start = start;
        _cpu = cpu;
        _jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        _jitTime = System.Runtime.JitInfo.GetCompilationTime();
        _allocated = GC.GetTotalAllocatedBytes();
        _gen0 = GC.CollectionCount(0);
    }

    public static PhaseClock Start() => new(Stopwatch.GetTimestamp(), CpuSeconds());

    public void Report(string phase, IEnumerable<(string Key, long Value)> fields, double[]? latencies = null)
    {
        double seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds, cpu = CpuSeconds() - _cpu;
        var line = new StringBuilder(ResultLine.ResultPrefix);
        line.Append(CultureInfo.InvariantCulture, $" phase={phase} seconds={seconds:F6} cpu={cpu:F6}");
        foreach (var (k, v) in fields) line.Append(CultureInfo.InvariantCulture, $" {k}={v}");
        // The .NET runners' JIT work inside the phase (methods compiled or recompiled, wall time spent in the JIT).
        line.Append(CultureInfo.InvariantCulture, $" jit_methods={System.Runtime.JitInfo.GetCompiledMethodCount() - _jitMethods}");
        line.Append(CultureInfo.InvariantCulture, $" jit_ms={(System.Runtime.JitInfo.GetCompilationTime() - _jitTime).TotalMilliseconds:F0}");
        // Managed allocation and garbage collections inside the phase (bytes allocated on the GC heap, gen-0 collections).
        line.Append(CultureInfo.InvariantCulture, $" alloc_bytes={GC.GetTotalAllocatedBytes() - _allocated} gc0={GC.CollectionCount(0) - _gen0}");
        if (latencies is { Length: > 0 })
        {
            Array.Sort(latencies);
            line.Append(CultureInfo.InvariantCulture,
                $" p50_ms={Stats.Percentile(latencies, 0.50) * 1000:F3} p99_ms={Stats.Percentile(latencies, 0.99) * 1000:F3}");
        }
        Console.WriteLine(line.ToString());
    }

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static unsafe partial int GetRUsage(int who, long* usage);

    private static unsafe double CpuSeconds()
    {
        long* u = stackalloc long[RusageLongs];
        if (GetRUsage(RusageSelf, u) != 0) throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        return u[0] + (u[1] / 1e6) + u[2] + (u[3] / 1e6);
    }
}
