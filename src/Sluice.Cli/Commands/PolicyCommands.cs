using System.CommandLine;
using System.Text;
using Sluice.Cli.Output;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice policy get|set|rm s3://bucket</c>: a bucket's policy, as the JSON document S3 stores (sent and printed as
/// written; the server validates it and answers MalformedPolicy with its reason).
/// </summary>
internal static class PolicyCommands
{
    public static Command Create()
    {
        var command = new Command("policy", "Show, set or remove a bucket's policy (a JSON policy document)\n\nExamples:\n" +
            "  sluice policy get s3://photos\n  sluice policy set s3://photos policy.json\n  sluice policy rm s3://photos");

        command.Subcommands.Add(BucketDocumentCommand.OnBucket("policy", "get",
            "Print the policy document as stored (exit 1 when the bucket has none)", async (parse, bucket, shared, output, ct) =>
            {
                await using var client = shared.CreateClient(parse);
                string document = await client.GetBucketPolicyAsync(bucket, ct)
                    ?? throw new CliException($"policy get: s3://{bucket} has no bucket policy", Program.ExitFailure);
                bool isPublic = await client.GetBucketPolicyStatusAsync(bucket, ct) ?? false;
                output.Record("policy", document.TrimEnd('\n'), notice: false, w =>
                {
                    w.WriteString("bucket", bucket);
                    w.WriteString("document", document);
                    w.WriteBoolean("public", isPublic);
                });
                return Program.ExitOk;
            }));

        var file = new Argument<string>("file") { Description = "A JSON policy document (- for stdin)" };
        command.Subcommands.Add(BucketDocumentCommand.OnBucket("policy", "set",
            "Replace the bucket's policy with a JSON policy document", async (parse, bucket, shared, output, ct) =>
            {
                string path = parse.GetValue(file)!;
                byte[] bytes = await BucketDocumentCommand.ReadAsync(path, "policy set", ct);
                string document;
                try
                {
                    document = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
                }
                catch (DecoderFallbackException)
                {
                    throw new CliException($"policy set: {path}: not UTF-8 text", Program.ExitUsage);
                }
                await using var client = shared.CreateClient(parse);
                await client.PutBucketPolicyAsync(bucket, document, ct);
                bool isPublic = await client.GetBucketPolicyStatusAsync(bucket, ct) ?? false;
                output.Record("policySet", $"policy: s3://{bucket}: policy set{(isPublic ? " (public)" : "")}", notice: true, w =>
                {
                    w.WriteString("bucket", bucket);
                    w.WriteBoolean("public", isPublic);
                });
                return Program.ExitOk;
            }, file));

        command.Subcommands.Add(BucketDocumentCommand.Remove("policy", "Remove the bucket's policy", "policyRemoved", "policy removed",
            (client, bucket, ct) => client.DeleteBucketPolicyAsync(bucket, ct)));
        return command;
    }
}
