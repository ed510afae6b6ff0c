using System.CommandLine;
using Sluice.Cli.Commands;

namespace Sluice.Cli.Output;

/// <summary>
/// The output options of a client command (--json, and --summary where a run has a summary worth printing) and the
/// run wrapper that ends every run through its <see cref="CommandOutput"/>: failures become one stderr line (and an
/// error record), and the summary is written last whatever happened.
/// </summary>
internal sealed class OutputOptions
{
    public const string JsonName = "--json";

    private readonly string _command;

    private OutputOptions(string command, bool summary)
    {
        _command = command;
        if (summary)
        {
            Summary = new Option<bool>("--summary")
            {
                Description = "Print the end-of-run summary (files, bytes, rate, errors, time) on stderr even when it is not a terminal",
            };
        }
    }

    public Option<bool> Json { get; } = new(JsonName)
    {
        Description = "One JSON object per line on stdout: each result, error and a final summary (no progress line)",
    };

    /// <summary>--summary, on commands whose summary is shown on a terminal (cp, mv, sync, rm, check, run).</summary>
    public Option<bool>? Summary { get; }

    /// <summary>
    /// Adds --json (and --summary when <paramref name="summary"/>) to <paramref name="command"/>; <paramref name="name"/>
    /// is the command as the summary names it, for a subcommand ("mpu ls").
    /// </summary>
    public static OutputOptions AddTo(Command command, bool summary, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var options = new OutputOptions(name ?? command.Name, summary);
        command.Options.Add(options.Json);
        if (options.Summary != null) command.Options.Add(options.Summary);
        return options;
    }

    /// <summary>The writer for this run.</summary>
    public CommandOutput Create(ParseResult parse, ClientCommand shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        return Create(parse, parse.GetValue(shared.Quiet));
    }

    private CommandOutput Create(ParseResult parse, bool quiet)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var mode = Summary is null ? CommandOutput.SummaryMode.Never
            : parse.GetValue(Summary) ? CommandOutput.SummaryMode.Always
            : CommandOutput.SummaryMode.OnTerminal;
        return new CommandOutput(_command, parse.GetValue(Json), quiet, mode);
    }

    /// <summary>
    /// Runs a command body with its writer: an expected failure (<see cref="ClientCommand.Describe"/>) is reported
    /// through the writer with exit 1 (2 for usage; --debug adds the stack trace on stderr), and the summary ends every run.
    /// </summary>
    public Task<int> RunAsync(ParseResult parse, ClientCommand shared, Func<CommandOutput, Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(shared);
        return RunAsync(parse, parse.GetValue(shared.Quiet), parse.GetValue(shared.Debug), body);
    }

    /// <summary>The same, for a command without the client options (run): <paramref name="quiet"/> and <paramref name="debug"/> as given.</summary>
    public async Task<int> RunAsync(ParseResult parse, bool quiet, bool debug, Func<CommandOutput, Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var output = Create(parse, quiet);
        int exitCode;
        try
        {
            exitCode = await body(output);
        }
        catch (Exception e) when (ClientCommand.Describe(e) is { } message)
        {
            output.Error(message);
            if (debug) await Console.Error.WriteLineAsync(e.ToString());
            exitCode = e is CliException cli ? cli.ExitCode : Program.ExitFailure;
        }
        return output.Finish(exitCode);
    }
}
