using System.CommandLine;
using System.Globalization;
using Sluice.Cli.Bench;
using Sluice.Cli.Output;
using Sluice.Client;
using Sluice.Client.Model;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice ls [s3://bucket[/prefix]]</c>: buckets, or the objects and common prefixes under a prefix (one level, or
/// every key with --recursive), with human sizes and a total on request, times in local time (or --utc) with the zone
/// shown, or JSON records with --json (<see cref="CommandOutput"/>).
/// </summary>
internal static class LsCommand
{
    /// <summary>Width of the time column: "2026-11-22 14:27:22 +01:00".</summary>
    private const int StampWidth = 26;

    /// <summary>Width of the size column (right-aligned).</summary>
    private const int SizeWidth = 10;

    /// <summary>Most listings --parallel runs at once.</summary>
    private const int MaxParallel = 256;

    public static Command Create()
    {
        var target = new Argument<string?>("target") { Description = "s3://bucket[/prefix]; omit to list buckets", Arity = ArgumentArity.ZeroOrOne };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List every key under the prefix, not one level" };
        var human = new Option<bool>("--human-readable", "-H") { Description = "Sizes as KiB/MiB/GiB" };
        var summarize = new Option<bool>("--summarize") { Description = "End with the object count and total size" };
        var utc = new Option<bool>("--utc") { Description = "Show times in UTC (default: local time; the zone is always shown)" };
        var incomplete = new Option<bool>("--incomplete")
        {
            Description = "List multipart uploads in progress instead (as `sluice mpu ls`, with ls's times): initiated, upload id, key",
        };
        var olderThan = IncompleteUploads.OlderThanOption();
        var versions = new Option<bool>("--versions")
        {
            Description = "List every version and delete marker (newest first within a key): time, size, version id, latest, key",
        };
        var parallel = new Option<int?>("--parallel")
        {
            Description = "With --recursive: list with N listings at once over ranges of the key space (cut at common prefixes), output still in key order",
        };
        var command = new Command("ls", "List buckets, or objects under an s3:// prefix")
        {
            target, recursive, human, summarize, utc, incomplete, olderThan, versions, parallel,
        };
        command.Description += "\n\nExamples:\n  sluice ls\n  sluice ls s3://photos/2024/\n  sluice ls -r -H --summarize s3://photos\n" +
            "  sluice ls -r --parallel 16 s3://logs/\n  sluice ls --incomplete --older-than 7d s3://backups\n  sluice ls --versions -r s3://photos/2024/";
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            await using var client = shared.CreateClient(parse);
            string? text = parse.GetValue(target);
            bool humanSizes = parse.GetValue(human), inUtc = parse.GetValue(utc);
            if (parse.GetValue(incomplete) && parse.GetValue(summarize)) throw new CliException("ls: --summarize counts objects, not --incomplete uploads", Program.ExitUsage);
            if (parse.GetValue(incomplete) && parse.GetValue(versions)) throw new CliException("ls: --versions and --incomplete list different things: give one", Program.ExitUsage);
            int? lanes = parse.GetValue(parallel);
            if (lanes is not null && (lanes < 1 || lanes > MaxParallel)) throw new CliException($"ls: --parallel must be 1 to {MaxParallel}", Program.ExitUsage);
            if (lanes is not null && (!parse.GetValue(recursive) || parse.GetValue(incomplete) || parse.GetValue(versions)))
                throw new CliException("ls: --parallel lists objects with --recursive (not --versions or --incomplete)", Program.ExitUsage);
            if (parse.GetValue(incomplete)) return await ListIncompleteAsync(client, text, output, parse.GetValue(olderThan), inUtc, ct);
            if (parse.GetValue(versions))
                return await ListVersionsAsync(client, text, output, parse.GetValue(recursive), humanSizes, inUtc, ct);
            if (parse.GetResult(olderThan) != null) throw new CliException("ls: --older-than selects uploads of --incomplete", Program.ExitUsage);
            // "s3://" alone lists the buckets, as no argument does (as aws s3 ls).
            if (text is null || text == "s3://")
            {
                var buckets = await client.ListBucketsAsync(ct);
                foreach (var b in buckets.Buckets) output.Bucket(b.Name, b.CreationDate, $"{Stamp(b.CreationDate, inUtc)} {b.Name}");
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
            void Emit(Sluice.S3.Xml.ListedObject o)
            {
                count++;
                total += o.Size;
                string size = humanSizes ? Units.FormatSize(o.Size) : o.Size.ToString(CultureInfo.InvariantCulture);
                output.Object(o, $"{Stamp(o.LastModified, inUtc)} {size,SizeWidth} {(request.Delimiter is null ? o.Key : Relative(o.Key, request))}");
            }

            if (lanes is int n)
            {
                await foreach (var o in client.ListObjectsV2ParallelAsync(request, new ParallelListOptions { MaxConcurrency = n }, ct)) Emit(o);
            }
            else
            {
                await foreach (var page in client.ListObjectsV2PagesAsync(request, ct))
                {
                    foreach (string prefix in page.CommonPrefixes)
                    {
                        prefixes++;
                        output.Prefix(prefix, $"{"PRE",StampWidth + 1 + SizeWidth} {Relative(prefix, request)}");
                    }
                    foreach (var o in page.Contents) Emit(o);
                }
            }
            output.Count("prefixes", prefixes, Plural(prefixes, "prefix", "prefixes"));
            if (parse.GetValue(summarize) && !output.Json)
            {
                await Console.Out.WriteLineAsync();
                await Console.Out.WriteLineAsync($"Total Objects: {count}");
                await Console.Out.WriteLineAsync($"   Total Size: {(humanSizes ? Units.FormatSize(total) : total.ToString(CultureInfo.InvariantCulture))}");
            }
            // A prefix that matches nothing is a failure, as aws s3 ls makes it (an empty bucket listed whole is not).
            if (path.Key.Length > 0 && count == 0 && prefixes == 0)
            {
                output.Error($"ls: nothing matches {text}");
                return Program.ExitFailure;
            }
            return Program.ExitOk;
        }));
        return command;
    }

    /// <summary>
    /// ls --incomplete: every multipart upload in progress under the prefix (none is no failure: nothing is left over),
    /// its time shown as ls shows times.
    /// </summary>
    private static async Task<int> ListIncompleteAsync(Client.S3Client client, string? text, CommandOutput output, string? olderThan, bool utc,
        CancellationToken ct)
    {
        if (text is null || !S3Path.TryParse(text, out var path, out _) || !path.IsS3)
            throw new CliException("ls: --incomplete lists the uploads of one bucket: give s3://bucket[/prefix]", Program.ExitUsage);
        var cutoff = IncompleteUploads.Cutoff("ls", olderThan);
        long uploads = 0;
        await foreach (var u in IncompleteUploads.ListAsync(client, path.Bucket!, path.Key, cutoff, null, ct))
        {
            uploads++;
            output.Upload(u, $"{Stamp(u.Initiated, utc)} {u.UploadId} {u.Key}");
        }
        output.Count("uploads", uploads, Plural(uploads, "upload", "uploads"));
        return Program.ExitOk;
    }

    /// <summary>
    /// ls --versions: every version and delete marker under the prefix (one level, or all with --recursive), newest
    /// first within a key: time, size (DELETE for a delete marker), version id, "latest" on a key's current one, key.
    /// A prefix that matches nothing fails, as ls does.
    /// </summary>
    private static async Task<int> ListVersionsAsync(Client.S3Client client, string? text, CommandOutput output, bool recursive,
        bool humanSizes, bool utc, CancellationToken ct)
    {
        if (text is null || !S3Path.TryParse(text, out var path, out _) || !path.IsS3)
            throw new CliException("ls: --versions lists the versions of one bucket: give s3://bucket[/prefix]", Program.ExitUsage);
        var request = new ListObjectsRequest(path.Bucket!)
        {
            Prefix = path.Key.Length > 0 ? path.Key : null,
            Delimiter = recursive ? null : "/",
        };
        long count = 0, prefixes = 0;
        await foreach (var page in client.ListObjectVersionsPagesAsync(request, ct))
        {
            foreach (string prefix in page.CommonPrefixes)
            {
                prefixes++;
                output.Prefix(prefix, $"{"PRE",StampWidth + 1 + SizeWidth} {Relative(prefix, request)}");
            }
            foreach (var v in page.Versions)
            {
                count++;
                string size = v.IsDeleteMarker ? "DELETE" : humanSizes ? Units.FormatSize(v.Size) : v.Size.ToString(CultureInfo.InvariantCulture);
                string name = recursive ? v.Key : Relative(v.Key, request);
                output.Record("version", $"{Stamp(v.LastModified, utc)} {size,SizeWidth} {v.VersionId} {(v.IsLatest ? "latest" : "      ")} {name}",
                    notice: false, w =>
                    {
                        w.WriteString("key", v.Key);
                        w.WriteString("versionId", v.VersionId);
                        w.WriteBoolean("latest", v.IsLatest);
                        w.WriteBoolean("deleteMarker", v.IsDeleteMarker);
                        w.WriteString("lastModified", v.LastModified.ToString("O", CultureInfo.InvariantCulture));
                        if (!v.IsDeleteMarker)
                        {
                            w.WriteNumber("size", v.Size);
                            w.WriteString("etag", v.ETag);
                        }
                    });
            }
        }
        output.Count("versions", count, Plural(count, "version", "versions"));
        if (path.Key.Length > 0 && count == 0 && prefixes == 0)
        {
            output.Error($"ls: nothing matches {text}");
            return Program.ExitFailure;
        }
        return Program.ExitOk;
    }

    /// <summary>Local time (the TZ environment variable, else the system's zone) or UTC, always with its offset.</summary>
    private static string Stamp(DateTimeOffset time, bool utc) =>
        (utc ? time.ToUniversalTime() : time.ToLocalTime()).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static string Plural(long count, string one, string many) => $"{count} {(count == 1 ? one : many)}";

    // One level below the prefix's last '/', as `aws s3 ls` shows names.
    private static string Relative(string key, ListObjectsRequest request)
    {
        string prefix = request.Prefix ?? "";
        int cut = prefix.LastIndexOf('/') + 1;
        return key.StartsWith(prefix[..cut], StringComparison.Ordinal) ? key[cut..] : key;
    }
}
