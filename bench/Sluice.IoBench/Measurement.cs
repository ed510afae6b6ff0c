using System.Diagnostics;
using Sluice.IO;

namespace Sluice.IoBench;

/// <summary>What the process had consumed at one instant: wall clock, CPU, and the engine's kernel counters.</summary>
internal readonly record struct Measurement(long Timestamp, CpuSample Cpu, IoCounters Counters)
{
    public static Measurement Take(IoEngine engine) =>
        new(Stopwatch.GetTimestamp(), ResourceUsage.Sample(), engine.Counters);

    /// <summary>Wall seconds, CPU and counters between <paramref name="start"/> and this measurement.</summary>
    public Interval Since(Measurement start) =>
        new(Stopwatch.GetElapsedTime(start.Timestamp, Timestamp).TotalSeconds, Cpu - start.Cpu, Counters - start.Counters);
}

/// <summary>The difference of two measurements.</summary>
internal readonly record struct Interval(double WallSeconds, CpuSample Cpu, IoCounters Counters)
{
    /// <summary>The key=value fields every scenario reports.</summary>
    public void AddTo(ResultLine line)
    {
        line.Add("seconds", WallSeconds);
        line.Add("cpu", Cpu.TotalSeconds);
        line.Add("user", Cpu.UserSeconds);
        line.Add("sys", Cpu.SystemSeconds);
        line.Add("switches", Cpu.ContextSwitches);
        line.Add("enters", Counters.EnterCalls);
        line.Add("sqes", Counters.Submissions);
        line.Add("cqes", Counters.Completions);
    }
}
