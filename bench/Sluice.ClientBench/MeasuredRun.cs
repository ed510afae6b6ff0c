using System.Diagnostics;

namespace Sluice.ClientBench;

/// <summary>
/// One client process, run under peers/measure.py so that wall time, CPU (user + system of the process and the
/// children it waited for) and peak RSS come from the kernel's wait4 accounting, the same way for every client.
/// </summary>
internal sealed class MeasuredRun
{
    public required IReadOnlyList<Dictionary<string, string>> Phases { get; init; }
    public required Dictionary<string, string> Rusage { get; init; }

    public double WallSeconds => Rusage.Number("wall");
    public double CpuSeconds => Rusage.Number("user") + Rusage.Number("sys");
    public double PeakRssMiB => Rusage.Number("maxrss_kib") / 1024;

    public Dictionary<string, string>? Phase(string name) =>
        Phases.FirstOrDefault(p => p.TryGetValue("phase", out string? n) && n == name);

    /// <summary>Runs the command to completion (killing it past <paramref name="limit"/>) and parses its lines.</summary>
    public static MeasuredRun Run(Layout layout, IReadOnlyList<string> command, IReadOnlyDictionary<string, string?>? environment,
        TimeSpan limit, string label)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.ArgumentList.Add(layout.Peer("measure.py"));
        foreach (string a in command) psi.ArgumentList.Add(a);
        ChildEnvironment.Isolate(psi, environment);

        var phases = new List<Dictionary<string, string>>();
        Dictionary<string, string>? rusage = null;
        var errors = new Queue<string>();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command[0]}");
        Children.Add(process);
        try
        {
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                lock (phases)
                {
                    if (ResultLine.Parse(e.Data, ResultLine.ResultPrefix) is { } result) phases.Add(result);
                    else if (ResultLine.Parse(e.Data, ResultLine.RusagePrefix) is { } r) rusage = r;
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                lock (errors)
                {
                    errors.Enqueue(e.Data);
                    if (errors.Count > 20) errors.Dequeue();
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(limit))
            {
                Children.Kill(process);
                throw new TimeoutException($"{label}: did not finish within {limit.TotalSeconds:F0} s and was killed");
            }
            process.WaitForExit();
        }
        finally
        {
            Children.Kill(process);
        }
        lock (phases)
        {
            if (rusage == null || rusage["exit"] != "0")
            {
                string tail;
                lock (errors) tail = string.Join("\n    ", errors);
                throw new InvalidOperationException($"{label}: failed (exit {rusage?["exit"] ?? "?"})\n    {tail}");
            }
            return new MeasuredRun { Phases = [.. phases], Rusage = rusage };
        }
    }
}
