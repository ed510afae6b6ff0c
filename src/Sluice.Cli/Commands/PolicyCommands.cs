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

        var getTarget = new Argument<string>("bucket") { Description = "s3://bucket" };
        var get = new Command("get", "Print the policy document as stored (exit 1 when the bucket has none)") { getTarget };
        var getShared = ClientCommand.AddTo(get);
        var getOutput = OutputOptions.AddTo(get, summary: false);
        get.SetAction((parse, ct) => getOutput.RunAsync(parse, getShared, async output =>
        {
            string bucket = BucketCommands.BucketOf(parse.GetValue(getTarget)!, "policy get");
            await using var client = getShared.CreateClient(parse);
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

        var setTarget = new Argument<string>("bucket") { Description = "s3://bucket" };
        var file = new Argument<string>("file") { Description = "A JSON policy document (- for stdin)" };
        var set = new Command("set", "Replace the bucket's policy with a JSON policy document") { setTarget, file };
        var setShared = ClientCommand.AddTo(set);
        var setOutput = OutputOptions.AddTo(set, summary: false);
        set.SetAction((parse, ct) => setOutput.RunAsync(parse, setShared, async output =>
        {
            string bucket = BucketCommands.BucketOf(parse.GetValue(setTarget)!, "policy set");
            string path = parse.GetValue(file)!;
            byte[] bytes;
            try
            {
                bytes = path == "-" ? await ReadStdinAsync(ct) : await File.ReadAllBytesAsync(path, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"policy set: {path}: {e.Message}", Program.ExitUsage);
            }
            string document;
            try
            {
                document = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new CliException($"policy set: {path}: not UTF-8 text", Program.ExitUsage);
            }
            await using var client = setShared.CreateClient(parse);
            await client.PutBucketPolicyAsync(bucket, document, ct);
            bool isPublic = await client.GetBucketPolicyStatusAsync(bucket, ct) ?? false;
            output.Record("policySet", $"policy: s3://{bucket}: policy set{(isPublic ? " (public)" : "")}", notice: true, w =>
            {
                w.WriteString("bucket", bucket);
                w.WriteBoolean("public", isPublic);
            });
            return Program.ExitOk;
        }));

        var rmTarget = new Argument<string>("bucket") { Description = "s3://bucket" };
        var rm = new Command("rm", "Remove the bucket's policy") { rmTarget };
        var rmShared = ClientCommand.AddTo(rm);
        var rmOutput = OutputOptions.AddTo(rm, summary: false);
        rm.SetAction((parse, ct) => rmOutput.RunAsync(parse, rmShared, async output =>
        {
            string bucket = BucketCommands.BucketOf(parse.GetValue(rmTarget)!, "policy rm");
            await using var client = rmShared.CreateClient(parse);
            await client.DeleteBucketPolicyAsync(bucket, ct);
            output.Record("policyRemoved", $"policy: s3://{bucket}: policy removed", notice: true, w => w.WriteString("bucket", bucket));
            return Program.ExitOk;
        }));

        command.Subcommands.Add(get);
        command.Subcommands.Add(set);
        command.Subcommands.Add(rm);
        return command;
    }

    private static async Task<byte[]> ReadStdinAsync(CancellationToken ct)
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
