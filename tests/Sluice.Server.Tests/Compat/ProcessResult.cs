namespace Sluice.Server.Tests.Compat;

/// <summary>How a client process ended: exit code and everything it printed.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Fails the test, with the command and its output, unless the process exited 0.</summary>
    public ProcessResult Ok()
    {
        Assert.True(ExitCode == 0, $"`{Command}` exited {ExitCode}\nstdout: {Tail(Stdout)}\nstderr: {Tail(Stderr)}");
        return this;
    }

    /// <summary>Fails the test unless the process failed and said <paramref name="expected"/> (an S3 error code, a status).</summary>
    public ProcessResult Failed(string expected)
    {
        Assert.True(ExitCode != 0, $"`{Command}` should have failed\nstdout: {Tail(Stdout)}");
        Assert.True(Stdout.Contains(expected, StringComparison.Ordinal) || Stderr.Contains(expected, StringComparison.Ordinal),
            $"`{Command}` failed without \"{expected}\"\nstdout: {Tail(Stdout)}\nstderr: {Tail(Stderr)}");
        return this;
    }

    private static string Tail(string s) => s.Length <= 4000 ? s : "…" + s[^4000..];
}
