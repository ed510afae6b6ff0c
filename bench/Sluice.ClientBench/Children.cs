using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sluice.ClientBench;

/// <summary>
/// Every process the benchmark starts, so that all of them are killed (by process id, with their descendants)
/// when it ends, fails, or is interrupted. Children also run under peers/measure.py, which kills its command when
/// it finds itself orphaned, so not even a SIGKILL of the benchmark leaves a server behind.
/// </summary>
internal static class Children
{
    private static readonly Lock Sync = new();
    private static readonly HashSet<Process> Live = [];
    private static readonly List<Action> Cleanups = [];
    private static PosixSignalRegistration? _sigterm, _sigint;

    /// <summary>Runs after the children are killed (e.g. removing a WAN profile's namespace), once.</summary>
    public static void OnCleanup(Action cleanup)
    {
        lock (Sync) Cleanups.Add(cleanup);
    }

    public static void InstallCleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll());
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillAll());
    }

    public static void Add(Process process)
    {
        lock (Sync) Live.Add(process);
    }

    public static void Remove(Process process)
    {
        lock (Sync) Live.Remove(process);
    }

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        Remove(process);
    }

    /// <summary>
    /// Runs a child to its end with its output captured (tracked like every child, killed if it outlives
    /// <paramref name="limit"/> or the call fails); <paramref name="what"/> names it in errors.
    /// </summary>
    public static (int ExitCode, string StdOut, string StdErr) Run(ProcessStartInfo psi, TimeSpan limit, string what)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {what}");
        Add(p);
        try
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(limit)) throw new TimeoutException($"{what} did not finish within {limit.TotalSeconds:F0} s");
            return (p.ExitCode, stdout, stderr.Result);
        }
        finally
        {
            Kill(p);
        }
    }

    public static void KillAll()
    {
        Process[] all;
        lock (Sync) all = [.. Live];
        foreach (var p in all) Kill(p);
        Action[] cleanups;
        lock (Sync)
        {
            cleanups = [.. Cleanups];
            Cleanups.Clear();
        }
        foreach (var cleanup in cleanups) cleanup();
        _ = _sigterm;
        _ = _sigint;
    }
}
