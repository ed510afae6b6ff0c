using System.CommandLine;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice rm s3://bucket/key</c>, or with --recursive every key under a prefix (include/exclude globs), deleted in
/// batches of 1,000 with DeleteObjects. A key that fails is reported and the exit code is 1.
/// </summary>
internal static class RmCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "s3://bucket/key, or a prefix with --recursive" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Delete every key under the prefix" };
        var filters = new FilterOptions("keys");
        var dryRun = new Option<bool>("--dryrun") { Description = "Show what would be deleted" };
        var command = new Command("rm", "Delete objects\n\nExamples:\n  sluice rm s3://photos/cat.jpg\n  sluice rm -r --exclude '*.keep' s3://photos/tmp/")
        {
            target, recursive, dryRun,
        };
        var shared = ClientCommand.AddTo(command);
        filters.AddTo(command);
        command.SetAction((parse, ct) => shared.RunAsync(parse, async () =>
        {
            string text = parse.GetValue(target)!;
            if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3)
                throw new CliException($"rm: {error ?? $"'{text}' is not an s3:// location"}", Program.ExitUsage);
            bool quiet = parse.GetValue(shared.Quiet), dry = parse.GetValue(dryRun);
            await using var client = shared.CreateClient(parse);
            if (!parse.GetValue(recursive))
            {
                if (path.Key.Length == 0) throw new CliException("rm: give a key, or --recursive for a whole bucket or prefix", Program.ExitUsage);
                filters.RefuseWithout(parse, "rm");
                if (!dry) await client.DeleteObjectAsync(path.Bucket!, path.Key, null, ct);
                if (!quiet) await Console.Out.WriteLineAsync($"{(dry ? "(dryrun) " : "")}delete: {path}");
                return Program.ExitOk;
            }
            var filter = filters.Create(parse);
            var listed = filters.ListedPaths(parse);
            var matched = listed is null ? null : new HashSet<string>(StringComparer.Ordinal);
            // Listed paths are relative to the "directory" the prefix names.
            string prefix = listed != null && path.Key.Length > 0 && !path.Key.EndsWith('/') ? path.Key + "/" : path.Key;
            int failed = await DeleteAllAsync(client, path.Bucket!, prefix, filter, dry, quiet, ct, matched);
            if (listed != null) failed += await FilterOptions.ReportMissingAsync(listed, matched!, r => $"s3://{path.Bucket}/{prefix}{r}");
            return failed == 0 ? Program.ExitOk : Program.ExitFailure;
        }));
        return command;
    }

    /// <summary>Deletes every key under <paramref name="prefix"/> that passes <paramref name="filter"/>; returns the failures.</summary>
    internal static async Task<int> DeleteAllAsync(S3Client client, string bucket, string prefix, GlobFilter? filter, bool dryRun,
        bool quiet, CancellationToken cancellationToken, ISet<string>? matched = null)
    {
        var batch = new List<string>(S3Client.MaxDeleteBatch);
        int failed = 0;
        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            if (dryRun)
            {
                if (!quiet) foreach (string key in batch) await Console.Out.WriteLineAsync($"(dryrun) delete: s3://{bucket}/{key}");
            }
            else
            {
                var result = await client.DeleteObjectsAsync(bucket, batch, quiet, cancellationToken);
                if (!quiet) foreach (var d in result.Deleted) await Console.Out.WriteLineAsync($"delete: s3://{bucket}/{d.Key}");
                foreach (var e in result.Errors)
                {
                    failed++;
                    await Console.Error.WriteLineAsync($"sluice: delete failed: s3://{bucket}/{e.Key}: {e.Code}: {e.Message}");
                }
            }
            batch.Clear();
        }

        // Listing first and deleting after each full page keeps memory flat and never re-lists deleted keys.
        await foreach (var o in client.ListObjectsV2Async(new ListObjectsRequest(bucket) { Prefix = prefix.Length > 0 ? prefix : null }, cancellationToken))
        {
            if (filter != null && !filter.IsMatch(o.Key[prefix.Length..], o.Size, o.LastModified)) continue;
            matched?.Add(o.Key[prefix.Length..]);
            batch.Add(o.Key);
            if (batch.Count == S3Client.MaxDeleteBatch) await FlushAsync();
        }
        await FlushAsync();
        return failed;
    }
}
