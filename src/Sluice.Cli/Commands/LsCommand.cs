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
        var command = new Command("ls", "List buckets, or objects under an s3:// prefix")
        {
            target, recursive, human, summarize, json,
        };
        command.Description += "\n\nExamples:\n  sluice ls\n  sluice ls s3://photos/2024/\n  sluice ls -r -H --summarize s3://photos";
        var shared = ClientCommand.AddTo(command);
        command.SetAction((parse, ct) => shared.RunAsync(parse, async () =>
        {
            await using var client = shared.CreateClient(parse);
            var output = Console.Out;
            string? text = parse.GetValue(target);
            bool asJson = parse.GetValue(json), humanSizes = parse.GetValue(human);
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

    private static string Stamp(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    // One level below the prefix's last '/', as `aws s3 ls` shows names.
    private static string Relative(string key, ListObjectsRequest request)
    {
        string prefix = request.Prefix ?? "";
        int cut = prefix.LastIndexOf('/') + 1;
        return key.StartsWith(prefix[..cut], StringComparison.Ordinal) ? key[cut..] : key;
    }
}
