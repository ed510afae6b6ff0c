using System.CommandLine;
using Sluice.Cli.Output;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice rm s3://bucket/key</c>, or with --recursive every key under a prefix (include/exclude globs), or every key
/// a pattern matches, deleted in batches of 1,000 with DeleteObjects. A key that fails is reported and the exit code is 1.
/// </summary>
internal static class RmCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "s3://bucket/key, or a prefix with --recursive" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Delete every key under the prefix" };
        var filters = new FilterOptions("keys");
        var dryRun = new Option<bool>("--dryrun") { Description = "Show what would be deleted" };
        var raw = new Option<bool>("--raw") { Description = "Take * and ? in the key literally, not as a pattern" };
        var command = new Command("rm", "Delete objects\n\nExamples:\n  sluice rm s3://photos/cat.jpg\n  sluice rm -r --exclude '*.keep' s3://photos/tmp/\n" +
            "  sluice rm 's3://logs/2024-*.gz'      (* crosses '/', ? is one character; quote it from the shell)")
        {
            target, recursive, dryRun, raw,
        };
        var shared = ClientCommand.AddTo(command);
        filters.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: true);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            string text = parse.GetValue(target)!;
            if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3)
                throw new CliException($"rm: {error ?? $"'{text}' is not an s3:// location"}", Program.ExitUsage);
            bool dry = parse.GetValue(dryRun);
            output.DryRun = dry;
            await using var client = shared.CreateClient(parse);
            if (S3Wildcard.Of(path, parse.GetValue(raw)) is { } pattern)
            {
                // The pattern selects the objects: -r adds nothing, the filters narrow the matches (relative as cp's).
                if (parse.GetValue(recursive)) throw new CliException("rm: a pattern selects the objects itself; drop -r", Program.ExitUsage);
                var matches = filters.Create(parse);
                int matched = 0;
                int errors = await DeleteAsync(client, path.Bucket!, Matching(), dry, output, report: true, ct);
                if (matched == 0) throw S3Wildcard.NoMatch("rm", path);
                return errors == 0 ? Program.ExitOk : Program.ExitFailure;

                async IAsyncEnumerable<string> Matching()
                {
                    await foreach (var o in pattern.ListAsync(client, path.Bucket!, ct))
                    {
                        if (!matches.IsMatch(pattern.Relative(o.Key), o.Size, o.LastModified)) continue;
                        matched++;
                        yield return o.Key;
                    }
                }
            }
            if (!parse.GetValue(recursive))
            {
                if (path.Key.Length == 0) throw new CliException("rm: give a key, or --recursive for a whole bucket or prefix", Program.ExitUsage);
                filters.RefuseWithout(parse, "rm");
                if (!dry) await client.DeleteObjectAsync(path.Bucket!, path.Key, null, ct);
                output.Delete(path.ToString(), dry);
                return Program.ExitOk;
            }
            var filter = filters.Create(parse);
            var listed = filters.ListedPaths(parse);
            var found = listed is null ? null : new HashSet<string>(StringComparer.Ordinal);
            // Listed paths are relative to the "directory" the prefix names.
            string prefix = listed != null && path.Key.Length > 0 && !path.Key.EndsWith('/') ? path.Key + "/" : path.Key;
            int failed = await DeleteAllAsync(client, path.Bucket!, prefix, filter, dry, output, report: true, ct, found);
            if (listed != null) failed += FilterOptions.ReportMissing(output, listed, found!, r => $"s3://{path.Bucket}/{prefix}{r}");
            return failed == 0 ? Program.ExitOk : Program.ExitFailure;
        }));
        return command;
    }

    /// <summary>
    /// Deletes every key under <paramref name="prefix"/> that passes <paramref name="filter"/>; returns the failures.
    /// Each deletion is reported to <paramref name="output"/> when <paramref name="report"/>, each failure always;
    /// <paramref name="found"/>, when given, collects the relative paths that passed (for --files-from's missing ones).
    /// </summary>
    internal static Task<int> DeleteAllAsync(S3Client client, string bucket, string prefix, GlobFilter? filter, bool dryRun,
        CommandOutput output, bool report, CancellationToken cancellationToken, ISet<string>? found = null)
    {
        return DeleteAsync(client, bucket, Keys(), dryRun, output, report, cancellationToken);

        async IAsyncEnumerable<string> Keys()
        {
            await foreach (var o in client.ListObjectsV2Async(new ListObjectsRequest(bucket) { Prefix = prefix.Length > 0 ? prefix : null }, cancellationToken))
            {
                if (filter != null && !filter.IsMatch(o.Key[prefix.Length..], o.Size, o.LastModified)) continue;
                found?.Add(o.Key[prefix.Length..]);
                yield return o.Key;
            }
        }
    }

    /// <summary>Deletes <paramref name="keys"/> in batches as they are listed; returns the failures.</summary>
    private static async Task<int> DeleteAsync(S3Client client, string bucket, IAsyncEnumerable<string> keys, bool dryRun,
        CommandOutput output, bool report, CancellationToken cancellationToken)
    {
        var batch = new List<string>(S3Client.MaxDeleteBatch);
        int failed = 0;
        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            if (dryRun)
            {
                if (report) foreach (string key in batch) output.Delete($"s3://{bucket}/{key}", dryRun: true);
            }
            else
            {
                // DeleteObjects' quiet mode answers with the failures only: enough when nothing is reported.
                var result = await client.DeleteObjectsAsync(bucket, batch, quiet: !report, cancellationToken);
                if (report) foreach (var d in result.Deleted) output.Delete($"s3://{bucket}/{d.Key}", dryRun: false);
                foreach (var e in result.Errors)
                {
                    failed++;
                    output.Error($"delete failed: s3://{bucket}/{e.Key}: {e.Code}: {e.Message}", $"s3://{bucket}/{e.Key}");
                }
            }
            batch.Clear();
        }

        // Listing first and deleting after each full page keeps memory flat and never re-lists deleted keys.
        await foreach (string key in keys)
        {
            batch.Add(key);
            if (batch.Count == S3Client.MaxDeleteBatch) await FlushAsync();
        }
        await FlushAsync();
        return failed;
    }
}
