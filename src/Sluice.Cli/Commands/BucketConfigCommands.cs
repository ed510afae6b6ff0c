using System.Buffers;
using System.CommandLine;
using System.Text;
using Sluice.Cli.Output;
using Sluice.S3.Lifecycle;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice versioning get|enable|suspend s3://bucket</c> and <c>sluice lifecycle get|set|rm s3://bucket</c>: a
/// bucket's versioning status and its lifecycle rules (as S3's XML document, the form every S3 tool reads).
/// </summary>
internal static class BucketConfigCommands
{
    public static Command CreateVersioning()
    {
        var command = new Command("versioning", "Show, enable or suspend a bucket's versioning\n\nExamples:\n" +
            "  sluice versioning get s3://photos\n  sluice versioning enable s3://photos\n  sluice versioning suspend s3://photos");
        command.Subcommands.Add(Versioning("get", "Show the versioning status (Enabled, Suspended, or never enabled)", null));
        command.Subcommands.Add(Versioning("enable", "Enable versioning", true));
        command.Subcommands.Add(Versioning("suspend", "Suspend versioning (existing versions stay)", false));
        return command;
    }

    private static Command Versioning(string name, string description, bool? enable) =>
        BucketDocumentCommand.OnBucket("versioning", name, description, async (parse, bucket, shared, output, ct) =>
        {
            await using var client = shared.CreateClient(parse);
            if (enable is { } on) await client.PutBucketVersioningAsync(bucket, on, ct);
            var status = (await client.GetBucketVersioningAsync(bucket, ct)).Status;
            output.Record("versioning", $"{bucket}: {status ?? "never enabled"}", notice: false, w =>
            {
                w.WriteString("bucket", bucket);
                if (status is null) w.WriteNull("status");
                else w.WriteString("status", status);
            });
            return Program.ExitOk;
        });

    public static Command CreateLifecycle()
    {
        var command = new Command("lifecycle", "Show, set or remove a bucket's lifecycle rules (S3's XML)\n\nExamples:\n" +
            "  sluice lifecycle get s3://logs\n  sluice lifecycle set s3://logs rules.xml\n  sluice lifecycle rm s3://logs");
        command.Subcommands.Add(BucketDocumentCommand.OnBucket("lifecycle", "get",
            "Print the rules as a LifecycleConfiguration document (exit 1 when there are none)", async (parse, bucket, shared, output, ct) =>
            {
                await using var client = shared.CreateClient(parse);
                var configuration = await client.GetBucketLifecycleAsync(bucket, ct)
                    ?? throw new CliException($"lifecycle get: s3://{bucket} has no lifecycle configuration", Program.ExitFailure);
                var xml = new ArrayBufferWriter<byte>();
                configuration.WriteTo(xml);
                string document = Encoding.UTF8.GetString(xml.WrittenSpan);
                output.Record("lifecycle", document, notice: false, w =>
                {
                    w.WriteString("bucket", bucket);
                    w.WriteString("document", document);
                    w.WriteNumber("rules", configuration.Rules.Count);
                });
                return Program.ExitOk;
            }));

        var file = new Argument<string>("file") { Description = "A LifecycleConfiguration XML document (- for stdin)" };
        command.Subcommands.Add(BucketDocumentCommand.OnBucket("lifecycle", "set",
            "Replace the rules with a LifecycleConfiguration document", async (parse, bucket, shared, output, ct) =>
            {
                string path = parse.GetValue(file)!;
                byte[] bytes = await BucketDocumentCommand.ReadAsync(path, "lifecycle set", ct);
                var read = LifecycleConfiguration.Read(bytes);
                if (!read.IsSuccess) throw new CliException($"lifecycle set: {path}: not a LifecycleConfiguration document ({read.Detail})", Program.ExitUsage);
                var problem = read.Value.Validate();
                if (!problem.IsNone) throw new CliException($"lifecycle set: {path}: {problem.Message}", Program.ExitUsage);
                await using var client = shared.CreateClient(parse);
                // Sent as written (checked, not rewritten): a server with storage tiers gets the transitions too.
                await client.PutBucketLifecycleAsync(bucket, bytes, ct);
                output.Record("lifecycleSet", $"lifecycle: s3://{bucket}: {read.Value.Rules.Count} rule(s) set", notice: true, w =>
                {
                    w.WriteString("bucket", bucket);
                    w.WriteNumber("rules", read.Value.Rules.Count);
                });
                return Program.ExitOk;
            }, file));

        command.Subcommands.Add(BucketDocumentCommand.Remove("lifecycle", "Remove the rules", "lifecycleRemoved", "rules removed",
            (client, bucket, ct) => client.DeleteBucketLifecycleAsync(bucket, ct)));
        return command;
    }
}
