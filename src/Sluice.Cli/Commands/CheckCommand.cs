using System.CommandLine;
using Sluice.Cli.Output;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice check SRC DST</c> (local↔s3, s3↔s3), as <c>rclone check</c>: lists both sides and reports the paths only
/// in the source, only in the destination, and those whose size or content differs — content compared without copying
/// (<see cref="ContentCheck"/>). --one-way ignores what only the destination has, --size-only compares sizes alone.
/// Exit 1 when anything differs or could not be compared.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "Local directory or s3://bucket/prefix" };
        var destination = new Argument<string>("destination") { Description = "Local directory or s3://bucket/prefix" };
        var oneWay = new Option<bool>("--one-way") { Description = "Only check that the source's paths are in the destination and match" };
        var sizeOnly = new Option<bool>("--size-only") { Description = "Compare sizes only, not content" };
        var filters = new FilterOptions("paths");
        var command = new Command("check", "Compare a directory and a prefix, or two prefixes, without copying (as rclone check)\n\n" +
            "Reports paths only in the source, only in the destination, and those that differ (size, then content by stored\n" +
            "checksum or ETag); exit 1 if any.\n\nExamples:\n  sluice check ./photos s3://photos/2024/\n" +
            "  sluice check --one-way s3://a/data/ s3://b/data/\n  sluice check --json --exclude '*.tmp' ./site s3://www/")
        {
            source, destination, oneWay, sizeOnly,
        };
        var shared = ClientCommand.AddTo(command);
        filters.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: true);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            var src = Parse(parse.GetValue(source)!);
            var dst = Parse(parse.GetValue(destination)!);
            if (src.IsStdio || dst.IsStdio) throw new CliException("check: '-' is not a directory or prefix", Program.ExitUsage);
            if (!src.IsS3 && !dst.IsS3) throw new CliException("check: one side must be an s3:// location", Program.ExitUsage);
            foreach (var side in new[] { src, dst })
            {
                if (!side.IsS3 && !Directory.Exists(side.LocalPath)) throw new CliException($"check: {side.LocalPath}: no such directory");
            }
            bool bySize = parse.GetValue(sizeOnly), sourceOnly = parse.GetValue(oneWay);
            var filter = filters.Create(parse);

            await using var client = shared.CreateClient(parse);
            using var engine = new TransferEngine(client, new TransferOptions());
            var notRegular = new List<string>();
            var sources = await SyncCommand.ListAsync(engine, src, filter, notRegular, ct);
            var targets = await SyncCommand.ListAsync(engine, dst, filter, notRegular, ct);
            foreach (string relative in notRegular.Order(StringComparer.Ordinal))
            {
                sources.Remove(relative);
                targets.Remove(relative);
                output.Skipped(SyncCommand.Location(src.IsS3 ? dst : src, relative), "not a regular file");
            }

            // --files-from: a listed path on neither side is not a difference check could report: an error of its own.
            FilterOptions.ReportMissing(output, filters.ListedPaths(parse), sources.Keys.Concat(targets.Keys).Concat(notRegular).ToHashSet(StringComparer.Ordinal),
                r => SyncCommand.Location(src, r));
            var paths = sources.Keys.Union(sourceOnly ? [] : targets.Keys).Order(StringComparer.Ordinal).ToArray();
            var outcomes = new ContentCheck.Outcome?[paths.Length];
            var content = new ContentCheck(client);
            // Compared in parallel (HEADs and local hashing), reported in path order.
            await Parallel.ForEachAsync(Enumerable.Range(0, paths.Length),
                new ParallelOptions { MaxDegreeOfParallelism = engine.Options.FileConcurrency, CancellationToken = ct }, async (i, token) =>
                {
                    string relative = paths[i];
                    bool inSource = sources.TryGetValue(relative, out var s), inTarget = targets.TryGetValue(relative, out var d);
                    try
                    {
                        outcomes[i] = !inTarget ? new(CheckVerdict.OnlyInSource, null)
                            : !inSource ? new(CheckVerdict.OnlyInDestination, null)
                            : s!.Size != d!.Size ? new(CheckVerdict.Differ, $"sizes {s.Size} and {d.Size}")
                            : bySize ? ContentCheck.Outcome.Same
                            : await CompareAsync(content, src, s, dst, d, token);
                    }
                    catch (Exception e) when (e is not OperationCanceledException && ClientCommand.Describe(e) is { } message)
                    {
                        output.Error($"check: {relative}: {message}", relative);
                    }
                });

            var counts = new long[Enum.GetValues<CheckVerdict>().Length];
            long compared = 0;
            for (int i = 0; i < paths.Length; i++)
            {
                if (outcomes[i] is not { } outcome) continue;
                counts[(int)outcome.Verdict]++;
                sources.TryGetValue(paths[i], out var s);
                targets.TryGetValue(paths[i], out var d);
                if (s != null && d != null) compared += s.Size;
                Report(output, paths[i], outcome, src, s, dst, d);
            }
            output.Tally(paths.Length, compared);
            output.Count("same", counts[(int)CheckVerdict.Same], $"{counts[(int)CheckVerdict.Same]} same");
            output.Count("differ", counts[(int)CheckVerdict.Differ], $"{counts[(int)CheckVerdict.Differ]} differ");
            output.Count("onlyInSource", counts[(int)CheckVerdict.OnlyInSource], $"{counts[(int)CheckVerdict.OnlyInSource]} only in source");
            if (!sourceOnly)
                output.Count("onlyInDestination", counts[(int)CheckVerdict.OnlyInDestination], $"{counts[(int)CheckVerdict.OnlyInDestination]} only in destination");
            output.Count("unverified", counts[(int)CheckVerdict.Unverified], $"{counts[(int)CheckVerdict.Unverified]} unverified");

            long differences = paths.Length - counts[(int)CheckVerdict.Same] - counts[(int)CheckVerdict.Unverified]
                - outcomes.Count(o => o is null);
            long unverified = counts[(int)CheckVerdict.Unverified];
            if (differences > 0 || unverified > 0)
            {
                output.Conclusion($"check: {Plural(differences, "difference")} found" +
                    (unverified > 0 ? $", {unverified} of the same size could not be compared by content (--size-only accepts equal sizes)" : ""));
                return Program.ExitFailure;
            }
            return output.Errors > 0 ? Program.ExitFailure : Program.ExitOk;
        }));
        return command;
    }

    private static Task<ContentCheck.Outcome> CompareAsync(ContentCheck content, S3Path src, SyncEntry s, S3Path dst, SyncEntry d, CancellationToken ct)
    {
        if (src.IsS3 && dst.IsS3)
            return content.ObjectAgainstObjectAsync(src.Bucket!, SyncCommand.Key(src, s.Relative), s.ETag!, dst.Bucket!, SyncCommand.Key(dst, d.Relative), d.ETag!, ct);
        var (local, remote) = src.IsS3 ? (dst, src) : (src, dst);
        return content.LocalAgainstObjectAsync(SyncCommand.LocalPath(local, s.Relative), remote.Bucket!, SyncCommand.Key(remote, s.Relative), ct);
    }

    /// <summary>One line per path that is not the same (text); one record per path, same ones included (JSON).</summary>
    private static void Report(CommandOutput output, string relative, ContentCheck.Outcome outcome, S3Path src, SyncEntry? s, S3Path dst, SyncEntry? d)
    {
        string from = SyncCommand.Location(src, relative), to = SyncCommand.Location(dst, relative);
        string? text = outcome.Verdict switch
        {
            CheckVerdict.OnlyInSource => $"only in source: {from}",
            CheckVerdict.OnlyInDestination => $"only in destination: {to}",
            CheckVerdict.Differ => $"differ: {from} and {to} ({outcome.Reason})",
            CheckVerdict.Unverified => $"unverified: {from} and {to} ({outcome.Reason})",
            _ => null,
        };
        // Results are the command's answer: printed even with --quiet, as ls prints its listing.
        output.Record("check", text, notice: false, w =>
        {
            w.WriteString("result", outcome.Verdict switch
            {
                CheckVerdict.Same => "same",
                CheckVerdict.Differ => "differ",
                CheckVerdict.OnlyInSource => "onlyInSource",
                CheckVerdict.OnlyInDestination => "onlyInDestination",
                _ => "unverified",
            });
            w.WriteString("path", relative);
            w.WriteString("source", from);
            w.WriteString("destination", to);
            if (s != null) w.WriteNumber("sourceSize", s.Size);
            if (d != null) w.WriteNumber("destinationSize", d.Size);
            if (outcome.Reason != null) w.WriteString("reason", outcome.Reason);
        });
    }

    private static string Plural(long count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static S3Path Parse(string text) =>
        S3Path.TryParse(text, out var path, out string? error) ? path : throw new CliException("check: " + error, Program.ExitUsage);
}
