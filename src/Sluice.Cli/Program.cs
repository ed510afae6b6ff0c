using System.CommandLine;
using System.CommandLine.Help;
using Sluice.Cli.Commands;

namespace Sluice.Cli;

/// <summary>The `sluice` command: builds the command tree and maps outcomes to exit codes.</summary>
public static class Program
{
    /// <summary>Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong.</summary>
    public const int ExitOk = 0, ExitFailure = 1, ExitUsage = 2;

    public static int Main(string[] args)
    {
        TieredRelaunch.IfLongRunning(args);
        var parsed = CreateRoot().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line on stderr, then a usage exit code: scripts can tell a typo from a failed transfer.
            string message = FirstError(parsed);
            Console.Error.WriteLine($"sluice: {message} (see 'sluice --help')");
            Output.CommandOutput.UsageError(parsed, message);
            return ExitUsage;
        }
        return parsed.Invoke();
    }

    /// <summary>The command tree; `sluice run` parses each of its lines with a tree of its own.</summary>
    internal static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "Sluice: a high-performance S3 data path for .NET on Linux (client, embedded server, transfer engine).");
        root.Subcommands.Add(CpCommand.Create());
        root.Subcommands.Add(CpCommand.Create(move: true));
        root.Subcommands.Add(LsCommand.Create());
        root.Subcommands.Add(RmCommand.Create());
        root.Subcommands.Add(CatCommand.Create());
        root.Subcommands.Add(StatCommand.Create());
        root.Subcommands.Add(DuCommand.Create());
        root.Subcommands.Add(PartitionsCommand.Create());
        root.Subcommands.Add(BucketCommands.CreateMakeBucket());
        root.Subcommands.Add(BucketCommands.CreateRemoveBucket());
        root.Subcommands.Add(PresignCommand.Create());
        root.Subcommands.Add(SyncCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(MpuCommand.Create());
        root.Subcommands.Add(BucketConfigCommands.CreateVersioning());
        root.Subcommands.Add(BucketConfigCommands.CreateLifecycle());
        root.Subcommands.Add(PolicyCommands.Create());
        root.Subcommands.Add(CorsCommand.Create());
        root.Subcommands.Add(AclCommands.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.SetAction(parseResult =>
        {
            // No command given: show the help text, as `sluice --help` does.
            new HelpAction().Invoke(parseResult);
            return ExitOk;
        });
        return root;
    }

    /// <summary>The first parse error in one line (some parser messages list choices on separate lines; the contract is one line).</summary>
    internal static string FirstError(ParseResult parsed) =>
        System.Text.RegularExpressions.Regex.Replace(parsed.Errors[0].Message, @"\s*[\r\n]+\s*", " ");
}
