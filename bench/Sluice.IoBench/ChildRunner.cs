using System.Diagnostics;

namespace Sluice.IoBench;

/// <summary>
/// Re-runs this same binary as a child process for one engine, so getrusage in the child counts that engine alone,
/// optionally under `strace -f -c`. Children are bounded: past their time limit they are killed (by process id).
/// </summary>
internal static class ChildRunner
{
    /// <summary>Runs the child and returns its result lines; its other output goes to stderr as progress.</summary>
    public static List<Dictionary<string, string>> Run(IReadOnlyList<string> arguments, TimeSpan limit, string? straceOutput = null)
    {
        var psi = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true };
        var command = new List<string>();
        if (straceOutput != null) command.AddRange(["strace", "-f", "-c", "-o", straceOutput]);
        command.AddRange(SelfCommand());
        command.AddRange(arguments);
        psi.FileName = command[0];
        foreach (string a in command.Skip(1)) psi.ArgumentList.Add(a);

        Console.Error.WriteLine($"> {string.Join(' ', command.Select(Path.GetFileName))}");
        var results = new List<Dictionary<string, string>>();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            var fields = ResultLine.Parse(e.Data);
            if (fields == null) Console.Error.WriteLine("  " + e.Data);
            else lock (results) results.Add(fields);
        };
        process.BeginOutputReadLine();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"the child run did not finish within {limit.TotalSeconds:F0} s and was killed");
        }
        process.WaitForExit(); // lets the asynchronous reader deliver the last lines
        if (process.ExitCode != 0) throw new InvalidOperationException($"the child run failed (exit code {process.ExitCode})");
        lock (results) return [.. results];
    }

    /// <summary>How to start this program again: the apphost, or `dotnet Sluice.IoBench.dll` when run through dotnet.</summary>
    private static string[] SelfCommand()
    {
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        return Path.GetFileNameWithoutExtension(exe) == "dotnet" ? [exe, typeof(ChildRunner).Assembly.Location] : [exe];
    }

    public static bool StraceInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "strace")));
}
