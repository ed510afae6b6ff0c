using System.CommandLine;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Cli.Output;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice mb s3://bucket</c> and <c>sluice rb s3://bucket [--force]</c>.</summary>
internal static class BucketCommands
{
    public static Command CreateMakeBucket()
    {
        var target = new Argument<string>("bucket") { Description = "s3://bucket to create" };
        var objectLock = new Option<bool>("--object-lock")
        {
            Description = "Create the bucket with object lock (versioning is enabled with it, for good)",
        };
        var acl = new Option<string>("--acl") { Description = "Canned ACL of the new bucket: " + string.Join(", ", AclCommands.CannedNames.Keys) };
        acl.AcceptOnlyFromAmong([.. AclCommands.CannedNames.Keys]);
        var command = new Command("mb",
            "Create a bucket\n\nExamples:\n  sluice mb s3://photos\n  sluice mb s3://site --acl public-read\n  sluice mb --object-lock s3://records")
        {
            target, objectLock, acl,
        };
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            string bucket = BucketOf(parse.GetValue(target)!, "mb");
            await using var client = shared.CreateClient(parse);
            CannedAcl? canned = parse.GetValue(acl) is { } name ? AclCommands.CannedNames[name] : null;
            if (parse.GetValue(objectLock)) await client.CreateBucketWithObjectLockAsync(bucket, canned, ct);
            else await client.CreateBucketAsync(bucket, null, canned, ct);
            output.MadeBucket(bucket);
            return Program.ExitOk;
        }));
        return command;
    }

    public static Command CreateRemoveBucket()
    {
        var target = new Argument<string>("bucket") { Description = "s3://bucket to delete" };
        var force = new Option<bool>("--force") { Description = "Delete every object (and abort every multipart upload) first" };
        var command = new Command("rb", "Delete a bucket (it must be empty unless --force)\n\nExamples:\n  sluice rb s3://scratch\n  sluice rb --force s3://scratch")
        {
            target, force,
        };
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            string bucket = BucketOf(parse.GetValue(target)!, "rb");
            await using var client = shared.CreateClient(parse);
            if (parse.GetValue(force))
            {
                // The objects' deletions are not results of rb: only their failures are reported.
                if (await RmCommand.DeleteAllAsync(client, bucket, "", null, dryRun: false, output, report: false, ct) > 0)
                    return Program.ExitFailure;
                await foreach (var upload in client.ListMultipartUploadsAsync(bucket, null, ct))
                    await client.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId, ct);
            }
            await client.DeleteBucketAsync(bucket, ct);
            output.RemovedBucket(bucket);
            return Program.ExitOk;
        }));
        return command;
    }

    internal static string BucketOf(string text, string verb)
    {
        if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3)
            throw new CliException($"{verb}: {error ?? $"'{text}' is not an s3:// location"}", Program.ExitUsage);
        if (path.Key.Length > 0) throw new CliException($"{verb}: '{text}' names an object, not a bucket", Program.ExitUsage);
        return path.Bucket!;
    }
}
