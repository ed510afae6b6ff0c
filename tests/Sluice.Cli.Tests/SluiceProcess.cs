using System.Diagnostics;

namespace Sluice.Cli.Tests;

/// <summary>Runs the real `sluice` executable (the built sluice.dll beside the tests) and captures its output.</summary>
internal static class SluiceProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(params string[] args) => Run(null, null, args);

    /// <summary>Runs sluice with extra environment variables (a null value removes one) and optional stdin bytes.</summary>
    public static Result Run(IReadOnlyDictionary<string, string?>? environment, byte[]? stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        Assert.True(File.Exists(dll), $"sluice.dll not found beside the tests at {dll}");
        return RunExecutable("dotnet", environment, stdin, [dll, .. args]);
    }

    /// <summary>Runs another build of sluice (an installed one: <paramref name="executable"/> is its path).</summary>
    public static Result RunExecutable(string executable, IReadOnlyDictionary<string, string?>? environment, byte[]? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin != null,
            UseShellExecute = false,
        };
        if (environment != null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null) psi.Environment.Remove(name);
                else psi.Environment[name] = value;
            }
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin != null)
        {
            p.StandardInput.BaseStream.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("sluice did not exit within 60 s");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
