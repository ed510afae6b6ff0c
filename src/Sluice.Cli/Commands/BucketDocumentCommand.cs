using System.CommandLine;
using Sluice.Cli.Output;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary>
/// What the bucket-document commands (<c>lifecycle</c>, <c>cors</c>, <c>policy</c>) share: a subcommand on one
/// <c>s3://bucket</c> with the client options and output modes, the document read from a file or stdin, and the
/// <c>rm</c> subcommand, which differs between them only in the call it makes and the words it prints.
/// </summary>
internal static class BucketDocumentCommand
{
    /// <summary>
    /// A subcommand <paramref name="group"/> <paramref name="name"/> taking <c>s3://bucket</c> and then
    /// <paramref name="arguments"/>; <paramref name="body"/> gets the parse result, the bucket, the client options
    /// (it creates the client itself, after checking its input, so a bad file is a usage error before any connection)
    /// and the output.
    /// </summary>
    public static Command OnBucket(string group, string name, string description,
        Func<ParseResult, string, ClientCommand, CommandOutput, CancellationToken, Task<int>> body, params Argument[] arguments)
    {
        var target = new Argument<string>("bucket") { Description = "s3://bucket" };
        var command = new Command(name, description) { target };
        foreach (var argument in arguments) command.Arguments.Add(argument);
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            string bucket = BucketCommands.BucketOf(parse.GetValue(target)!, group + " " + name);
            return await body(parse, bucket, shared, output, ct);
        }));
        return command;
    }

    /// <summary>
    /// The <c>rm</c> subcommand: <paramref name="delete"/> the document, then print
    /// "<paramref name="group"/>: s3://bucket: <paramref name="removed"/>" (JSON record <paramref name="record"/>).
    /// </summary>
    public static Command Remove(string group, string description, string record, string removed,
        Func<S3Client, string, CancellationToken, Task> delete) =>
        OnBucket(group, "rm", description, async (parse, bucket, shared, output, ct) =>
        {
            await using (var client = shared.CreateClient(parse)) await delete(client, bucket, ct);
            output.Record(record, $"{group}: s3://{bucket}: {removed}", notice: true, w => w.WriteString("bucket", bucket));
            return Program.ExitOk;
        });

    /// <summary>The document at <paramref name="path"/> (<c>-</c>: stdin); an unreadable file is a usage error
    /// naming <paramref name="command"/> and the path.</summary>
    public static async Task<byte[]> ReadAsync(string path, string command, CancellationToken ct)
    {
        try
        {
            if (path != "-") return await File.ReadAllBytesAsync(path, ct);
            using var stdin = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{command}: {path}: {e.Message}", Program.ExitUsage);
        }
    }
}
