using System.CommandLine;
using System.Text;
using Sluice.Cli.Output;
using Sluice.Client.Transfer;
using Sluice.IO;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice run FILE|-</c> (s5cmd's run): one sluice command per line, parsed with the same command tree as the
/// command line and run in this process, <c>--numworkers</c> lines at a time. Every line is parsed before any runs, so a
/// typo on line 900 stops the batch before line 1 changes anything; a line that fails at run time is reported with its
/// number and the others go on; the exit code is 1 if any line failed. With --json the lines' records share one stream
/// (each with its line number, each line ended by a "line" record) and the run writes the one summary.
/// </summary>
internal static class RunCommand
{
    /// <summary>
    /// Lines at once by default: the number of files cp -r and sync move at once (16). s5cmd's 256 suit many cores and
    /// many tiny objects; here every line is a whole command with its own connections, and a line that moves a large
    /// file already runs its parts in parallel, so on a 2-core machine more lines at once add connections and memory
    /// (each line's part budget), not speed.
    /// </summary>
    private static readonly int DefaultWorkers = new TransferOptions().FileConcurrency;

    /// <summary>Commands a line may not run: another batch, or the long-running server and load generator.</summary>
    private static readonly string[] NotInRun = ["run", "serve", "bench"];

    public static Command Create()
    {
        var file = new Argument<string>("file")
        {
            Description = "A file of commands, or - for stdin: each line a sluice command without the word sluice (cp, mv, rm, ls, cat, " +
                "du, stat, mb, rb, sync, mpu, presign); blank lines and # comments skipped; words split as a shell splits them " +
                "('...' and \"...\" quote, \\ escapes; no variables, no globbing). Lines run in no particular order: steps that " +
                "depend on each other belong in separate runs. Every line is checked first: a usage error anywhere runs nothing (exit 2); " +
                "a line that fails is reported with its number, and the exit code is then 1",
        };
        var workers = new Option<int?>("--numworkers") { Description = $"Lines run at once (default {DefaultWorkers})" };
        var io = new Option<string>("--io") { Description = "I/O engine for every line: uring, managed or auto (default auto)" };
        io.AcceptOnlyFromAmong("uring", "managed", "auto");
        var command = new Command("run", "Run sluice commands from a file or stdin, one per line, in parallel\n\nExamples:\n" +
            "  sluice run commands.txt\n  printf 'cp a.bin s3://b/a.bin\\ncp b.bin s3://b/b.bin\\n' | sluice run -\n" +
            "  sluice run --numworkers 64 deletes.txt\n  sluice run --json uploads.txt | jq 'select(.type == \"error\")'")
        {
            file, workers, io,
        };
        // --json for the whole run (a line's own --json is refused: there is one stream); --summary for the run's total.
        var outputOptions = OutputOptions.AddTo(command, summary: true);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, quiet: false, debug: false, output =>
            RunAsync(parse.GetValue(file)!, parse.GetValue(workers) ?? DefaultWorkers, parse.GetValue(io), output, ct)));
        return command;
    }

    private static async Task<int> RunAsync(string file, int workers, string? io, CommandOutput output, CancellationToken ct)
    {
        if (workers is < 1 or > TransferLimits.MaximumConcurrency)
            throw new CliException($"run: --numworkers must be from 1 to {TransferLimits.MaximumConcurrency}", Program.ExitUsage);
        string[] lines;
        try
        {
            lines = file == "-" ? (await Console.In.ReadToEndAsync(ct)).Split('\n') : await File.ReadAllLinesAsync(file, ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException($"run: {file}: no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"run: {file}: {e.Message}");
        }

        // Parse everything first, with one tree: parsing is sequential here, and an invocation reads only its own
        // ParseResult (the tree's options and actions are not changed by running them).
        var root = Program.CreateRoot();
        var jobs = new List<(int Number, string Text, ParseResult Parsed)>();
        for (int i = 0; i < lines.Length; i++)
        {
            string text = lines[i].Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            int number = i + 1;
            if (!TrySplit(text, out var words, out string? error)) throw new CliException($"run: line {number}: {error}", Program.ExitUsage);
            if (NotInRun.Contains(words[0])) throw new CliException($"run: line {number}: '{words[0]}' cannot run inside run", Program.ExitUsage);
            var parsed = root.Parse(words);
            if (parsed.Errors.Count > 0) throw new CliException($"run: line {number}: {Program.FirstError(parsed)}", Program.ExitUsage);
            if (parsed.CommandResult.Command is RootCommand || parsed.Action is not System.CommandLine.Invocation.AsynchronousCommandLineAction)
                throw new CliException($"run: line {number}: '{text}' is not a command to run", Program.ExitUsage);
            if (parsed.Tokens.Any(t => t.Value == "--io"))
                throw new CliException($"run: line {number}: --io applies to the whole run: give it to run", Program.ExitUsage);
            if (parsed.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.Option && t.Value == OutputOptions.JsonName))
                throw new CliException($"run: line {number}: --json applies to the whole run: give it to run", Program.ExitUsage);
            jobs.Add((number, text, parsed));
        }

        if (io is "uring" or "managed") Environment.SetEnvironmentVariable("SLUICE_IO", io);
        await using var engine = IoEngine.Create(new IoEngineOptions { ReactorCount = Math.Min(2, Environment.ProcessorCount) }, static _ => { });
        ClientCommand.SharedEngine = engine;
        ProgressLine.Suppressed = true;
        // The lines share the run's cancellation (Ctrl-C); they must not each install a termination handler.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        int failed = 0;
        try
        {
            await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct }, async (job, token) =>
            {
                // The line's command writes through the run's output (this flow only: the other lines have their own).
                CommandOutput.EnterLine(output, job.Number);
                int exit = await job.Parsed.InvokeAsync(invocation, token);
                if (exit == Program.ExitOk) return;
                Interlocked.Increment(ref failed);
                // The line's own error said what went wrong (and its "line" record carries the exit code).
                output.Conclusion($"run: line {job.Number} failed (exit {exit}): {job.Text}");
            });
        }
        finally
        {
            ClientCommand.SharedEngine = null;
            ProgressLine.Suppressed = false;
        }
        output.Count("lines", jobs.Count, $"{jobs.Count} line{(jobs.Count == 1 ? "" : "s")}");
        output.Count("failedLines", failed, $"{failed} failed");
        return failed == 0 ? Program.ExitOk : Program.ExitFailure;
    }

    /// <summary>
    /// Splits a line into words as a POSIX shell would, without expansions: whitespace separates, '...' is literal,
    /// "..." is literal but for \" \\ \$ \`, and a \ outside quotes takes the next character as it is.
    /// </summary>
    internal static bool TrySplit(string line, out List<string> words, out string? error)
    {
        words = [];
        error = null;
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '\'')
            {
                int end = line.IndexOf('\'', i + 1);
                if (end < 0) return Fail("an unterminated ' quote", out error);
                word.Append(line, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                for (i++; ; i++)
                {
                    if (i >= line.Length) return Fail("an unterminated \" quote", out error);
                    if (line[i] == '"') break;
                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`') i++;
                    word.Append(line[i]);
                }
            }
            else if (c == '\\')
            {
                if (i + 1 >= line.Length) return Fail("a \\ at the end of the line", out error);
                word.Append(line[++i]);
            }
            else word.Append(c);
        }
        if (inWord) words.Add(word.ToString());
        return words.Count > 0 || Fail("an empty line", out error);
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
