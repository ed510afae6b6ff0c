using System.Globalization;
using System.Runtime.InteropServices;

namespace Sluice.IoBench;

/// <summary>
/// CPU time of individual threads of this process, from /proc/self/task/TID/schedstat (nanoseconds on CPU, more
/// precise than the 10 ms ticks of /stat, and nanoseconds spent runnable but waiting for a CPU). Used to tell the
/// reactors' loads apart, to see whether a reactor idled or was starved by other processes, and to separate a
/// sender's CPU from its receiver's when both run in this process.
/// </summary>
internal static partial class ThreadCpu
{
    /// <summary>Reactor threads are named sluice-reactor-N; the kernel keeps 15 characters of a thread's name.</summary>
    public const string ReactorPrefix = "sluice-reactor";

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    /// <summary>The kernel's id of the calling thread.</summary>
    public static int CurrentTid() => GetTid();

    /// <summary>Nanoseconds one thread has run and has waited to run, or zeros when it has exited.</summary>
    public static Sched Nanoseconds(int tid)
    {
        try
        {
            string[] fields = File.ReadAllText($"/proc/self/task/{tid.ToString(CultureInfo.InvariantCulture)}/schedstat")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new Sched(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (IOException) { return default; }
    }

    /// <summary>Thread id → scheduler times for every thread whose name starts with <paramref name="prefix"/>.</summary>
    public static Dictionary<int, Sched> Sample(string prefix)
    {
        var result = new Dictionary<int, Sched>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "comm")).StartsWith(prefix, StringComparison.Ordinal)) continue;
            }
            catch (IOException) { continue; }
            result[tid] = Nanoseconds(tid);
        }
        return result;
    }

    /// <summary>
    /// CPU seconds per thread name (digits dropped, so io_uring's iou-wrk-N workers add up) between two samples of
    /// every thread (<see cref="Sample"/> with an empty prefix), leaving out <paramref name="exclude"/>; busiest first.
    /// Threads that started and ended between the samples are missing: the process total minus these is their share.
    /// </summary>
    public static (string Name, double Seconds)[] ByName(Dictionary<int, Sched> start, Dictionary<int, Sched> end,
        Dictionary<int, string> names, params int[] exclude) =>
        [.. end.Where(e => !exclude.Contains(e.Key))
            .GroupBy(e => names.GetValueOrDefault(e.Key, "?").TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '-'))
            .Select(g => (g.Key, g.Sum(e => (e.Value.RunNs - start.GetValueOrDefault(e.Key).RunNs) / 1e9)))
            .Where(g => g.Item2 > 0).OrderByDescending(g => g.Item2)];

    /// <summary>Thread id → name (the kernel's comm) of every thread of this process.</summary>
    public static Dictionary<int, string> Names()
    {
        var result = new Dictionary<int, string>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)) continue;
            try { result[tid] = File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n'); }
            catch (IOException) { }
        }
        return result;
    }

    /// <summary>Each thread's (CPU seconds, seconds waiting for a CPU) between two samples, busiest first.</summary>
    public static (double Run, double Wait)[] Delta(Dictionary<int, Sched> start, Dictionary<int, Sched> end) =>
        [.. end.Select(e =>
        {
            var s = start.GetValueOrDefault(e.Key);
            return ((e.Value.RunNs - s.RunNs) / 1e9, (e.Value.WaitNs - s.WaitNs) / 1e9);
        }).OrderByDescending(d => d.Item1)];

    /// <summary>"0.93/0.41": seconds per wall second of each thread, busiest first.</summary>
    public static string PerWall(IEnumerable<double> seconds, double wall) =>
        string.Join('/', seconds.Select(s => (s / wall).ToString("F2", CultureInfo.InvariantCulture)));

    /// <summary>Time on a CPU and time runnable but waiting for one (run-queue delay), in nanoseconds.</summary>
    public readonly record struct Sched(long RunNs, long WaitNs);
}
