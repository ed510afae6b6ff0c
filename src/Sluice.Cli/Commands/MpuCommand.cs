using System.CommandLine;
using Sluice.Cli.Output;
using Sluice.Client;
using Sluice.S3.Xml;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice mpu ls s3://bucket[/prefix]</c> and <c>sluice mpu abort</c>: the multipart uploads an interrupted or failed
/// upload left behind (their parts are stored, and billed, until completed or aborted), as <c>mc ls/rm --incomplete</c>;
/// with --json an "upload" record per upload listed, an "abort" record per upload aborted.
/// </summary>
internal static class MpuCommand
{
    public static Command Create()
    {
        var command = new Command("mpu", "List or abort multipart uploads in progress (left by interrupted uploads)\n\nExamples:\n" +
            "  sluice mpu ls s3://backups\n  sluice mpu ls --older-than 7d s3://backups/db/\n" +
            "  sluice mpu abort s3://backups/db.tar 2~kJ0Gd3...\n  sluice mpu abort --all --older-than 7d s3://backups");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateAbort());
        return command;
    }

    private static Command CreateList()
    {
        var target = new Argument<string>("target") { Description = "s3://bucket[/prefix]" };
        var olderThan = IncompleteUploads.OlderThanOption();
        var pageSize = new Option<int?>("--page-size") { Description = "Uploads asked for per ListMultipartUploads request (1-1000; default the server's, 1000)" };
        var command = new Command("ls", "List multipart uploads in progress: initiated (UTC), upload id, key\n\nExamples:\n" +
            "  sluice mpu ls s3://backups\n  sluice mpu ls --older-than 7d s3://backups/db/")
        {
            target, olderThan, pageSize,
        };
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false, "mpu ls");
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            var path = Location("mpu ls", parse.GetValue(target)!);
            var cutoff = IncompleteUploads.Cutoff("mpu ls", parse.GetValue(olderThan));
            int? size = parse.GetValue(pageSize);
            if (size is < 1 or > 1000) throw new CliException("mpu ls: --page-size must be from 1 to 1000", Program.ExitUsage);
            await using var client = shared.CreateClient(parse);
            long listed = 0;
            await foreach (var upload in IncompleteUploads.ListAsync(client, path.Bucket!, path.Key, cutoff, size, ct))
            {
                listed++;
                output.Upload(upload, IncompleteUploads.Line(upload));
            }
            output.Count("uploads", listed, $"{listed} upload{(listed == 1 ? "" : "s")}");
            return Program.ExitOk;
        }));
        return command;
    }

    private static Command CreateAbort()
    {
        var target = new Argument<string>("target") { Description = "s3://bucket/key with an upload id, or s3://bucket[/prefix] with --all" };
        var uploadId = new Argument<string?>("upload-id") { Description = "The upload to abort (see `sluice mpu ls`)", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Abort every upload under the prefix (with --older-than: only the stale ones)" };
        var olderThan = IncompleteUploads.OlderThanOption();
        var dryRun = new Option<bool>("--dryrun") { Description = "Show what would be aborted" };
        var command = new Command("abort", "Abort multipart uploads, deleting their parts\n\nExamples:\n" +
            "  sluice mpu abort s3://backups/db.tar UPLOAD-ID\n  sluice mpu abort --all s3://backups/tmp/\n" +
            "  sluice mpu abort --all --older-than 7d s3://backups")
        {
            target, uploadId, all, olderThan, dryRun,
        };
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false, "mpu abort");
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            var path = Location("mpu abort", parse.GetValue(target)!);
            string? id = parse.GetValue(uploadId);
            bool many = parse.GetValue(all), dry = parse.GetValue(dryRun);
            output.DryRun = dry;
            if (many == (id != null))
                throw new CliException("mpu abort: give either an upload id (one upload of one key) or --all (every upload under a prefix)", Program.ExitUsage);
            var cutoff = IncompleteUploads.Cutoff("mpu abort", parse.GetValue(olderThan));
            await using var client = shared.CreateClient(parse);
            if (id != null)
            {
                if (cutoff != null) throw new CliException("mpu abort: --older-than selects among uploads with --all", Program.ExitUsage);
                if (path.Key.Length == 0) throw new CliException("mpu abort: an upload id needs the object key: s3://bucket/key UPLOAD-ID", Program.ExitUsage);
                // S3 answers an abort of an unknown upload with NoSuchUpload (404): a typo is not a success.
                if (!dry) await client.AbortMultipartUploadAsync(path.Bucket!, path.Key, id, ct);
                output.Aborted(path.ToString(), id, dry);
                output.Count("aborted", 1, "1 aborted");
                return Program.ExitOk;
            }

            // Listed whole first: aborting while paging would move the markers under the listing.
            var uploads = new List<ListedUpload>();
            await foreach (var upload in IncompleteUploads.ListAsync(client, path.Bucket!, path.Key, cutoff, null, ct)) uploads.Add(upload);
            int failed = 0, aborted = 0;
            foreach (var upload in uploads)
            {
                string url = $"s3://{path.Bucket}/{upload.Key}";
                try
                {
                    if (!dry) await client.AbortMultipartUploadAsync(path.Bucket!, upload.Key, upload.UploadId, ct);
                    aborted++;
                    output.Aborted(url, upload.UploadId, dry);
                }
                catch (S3Exception e) when (e.Code == Sluice.S3.Errors.S3ErrorCode.NoSuchUpload)
                {
                    // Completed or aborted by someone else since it was listed: it is gone, as asked.
                }
                catch (S3Exception e)
                {
                    failed++;
                    output.Error($"abort failed: {url} {upload.UploadId}: {ClientCommand.Describe(e)}", url);
                }
            }
            output.Count("aborted", aborted, $"{aborted} aborted");
            return failed == 0 ? Program.ExitOk : Program.ExitFailure;
        }));
        return command;
    }

    private static S3Path Location(string verb, string text) =>
        S3Path.TryParse(text, out var path, out string? error) && path.IsS3 ? path
            : throw new CliException($"{verb}: {error ?? $"'{text}' is not an s3:// location"}", Program.ExitUsage);
}
