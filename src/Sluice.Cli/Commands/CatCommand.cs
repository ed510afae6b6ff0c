using System.CommandLine;
using Sluice.Cli.Output;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice cat s3://bucket/key</c>: the object's bytes on stdout, fetched as `cp s3://… -` fetches them (parts in
/// parallel, written in order, checked against the stored checksum or ETag). --json is refused: stdout is the data.
/// </summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("object") { Description = "s3://bucket/key" };
        var command = new Command("cat", "Write an object to stdout\n\nExamples:\n  sluice cat s3://logs/app.log | less\n" +
            "  sluice cat s3://backups/home.tar | tar x\n  sluice cat 's3://conf/app.json?versionId=ID'   (that version; or --version-id ID)")
        {
            target,
        };
        var version = new VersionOption();
        version.AddTo(command);
        var shared = ClientCommand.AddTo(command);
        // Taken so that a script passing --json to every command hears why not, rather than an unknown option.
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            output.DataOnStdout("cat", "cat");
            // One object: a pattern would concatenate objects in an order nobody chose.
            string text = parse.GetValue(target)!;
            var (path, versionId) = version.Read(parse, "cat", ObjectCommands.Object("cat", text));
            path = ObjectCommands.Object("cat", path, text);
            await using var client = shared.CreateClient(parse);
            using var engine = new TransferEngine(client, new TransferOptions { SourceVersionId = versionId });
            await using var stdout = StdioStream.Output();
            var result = await engine.DownloadToStreamAsync(path.Bucket!, path.Key, stdout, null, ct);
            if (UnverifiedDownloads.Warning([result]) is { } warning) output.Warning(warning);
            output.Tally(1, result.Size);
            return Program.ExitOk;
        }));
        return command;
    }
}
