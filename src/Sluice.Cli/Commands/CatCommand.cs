using System.CommandLine;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice cat s3://bucket/key</c>: the object's bytes on stdout, fetched as `cp s3://… -` fetches them (parts in
/// parallel, written in order, checked against the stored checksum or ETag).
/// </summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("object") { Description = "s3://bucket/key" };
        var command = new Command("cat", "Write an object to stdout\n\nExamples:\n  sluice cat s3://logs/app.log | less\n" +
            "  sluice cat s3://backups/home.tar | tar x")
        {
            target,
        };
        var shared = ClientCommand.AddTo(command);
        command.SetAction((parse, ct) => shared.RunAsync(parse, async () =>
        {
            // One object: a pattern would concatenate objects in an order nobody chose.
            var path = ObjectCommands.Object("cat", parse.GetValue(target)!);
            await using var client = shared.CreateClient(parse);
            using var engine = new TransferEngine(client, new TransferOptions());
            // The descriptor itself (left open), so part buffers are written in place, as cp to '-' does.
            await using var stdout = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            var result = await engine.DownloadToStreamAsync(path.Bucket!, path.Key, stdout, null, ct);
            if (UnverifiedDownloads.Warning([result]) is { } warning) await Console.Error.WriteLineAsync(warning);
            return Program.ExitOk;
        }));
        return command;
    }
}
