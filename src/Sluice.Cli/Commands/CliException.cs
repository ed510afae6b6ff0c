namespace Sluice.Cli.Commands;

/// <summary>A failure the command explains in one line (no stack trace): bad input found after parsing, a missing file.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message, int exitCode = Program.ExitFailure) : base(message) => ExitCode = exitCode;

    public CliException()
    {
    }

    public CliException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The exit code to end with (1 failure, 2 usage).</summary>
    public int ExitCode { get; } = Program.ExitFailure;
}
