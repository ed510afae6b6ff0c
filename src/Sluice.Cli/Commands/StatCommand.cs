using System.CommandLine;
using System.Globalization;
using Sluice.Cli.Output;
using Sluice.Client.Model;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice stat s3://bucket/key</c>: one HeadObject shown as "Name: value" lines — size, ETag, last modified,
/// content type, storage class, stored checksum and user metadata (as <c>mc stat</c>); with --json one "object" record.
/// </summary>
internal static class StatCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("object") { Description = "s3://bucket/key" };
        var command = new Command("stat", "Show an object's size, ETag, times, type, storage class, checksum and metadata\n\nExample:\n" +
            "  sluice stat s3://photos/cat.jpg\n  sluice stat s3://photos/cat.jpg --version-id ID")
        {
            target,
        };
        var version = new VersionOption();
        version.AddTo(command);
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            string text = parse.GetValue(target)!;
            var (path, versionId) = version.Read(parse, "stat", ObjectCommands.Object("stat", text));
            path = ObjectCommands.Object("stat", path, text);
            await using var client = shared.CreateClient(parse);
            var head = await client.HeadObjectAsync(new GetObjectRequest(path.Bucket!, path.Key) { ChecksumMode = true, VersionId = versionId }, ct);
            var lines = new List<(string Name, string? Value)>
            {
                ("Name", path.ToString()),
                ("Size", head.ObjectSize.ToString(CultureInfo.InvariantCulture)),
                ("ETag", head.ETag),
                ("Version-Id", head.VersionId),
                ("Last-Modified", head.LastModified?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
                ("Content-Type", head.ContentType),
                ("Storage-Class", head.StorageClass ?? "STANDARD"),
            };
            var sums = head.Checksums;
            foreach (var (name, value) in CommandOutput.StoredChecksums(sums))
                lines.Add(("Checksum", $"{name} {value}{(sums.ChecksumType is { } type ? $" ({type})" : "")}"));
            foreach (var (name, value) in head.UserMetadata.OrderBy(m => m.Key, StringComparer.Ordinal)) lines.Add(("Metadata", $"{name}={value}"));
            output.Stat(path.Bucket!, path.Key, head, string.Join('\n', lines.Where(l => l.Value != null).Select(l => $"{l.Name + ":",-15}{l.Value}")));
            return Program.ExitOk;
        }));
        return command;
    }
}
