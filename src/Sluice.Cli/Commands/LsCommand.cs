using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Cli.Bench;
using Sluice.Client.Model;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice ls [s3://bucket[/prefix]]</c>: buckets, or the objects and common prefixes under a prefix (one level, or
/// every key with --recursive), with human sizes and a total on request, or JSON lines with --json.
/// </summary>
internal static class LsCommand
{
    // Plain JSON for terminals and jq: no \u0022-style escaping of quotes and '+'.
    private static readonly JsonSerializerOptions JsonLines = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var target = new Argument<string?>("target") { Description = "s3://bucket[/prefix]; omit to list buckets", Arity = ArgumentArity.ZeroOrOne };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List every key under the prefix, not one level" };
        var human = new Option<bool>("--human-readable", "-H") { Description = "Sizes as KiB/MiB/GiB" };
        var summarize = new Option<bool>("--summarize") { Description = "End with the object count and total size" };
        var json = new Option<bool>("--json") { Description = "One JSON object per line (key, size, etag, lastModified, storageClass)" };
        var incomplete = new Option<bool>("--incomplete") { Description = "List multipart uploads in progress instead (as `sluice mpu ls`): initiated, upload id, key" };
        var olderThan = IncompleteUploads.OlderThanOption();
        var command = new Command("ls", "List buckets, or objects under an s3:// prefix")
        {
            target, recursive, human, summarize, json, incomplete, olderThan,
        };
        command.Description += "\n\nExamples:\n  sluice ls\n  sluice ls s3://photos/2024/\n  sluice ls -r -H --summarize s3://photos\n" +
            "  sluice ls --incomplete --older-than 7d s3://backups";
        var shared = ClientCommand.AddTo(command);
        command.SetAction((parse, ct) => shared.RunAsync(parse, async () =>
        {
            await using var client = shared.CreateClient(parse);
            var output = Console.Out;
            string? text = parse.GetValue(target);
            bool asJson = parse.GetValue(json), humanSizes = parse.GetValue(human);
            if (parse.GetValue(incomplete) && parse.GetValue(summarize)) throw new CliException("ls: --summarize counts objects, not --incomplete uploads", Program.ExitUsage);
            if (parse.GetValue(incomplete)) return await ListIncompleteAsync(client, text, asJson, parse.GetValue(olderThan), ct);
            if (parse.GetResult(olderThan) != null) throw new CliException("ls: --older-than selects uploads of --incomplete", Program.ExitUsage);
            // "s3://" alone lists the buckets, as no argument does (as aws s3 ls).
            if (text is null || text == "s3://")
            {
                var buckets = await client.ListBucketsAsync(ct);
                foreach (var b in buckets.Buckets)
                {
                    await output.WriteLineAsync(asJson
                        ? JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = b.Name, ["creationDate"] = b.CreationDate.ToString("O", CultureInfo.InvariantCulture) }, JsonLines)
                        : $"{Stamp(b.CreationDate)} {b.Name}");
                }
                return Program.ExitOk;
            }
            if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3)
                throw new CliException($"ls: {error ?? $"'{text}' is not an s3:// location"}", Program.ExitUsage);

            var request = new ListObjectsRequest(path.Bucket!)
            {
                Prefix = path.Key.Length > 0 ? path.Key : null,
                Delimiter = parse.GetValue(recursive) ? null : "/",
            };
            long count = 0, total = 0, prefixes = 0;
            await foreach (var page in client.ListObjectsV2PagesAsync(request, ct))
            {
                foreach (string prefix in page.CommonPrefixes)
                {
                    prefixes++;
                    await output.WriteLineAsync(asJson
                        ? JsonSerializer.Serialize(new Dictionary<string, string> { ["prefix"] = prefix }, JsonLines)
                        : $"{"PRE",30} {Relative(prefix, request)}");
                }
                foreach (var o in page.Contents)
                {
                    count++;
                    total += o.Size;
                    if (asJson)
                    {
                        await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                        {
                            ["key"] = o.Key, ["size"] = o.Size, ["etag"] = o.ETag,
                            ["lastModified"] = o.LastModified.ToString("O", CultureInfo.InvariantCulture),
                            ["storageClass"] = o.StorageClass ?? "STANDARD",
                        }, JsonLines));
                    }
                    else
                    {
                        string size = humanSizes ? Units.FormatSize(o.Size) : o.Size.ToString(CultureInfo.InvariantCulture);
                        await output.WriteLineAsync($"{Stamp(o.LastModified)} {size,10} {(request.Delimiter is null ? o.Key : Relative(o.Key, request))}");
                    }
                }
            }
            if (parse.GetValue(summarize) && !asJson)
            {
                await output.WriteLineAsync();
                await output.WriteLineAsync($"Total Objects: {count}");
                await output.WriteLineAsync($"   Total Size: {(humanSizes ? Units.FormatSize(total) : total.ToString(CultureInfo.InvariantCulture))}");
            }
            // A prefix that matches nothing is a failure, as aws s3 ls makes it (an empty bucket listed whole is not).
            if (path.Key.Length > 0 && count == 0 && prefixes == 0)
            {
                await Console.Error.WriteLineAsync($"sluice: ls: nothing matches {text}");
                return Program.ExitFailure;
            }
            return Program.ExitOk;
        }));
        return command;
    }

    /// <summary>ls --incomplete: every multipart upload in progress under the prefix (none is no failure: nothing is left over).</summary>
    private static async Task<int> ListIncompleteAsync(Client.S3Client client, string? text, bool asJson, string? olderThan, CancellationToken ct)
    {
        if (text is null || !S3Path.TryParse(text, out var path, out _) || !path.IsS3)
            throw new CliException("ls: --incomplete lists the uploads of one bucket: give s3://bucket[/prefix]", Program.ExitUsage);
        var cutoff = IncompleteUploads.Cutoff("ls", olderThan);
        await foreach (var u in IncompleteUploads.ListAsync(client, path.Bucket!, path.Key, cutoff, null, ct))
        {
            await Console.Out.WriteLineAsync(asJson
                ? JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["key"] = u.Key, ["uploadId"] = u.UploadId, ["initiated"] = u.Initiated.ToString("O", CultureInfo.InvariantCulture),
                }, JsonLines)
                : IncompleteUploads.Line(u));
        }
        return Program.ExitOk;
    }

    private static string Stamp(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    // One level below the prefix's last '/', as `aws s3 ls` shows names.
    private static string Relative(string key, ListObjectsRequest request)
    {
        string prefix = request.Prefix ?? "";
        int cut = prefix.LastIndexOf('/') + 1;
        return key.StartsWith(prefix[..cut], StringComparison.Ordinal) ? key[cut..] : key;
    }
}
