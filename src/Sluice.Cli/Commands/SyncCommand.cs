using System.Collections.Concurrent;
using System.CommandLine;
using Sluice.Cli.Output;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;
using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice sync SRC DST</c> (local→s3, s3→local, s3→s3): lists both sides, and copies a path only when it is missing
/// on the destination, its size differs, or its content differs — the local MD5 against a single-PUT ETag, else the
/// local CRC64NVME against a stored FULL_OBJECT checksum, else (nothing to compare content with) the source being
/// newer. --mtime compares modification times instead of content, --size-only sizes alone, --exact-timestamps (s3→local,
/// as aws s3 sync) keeps a same-size file only when its time is the object's to the second. --delete removes
/// destination paths with no source counterpart, but only within the include/exclude set. Files run in parallel.
/// </summary>
internal static class SyncCommand
{
    private const string FullObject = "FULL_OBJECT";

    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "Local directory or s3://bucket/prefix" };
        var destination = new Argument<string>("destination") { Description = "Local directory or s3://bucket/prefix" };
        var delete = new Option<bool>("--delete") { Description = "Delete destination paths that are not in the source (only those the globs select)" };
        var filters = new FilterOptions("paths");
        var mtime = new Option<bool>("--mtime") { Description = "Compare modification times instead of content: copy when the source is newer" };
        var sizeOnly = new Option<bool>("--size-only") { Description = "Copy only when the sizes differ" };
        var exact = new Option<bool>("--exact-timestamps")
        {
            Description = "s3→local: copy a same-size object unless the file's modification time is the object's to the second (as aws s3 sync)",
        };
        var parallel = new Option<int?>("--parallel") { Description = $"Files transferred at once (default {new TransferOptions().FileConcurrency})" };
        var memory = new Option<string>("--memory") { Description = "Memory budget for part buffers (default 256MiB)" };
        var dryRun = new Option<bool>("--dryrun") { Description = "Show what would be copied and deleted; change nothing" };
        var attributes = new ObjectAttributeOptions();
        var noProgress = ProgressLine.NoProgressOption();
        var command = new Command("sync", "Copy what changed between a directory and a prefix, or two prefixes\n\nExamples:\n" +
            "  sluice sync ./photos s3://photos/2024/\n  sluice sync --delete --exclude '*.tmp' ./site s3://www/\n" +
            "  sluice sync s3://backups/home/ ./restore\n  sluice sync --mtime s3://a/data/ s3://b/data/\n  sluice sync --exact-timestamps s3://www/ ./mirror")
        {
            source, destination, delete, mtime, sizeOnly, exact, parallel, memory, dryRun, noProgress,
        };
        var shared = ClientCommand.AddTo(command);
        filters.AddTo(command);
        attributes.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: true);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            var src = Parse(parse.GetValue(source)!);
            var dst = Parse(parse.GetValue(destination)!);
            if (src.IsStdio || dst.IsStdio) throw new CliException("sync: '-' is not a directory or prefix", Program.ExitUsage);
            if (!src.IsS3 && !dst.IsS3) throw new CliException("sync: one side must be an s3:// location", Program.ExitUsage);
            bool dry = parse.GetValue(dryRun), byTime = parse.GetValue(mtime), bySize = parse.GetValue(sizeOnly);
            output.DryRun = dry;
            output.NoProgress = parse.GetValue(noProgress);
            if (byTime && bySize) throw new CliException("sync: --mtime and --size-only exclude each other", Program.ExitUsage);
            bool byExactTime = parse.GetValue(exact);
            if (byExactTime && (byTime || bySize)) throw new CliException("sync: --exact-timestamps excludes --mtime and --size-only", Program.ExitUsage);
            // Downloads take the object's time (below), so only there does an equal time mean an equal copy.
            if (byExactTime && !(src.IsS3 && !dst.IsS3)) throw new CliException("sync: --exact-timestamps applies to s3:// → local directory", Program.ExitUsage);
            var options = TransferLimits.Check("sync", new TransferOptions
            {
                FileConcurrency = TransferLimits.Count("sync", "--parallel", parse.GetValue(parallel)) ?? new TransferOptions().FileConcurrency,
                MemoryBudget = TransferLimits.Size("sync", "--memory", parse.GetValue(memory)) ?? TransferOptions.DefaultMemoryBudget,
            }, partSizeGiven: false);
            int files = options.FileConcurrency;
            var filter = filters.Create(parse);
            var listed = filters.ListedPaths(parse);
            // Writes take the attributes; reads only the SSE-C key of what they read (the source's, for copies).
            UploadOptions upload = new();
            CopyOptions copy = new();
            SseCustomerKey? sourceKey = null, targetKey = null;
            if (!src.IsS3) targetKey = (upload = attributes.Upload(parse, "sync")).CustomerKey;
            else if (dst.IsS3) (sourceKey, targetKey) = ((copy = attributes.Copy(parse, "sync")).SourceCustomerKey, copy.CustomerKey);
            else sourceKey = attributes.Download(parse, "sync");
            options = options with { SourceCustomerKey = sourceKey };
            if (!src.IsS3 && !Directory.Exists(src.LocalPath)) throw new CliException($"sync: {src.LocalPath}: no such directory");
            if (!dst.IsS3 && File.Exists(dst.LocalPath)) throw new CliException($"sync: {dst.LocalPath} is a file, not a directory", Program.ExitUsage);

            await using var client = shared.CreateClient(parse);
            using var throttled = new ThrottleSummary(client, output); // before the client is disposed
            using var engine = new TransferEngine(client, options);
            var notRegular = new List<string>();
            var sources = await ListAsync(engine, src, filter, notRegular, ct);
            var targets = await ListAsync(engine, dst, filter, notRegular, ct);
            string verb = !src.IsS3 ? "upload" : !dst.IsS3 ? "download" : "copy";
            // Not regular files (devices, FIFOs, sockets) are neither read nor written, as `aws s3 sync` skips them: a
            // FIFO with no writer blocks, a device never ends, and a download must not be renamed over either.
            foreach (string relative in notRegular.Order(StringComparer.Ordinal))
            {
                sources.Remove(relative);
                output.Skipped(Location(src.IsS3 ? dst : src, relative), "not a regular file");
            }
            void Fail(string what, string path, Exception e) => output.Error($"{what} failed: {ClientCommand.Describe(e)}", path);

            // Does the destination copy differ from the source? Only called when both exist.
            async Task<bool> ChangedAsync(SyncEntry s, SyncEntry d, CancellationToken token)
            {
                if (s.Size != d.Size) return true;
                if (bySize) return false;
                if (byTime) return Newer(s, d);
                if (byExactTime) return s.LastModified.ToUnixTimeSeconds() != d.LastModified.ToUnixTimeSeconds();
                if (src.IsS3 && dst.IsS3)
                {
                    if (s.ETag == d.ETag) return false;
                    string? a = await FullObjectCrcAsync(client, src, s, sourceKey, token);
                    string? b = a is null ? null : await FullObjectCrcAsync(client, dst, d, targetKey, token);
                    return a is null || a != b;
                }
                var (local, remote, at) = src.IsS3 ? (dst, s, src) : (src, d, dst);
                string path = LocalPath(local, remote.Relative);
                if (Md5Hex(remote.ETag) is { } md5) return md5 != await LocalDigest.Md5HexAsync(path, token);
                if (await FullObjectCrcAsync(client, at, remote, src.IsS3 ? sourceKey : targetKey, token) is { } crc) return crc != await LocalDigest.Crc64NvmeBase64Async(path, token);
                return Newer(s, d); // a multipart ETag and no whole-object checksum: nothing to compare the bytes with
            }

            var downloads = new ConcurrentQueue<TransferResult>();
            var pending = sources.Values.OrderBy(e => e.Relative, StringComparer.Ordinal).ToList();
            using var progress = new SyncProgress(!output.AllowsProgress || dry, pending.Sum(e => e.Size), pending.Count);
            output.ClearProgress = progress.Clear;
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = files, CancellationToken = ct }, async (s, token) =>
            {
                string from = Location(src, s.Relative), to = Location(dst, s.Relative);
                try
                {
                    if (!dst.IsS3 && !TransferEngine.IsSafeRelativePath(s.Relative))
                        throw new CliException($"{from} would land outside {dst.LocalPath}");
                    if (targets.TryGetValue(s.Relative, out var d) && !await ChangedAsync(s, d, token))
                    {
                        progress.FileDone(s.Relative, s.Size);
                        return;
                    }
                    var fileProgress = progress.For(s.Relative);
                    bool? verified = null;
                    if (!dry)
                    {
                        if (!src.IsS3) await engine.UploadFileAsync(from, dst.Bucket!, Key(dst, s.Relative), upload, fileProgress, token);
                        else if (dst.IsS3) await engine.CopyAsync(src.Bucket!, Key(src, s.Relative), dst.Bucket!, Key(dst, s.Relative), copy, fileProgress, token);
                        else
                        {
                            // The engine makes the directory and returns once the file and its name are durable.
                            var result = await engine.DownloadFileAsync(src.Bucket!, Key(src, s.Relative), to, fileProgress, token);
                            downloads.Enqueue(result);
                            verified = result.ChecksumVerified;
                            // The object's time, as `aws s3 sync` does: the next sync (either way) sees them as equal.
                            File.SetLastWriteTimeUtc(to, s.LastModified.UtcDateTime);
                        }
                    }
                    progress.FileDone(s.Relative, s.Size);
                    output.Transfer(verb, from, to, s.Size, dry, verified: verified);
                }
                catch (Exception e) when (e is not OperationCanceledException && ClientCommand.Describe(e) is not null)
                {
                    Fail($"{verb}: {from} to {to}", from, e);
                }
            });

            // Listed, but not in the source (neither a file nor a skipped special file): one error each, and a failure.
            FilterOptions.ReportMissing(output, listed, sources.Keys.Concat(notRegular), r => Location(src, r));

            if (UnverifiedDownloads.Warning(downloads) is { } warning) output.Warning(warning);

            if (parse.GetValue(delete))
            {
                var extra = targets.Keys.Where(k => !sources.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
                if (dst.IsS3 && !dry && extra.Count > 0)
                {
                    var result = await client.DeleteObjectsAsync(dst.Bucket!, extra.Select(r => Key(dst, r)), quiet: false, ct);
                    foreach (var d in result.Deleted) output.Delete($"s3://{dst.Bucket}/{d.Key}", dryRun: false);
                    foreach (var e in result.Errors)
                        output.Error($"delete failed: s3://{dst.Bucket}/{e.Key}: {e.Code}: {e.Message}", $"s3://{dst.Bucket}/{e.Key}");
                }
                else
                {
                    foreach (string relative in extra)
                    {
                        string target = Location(dst, relative);
                        try
                        {
                            if (!dry) File.Delete(target);
                            output.Delete(target, dry);
                        }
                        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                        {
                            Fail($"delete: {target}", target, e);
                        }
                    }
                }
            }
            return output.Errors == 0 ? Program.ExitOk : Program.ExitFailure;
        }));
        return command;
    }

    private static S3Path Parse(string text) =>
        S3Path.TryParse(text, out var path, out string? error) ? path : throw new CliException("sync: " + error, Program.ExitUsage);

    private static string AsPrefix(string key) => key.Length == 0 || key.EndsWith('/') ? key : key + "/";

    internal static string Key(S3Path side, string relative) => AsPrefix(side.Key) + relative;

    internal static string LocalPath(S3Path side, string relative) => Path.Combine(side.LocalPath!, relative.Replace('/', Path.DirectorySeparatorChar));

    internal static string Location(S3Path side, string relative) =>
        side.IsS3 ? $"s3://{side.Bucket}/{Key(side, relative)}" : LocalPath(side, relative);

    // S3 keeps times to the second (listings may show milliseconds, HTTP dates do not): compare whole seconds, or a
    // file written and uploaded within one second would look newer forever.
    private static bool Newer(SyncEntry source, SyncEntry destination) =>
        source.LastModified.ToUnixTimeSeconds() > destination.LastModified.ToUnixTimeSeconds();

    // A single-PUT (or CopyObject) ETag is the quoted MD5 of the bytes; a multipart one ends in "-N" and is not.
    private static string? Md5Hex(string? etag)
    {
        Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
        return etag is not null && ETag.TryParse(etag, md5, out int parts) && parts == 0 ? Convert.ToHexStringLower(md5) : null;
    }

    private static async Task<string?> FullObjectCrcAsync(S3Client client, S3Path side, SyncEntry entry, SseCustomerKey? key,
        CancellationToken cancellationToken)
    {
        var head = await client.HeadObjectAsync(new GetObjectRequest(side.Bucket!, Key(side, entry.Relative)) { ChecksumMode = true, CustomerKey = key },
            cancellationToken);
        return head.Checksums is { ChecksumType: FullObject, ChecksumCrc64Nvme: { } crc } ? crc : null;
    }

    /// <summary>Every file under a directory (a missing one is empty) or object under a prefix that the globs select.</summary>
    internal static async Task<Dictionary<string, SyncEntry>> ListAsync(TransferEngine engine, S3Path side, GlobFilter filter, List<string> notRegular,
        CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, SyncEntry>(StringComparer.Ordinal);
        if (!side.IsS3)
        {
            if (!Directory.Exists(side.LocalPath)) return entries;
            string root = Path.GetFullPath(side.LocalPath!);
            foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                // An interrupted download's part and state files are not content to sync.
                if (file.EndsWith(".sluice-part", StringComparison.Ordinal) || file.EndsWith(".sluice-part.json", StringComparison.Ordinal)) continue;
                string relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                var info = new FileInfo(file);
                if (!filter.IsMatch(relative, info.Length, info.LastWriteTimeUtc)) continue;
                // Devices, FIFOs and sockets report no length: only empty entries (and links) need the statx that tells them apart.
                if ((info.Length == 0 || info.LinkTarget != null) && await engine.IsStreamFileAsync(file, cancellationToken))
                {
                    notRegular.Add(relative);
                    continue;
                }
                entries[relative] = new SyncEntry(relative, info.Length, info.LastWriteTimeUtc, null);
            }
            return entries;
        }
        string prefix = AsPrefix(side.Key);
        await foreach (var o in engine.Client.ListObjectsV2Async(new ListObjectsRequest(side.Bucket!) { Prefix = prefix.Length > 0 ? prefix : null }, cancellationToken))
        {
            string relative = o.Key[prefix.Length..];
            if (relative.Length == 0 || relative.EndsWith('/') || !filter.IsMatch(relative, o.Size, o.LastModified)) continue; // directory markers are not files
            entries[relative] = new SyncEntry(relative, o.Size, o.LastModified, o.ETag);
        }
        return entries;
    }
}
