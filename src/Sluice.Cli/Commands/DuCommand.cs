using System.CommandLine;
using System.Globalization;
using Sluice.Cli.Bench;
using Sluice.Cli.Output;
using Sluice.Client.Model;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice du s3://bucket[/prefix]</c>: the total size and count of the objects under a prefix (every level) or
/// matching a pattern, in s5cmd's words: "N bytes in M objects: TARGET"; with --json one "total" record.
/// </summary>
internal static class DuCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "s3://bucket[/prefix], or a pattern with * and ? (quoted)" };
        var human = new Option<bool>("--humanize", "-H") { Description = "Sizes as KiB/MiB/GiB" };
        var raw = new Option<bool>("--raw") { Description = "Take * and ? in the key literally, not as a pattern" };
        var command = new Command("du", "Total size and number of objects under a prefix\n\nExamples:\n  sluice du s3://photos\n" +
            "  sluice du -H s3://logs/2024/\n  sluice du 's3://logs/2024-*.gz'")
        {
            target, human, raw,
        };
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            string text = parse.GetValue(target)!;
            if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3)
                throw new CliException($"du: {error ?? $"'{text}' is not an s3:// location"}", Program.ExitUsage);
            var pattern = S3Wildcard.Of(path, parse.GetValue(raw));
            await using var client = shared.CreateClient(parse);
            long count = 0, total = 0;
            var objects = pattern != null ? pattern.ListAsync(client, path.Bucket!, ct)
                : client.ListObjectsV2Async(new ListObjectsRequest(path.Bucket!) { Prefix = path.Key.Length > 0 ? path.Key : null }, ct);
            await foreach (var o in objects)
            {
                count++;
                total += o.Size;
            }
            // Nothing under a prefix (or matching a pattern) is a failure, as ls makes it; an empty bucket is 0 bytes.
            if (count == 0 && pattern != null) throw S3Wildcard.NoMatch("du", path);
            if (count == 0 && path.Key.Length > 0) throw new CliException($"du: nothing matches {text}");
            string size = parse.GetValue(human) ? Units.FormatSize(total) : total.ToString(CultureInfo.InvariantCulture) + " bytes";
            output.Total(path.ToString(), count, total, $"{size} in {count} objects: {path}");
            return Program.ExitOk;
        }));
        return command;
    }
}
