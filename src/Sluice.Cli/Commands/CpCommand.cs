using System.CommandLine;
using Sluice.Cli.Output;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;
using Sluice.S3.Checksums;
using Sluice.S3.Xml;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice cp SRC DST</c>: local→s3 (multipart in parallel above the threshold), s3→local (parallel ranged GETs,
/// verified, published only when complete), s3→s3 (server-side copy), "-" for stdin/stdout, and --recursive for
/// directories and prefixes with include/exclude globs, rclone rule files or a list of paths. Uploads and copies set the
/// object attributes asked (<see cref="ObjectAttributeOptions"/>), for mv as for cp. Everything draws part buffers from
/// one memory budget.
/// </summary>
internal static class CpCommand
{
    private const string CopyHelp = "Copy files and objects\n\nExamples:\n  sluice cp big.iso s3://isos/\n  sluice cp s3://isos/big.iso /tmp/big.iso\n" +
        "  sluice cp -r ./photos s3://photos/2024/ --exclude '*.tmp'\n  sluice cp s3://a/k s3://b/k\n  tar c . | sluice cp - s3://backups/home.tar\n" +
        "  sluice cp 's3://logs/2024-*.gz' ./logs/      (* crosses '/', ? is one character; keys keep their path below logs/)\n" +
        "  sluice cp -n -r ./site s3://www/             (--no-clobber: keep what is there; -s: only other sizes; -u: only newer)\n" +
        "  sluice cp 's3://docs/a.pdf?versionId=ID' .  (that version of the object; the same as --version-id ID)";

    private const string MoveHelp = "Move files and objects: copy, then delete each source once its copy succeeded\n\nExamples:\n" +
        "  sluice mv report.pdf s3://docs/\n  sluice mv s3://inbox/a.csv ./done/\n  sluice mv -r s3://stage/batch1/ s3://archive/batch1/\n" +
        "  sluice mv 's3://logs/2024-*.gz' s3://cold/logs/\n  sluice mv -n s3://a/k s3://b/k             (an existing destination is kept, and so is the source)";

    /// <summary>cp, or with <paramref name="move"/> mv: the same options, each source deleted after its copy succeeded.</summary>
    public static Command Create(bool move = false)
    {
        string verb = move ? "mv" : "cp";
        var source = new Argument<string>("source")
        {
            Description = "Local path, s3://bucket/key (* and ? in the key select many: quote them)" + (move ? "" : ", or - for stdin"),
        };
        var destination = new Argument<string>("destination") { Description = "Local path, s3://bucket/key" + (move ? "" : ", or - for stdout") };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Copy a directory or every key under a prefix" };
        var filters = new FilterOptions("paths");
        var partSize = new Option<string>("--part-size") { Description = "Part size, e.g. 8MiB (default: derived; at least 5MiB)" };
        var concurrency = new Option<int?>("--concurrency") { Description = "Parts in flight per transfer (default: derived from the target throughput)" };
        var memory = new Option<string>("--memory") { Description = "Memory budget for part buffers (default 256MiB)" };
        var checksum = new Option<string>("--checksum", "--checksum-algorithm")
        {
            Description = "Checksum carried end to end, per part and whole: CRC64NVME (default), CRC32C, CRC32, or SHA256, SHA1, " +
                "SHA512, MD5, XXHASH64, XXHASH3, XXHASH128 (a multipart upload's is then COMPOSITE: the digest of its parts' digests)",
            DefaultValueFactory = _ => "crc64nvme",
        };
        string[] algorithms = ["CRC64NVME", "CRC32C", "CRC32", "SHA256", "SHA1", "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128"];
        checksum.AcceptOnlyFromAmong([.. algorithms.Select(a => a.ToLowerInvariant()), .. algorithms]);
        checksum.HelpName = string.Join('|', algorithms); // either case is taken; the help names each once
        var attributes = new ObjectAttributeOptions();
        var noProgress = ProgressLine.NoProgressOption();
        var dryRun = new Option<bool>("--dryrun") { Description = "Show what would be copied" };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue an interrupted transfer (the default; for the uploads of -r only when given): the latest multipart " +
                "upload of the key in progress, keeping the parts whose size and checksum match the file (see `sluice mpu`), or a " +
                "download's .sluice-part file",
        };
        var noResume = new Option<bool>("--no-resume")
        {
            Description = "Start over: abort an interrupted upload of the key (or drop a partial download), and abort this upload if it fails or is cancelled",
        };
        var raw = new Option<bool>("--raw") { Description = "Take * and ? in the source key literally, not as a pattern" };
        var conditions = new CopyConditions();
        var version = new VersionOption();
        var command = new Command(verb, move ? MoveHelp : CopyHelp)
        {
            source, destination, recursive, partSize, concurrency, memory, checksum, dryRun, resume, noResume, raw, noProgress,
        };
        var shared = ClientCommand.AddTo(command);
        filters.AddTo(command);
        conditions.AddTo(command);
        version.AddTo(command);
        attributes.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: true);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            var (src, versionId) = version.Read(parse, verb, Parse(verb, parse.GetValue(source)!), literal: parse.GetValue(raw));
            var dst = Parse(verb, parse.GetValue(destination)!);
            if (!parse.GetValue(raw)) VersionOption.RefuseOn(verb, dst);
            bool recurse = parse.GetValue(recursive), dry = parse.GetValue(dryRun);
            output.DryRun = dry;
            output.NoProgress = parse.GetValue(noProgress);
            if (!src.IsS3 && !dst.IsS3) throw new CliException($"{verb}: one side must be an s3:// location", Program.ExitUsage);
            if (recurse && (src.IsStdio || dst.IsStdio)) throw new CliException($"{verb}: --recursive does not take '-'", Program.ExitUsage);
            if (parse.GetValue(resume) && parse.GetValue(noResume)) throw new CliException($"{verb}: --resume and --no-resume exclude each other", Program.ExitUsage);
            bool fresh = parse.GetValue(noResume);
            // Directory transfers do not carry --no-resume (their downloads pick up partial files, their uploads are not
            // aborted): refused rather than accepted and ignored.
            if (fresh && recurse) throw new CliException($"{verb}: --no-resume applies to single-file transfers, not --recursive", Program.ExitUsage);
            var pattern = S3Wildcard.Of(src, parse.GetValue(raw));
            // A pattern selects among objects as -r does: the filters narrow its matches.
            if (!recurse && pattern is null) filters.RefuseWithout(parse, verb);
            var rules = conditions.Read(parse);
            var options = TransferLimits.Check(verb, new TransferOptions
            {
                PartSize = TransferLimits.Size(verb, "--part-size", parse.GetValue(partSize)),
                Concurrency = TransferLimits.Count(verb, "--concurrency", parse.GetValue(concurrency)),
                MemoryBudget = TransferLimits.Size(verb, "--memory", parse.GetValue(memory)) ?? TransferOptions.DefaultMemoryBudget,
                // The option accepts only S3's names, so this parse cannot fail.
                ChecksumAlgorithm = ChecksumAlgorithmExtensions.TryParse(parse.GetValue(checksum)!, out var algorithm)
                    ? algorithm : ChecksumAlgorithm.Crc64Nvme,
            }, partSizeGiven: parse.GetValue(partSize) != null);
            var filter = filters.Create(parse);
            var listed = filters.ListedPaths(parse);
            // What is written takes the attributes; what is read, only its SSE-C key (the rest would be dropped: refused).
            UploadOptions upload = new();
            CopyOptions copy = new();
            if (!src.IsS3)
            {
                upload = attributes.Upload(parse, verb);
                // Asked for: an interrupted upload the server says has another algorithm is refused rather than resumed with it.
                if (ObjectAttributeOptions.Given(parse, checksum)) upload = upload with { RequireChecksumAlgorithm = true };
            }
            else if (dst.IsS3)
            {
                copy = attributes.Copy(parse, verb);
                // Asked for: the server computes and stores it for the copy (else it keeps its own choice).
                if (ObjectAttributeOptions.Given(parse, checksum)) copy = copy with { ChecksumAlgorithm = options.ChecksumAlgorithm };
            }
            else options = options with { SourceCustomerKey = attributes.Download(parse, verb) };
            // cp -r uploads through the engine's directory transfer, which starts every upload anew; asked to resume, each
            // file goes on its own, as a single cp does.
            bool resumeEach = recurse && !src.IsS3 && parse.GetValue(resume);
            ItemTransfer? items = move || pattern != null || rules.Any || resumeEach ? new ItemTransfer
            {
                Verb = verb, Move = move, Source = src, Destination = dst, Recursive = recurse, DryRun = dry, Fresh = fresh,
                Filter = filter, Listed = listed, Pattern = pattern, Rules = rules, Upload = upload, Copy = copy,
            } : null;
            items?.CheckUsage();
            if (versionId != null)
            {
                // One version of one object: anything that selects or deletes objects by their current versions is refused.
                string? why = !src.IsS3 ? $"{src} is not an s3:// object"
                    : move ? "mv deletes its source, and not by version"
                    : recurse ? "not with --recursive"
                    : pattern != null ? $"{src} is a pattern"
                    : src.Key.Length == 0 || src.Key.EndsWith('/') ? $"{src} is a prefix"
                    : items != null ? "not with -n/-s/-u" : null;
                if (why != null) throw new CliException($"{verb}: a version id names one source object: {why}", Program.ExitUsage);
                options = options with { SourceVersionId = versionId };
            }
            if (dst.IsStdio) output.DataOnStdout(verb);

            await using var client = shared.CreateClient(parse);
            using var throttled = new ThrottleSummary(client, output); // before the client is disposed
            using var engine = new TransferEngine(client, options);
            // mv, patterns, overwrite conditions and resumed directory uploads go item by item (see ItemTransfer).
            if (items != null) return await items.RunAsync(engine, output, ct);
            using var progress = new ProgressLine(!output.AllowsProgress || dst.IsStdio);
            output.ClearProgress = progress.Dispose;
            void WarnUnverified(IReadOnlyList<TransferResult> results)
            {
                if (UnverifiedDownloads.Warning(results) is { } warning) output.Warning(warning);
            }
            void Downloaded(TransferResult r, string to) => output.Transfer("download", $"s3://{r.Bucket}/{r.Key}", to, r.Size, false, verified: r.ChecksumVerified);

            if (!src.IsS3)
            {
                if (src.IsStdio)
                {
                    string key = KeyFor(dst, null);
                    long? size = null;
                    if (!dry)
                    {
                        await using var stdin = StdioStream.Input();
                        // What was read from stdin cannot be read again: an interrupted upload is aborted, not kept.
                        size = (await engine.UploadStreamAsync(stdin, dst.Bucket!, key, upload with { AbortOnFailure = true }, progress, ct)).Size;
                    }
                    output.Transfer("upload", "-", $"s3://{dst.Bucket}/{key}", size, dry);
                }
                else if (recurse)
                {
                    if (!Directory.Exists(src.LocalPath)) throw new CliException($"cp: {src.LocalPath}: no such directory");
                    string keyPrefix = AsPrefix(dst.Key);
                    int failed = 0;
                    if (dry)
                    {
                        foreach (var f in LocalFiles(src.LocalPath!, filter)) output.Transfer("upload", f.Path, $"s3://{dst.Bucket}/{keyPrefix}{f.Relative}", f.Size, true);
                    }
                    else
                    {
                        var result = await engine.UploadDirectoryAsync(src.LocalPath!, dst.Bucket!, keyPrefix, filter, upload, progress, ct);
                        foreach (var r in result.Files) output.Transfer("upload", Path.Combine(src.LocalPath!, r.Key[keyPrefix.Length..]), $"s3://{r.Bucket}/{r.Key}", r.Size, false);
                        // Skipped as `aws s3 cp` skips them, but the copy is not whole: say so and fail.
                        foreach (string path in result.NotRegularFiles) output.Skipped(path, "not a regular file");
                        failed += result.NotRegularFiles.Count;
                    }
                    string root = src.LocalPath!;
                    failed += FilterOptions.ReportMissing(output, listed, listed?.Where(p => File.Exists(Path.Combine(root, p))) ?? [], p => Path.Combine(root, p));
                    if (failed > 0) return Program.ExitFailure;
                }
                else
                {
                    if (Directory.Exists(src.LocalPath)) throw new CliException($"cp: {src.LocalPath} is a directory (use --recursive)", Program.ExitUsage);
                    if (!File.Exists(src.LocalPath)) throw new CliException($"cp: {src.LocalPath}: no such file");
                    string key = KeyFor(dst, Path.GetFileName(src.LocalPath));
                    if (dry) output.Transfer("upload", src.LocalPath!, $"s3://{dst.Bucket}/{key}", new FileInfo(src.LocalPath!).Length, true);
                    else
                    {
                        var result = await UploadFileAsync(engine, src.LocalPath!, dst.Bucket!, key, upload, fresh, progress, ct);
                        output.Transfer("upload", src.LocalPath!, $"s3://{dst.Bucket}/{key}", result.Size, false, result.ResumedParts, result.PartCount);
                    }
                }
                return Program.ExitOk;
            }

            if (!dst.IsS3)
            {
                if (dst.IsStdio)
                {
                    if (src.Key.Length == 0) throw new CliException("cp: give an object key to write to stdout", Program.ExitUsage);
                    await using var stdout = StdioStream.Output();
                    if (dry) output.Transfer("download", src.ToString(), "-", null, true);
                    else
                    {
                        var result = await engine.DownloadToStreamAsync(src.Bucket!, src.Key, stdout, null, ct);
                        WarnUnverified([result]);
                        output.Tally(1, result.Size); // no line: stdout is the data, and stderr may share its terminal
                    }
                }
                else if (recurse)
                {
                    string keyPrefix = AsPrefix(src.Key);
                    var found = new List<string>();
                    if (dry)
                    {
                        await foreach (var o in client.ListObjectsV2Async(new ListObjectsRequest(src.Bucket!) { Prefix = NullIfEmpty(keyPrefix) }, ct))
                        {
                            if (!filter.IsMatch(o.Key[keyPrefix.Length..], o.Size, o.LastModified)) continue;
                            found.Add(o.Key[keyPrefix.Length..]);
                            output.Transfer("download", $"s3://{src.Bucket}/{o.Key}", Path.Combine(dst.LocalPath!, o.Key[keyPrefix.Length..]), o.Size, true);
                        }
                    }
                    else
                    {
                        var result = await engine.DownloadDirectoryAsync(src.Bucket!, keyPrefix, dst.LocalPath!, filter, progress, ct);
                        foreach (var r in result.Files) Downloaded(r, Path.Combine(dst.LocalPath!, r.Key[keyPrefix.Length..]));
                        found.AddRange(result.Files.Select(r => r.Key[keyPrefix.Length..]));
                        WarnUnverified(result.Files);
                    }
                    if (FilterOptions.ReportMissing(output, listed, found, p => $"s3://{src.Bucket}/{keyPrefix}{p}") > 0) return Program.ExitFailure;
                }
                else
                {
                    if (src.Key.Length == 0 || src.Key.EndsWith('/')) throw new CliException($"cp: {src} is a prefix (use --recursive)", Program.ExitUsage);
                    string path = dst.LocalPath!;
                    if (Directory.Exists(path) || path.EndsWith('/')) path = Path.Combine(path, src.Key[(src.Key.LastIndexOf('/') + 1)..]);
                    if (!dry && fresh)
                    {
                        File.Delete(DownloadState.PartialPath(Path.GetFullPath(path)));
                        File.Delete(DownloadState.SidecarPath(Path.GetFullPath(path)));
                    }
                    if (dry) output.Transfer("download", src.ToString(), path, null, true);
                    else
                    {
                        var result = await engine.DownloadFileAsync(src.Bucket!, src.Key, path, progress, ct);
                        WarnUnverified([result]);
                        Downloaded(result, path);
                    }
                }
                return Program.ExitOk;
            }

            // s3 → s3: the bytes never pass through this process.
            if (recurse)
            {
                string from = AsPrefix(src.Key), to = AsPrefix(dst.Key);
                var objects = new List<(string Key, long Size)>();
                await foreach (var o in client.ListObjectsV2Async(new ListObjectsRequest(src.Bucket!) { Prefix = NullIfEmpty(from) }, ct))
                    if (filter.IsMatch(o.Key[from.Length..], o.Size, o.LastModified)) objects.Add((o.Key, o.Size));
                await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = options.FileConcurrency, CancellationToken = ct }, async (o, token) =>
                {
                    string target = to + o.Key[from.Length..];
                    long size = dry ? o.Size : (await engine.CopyAsync(src.Bucket!, o.Key, dst.Bucket!, target, copy, null, token)).Size;
                    output.Transfer("copy", $"s3://{src.Bucket}/{o.Key}", $"s3://{dst.Bucket}/{target}", size, dry);
                });
                if (FilterOptions.ReportMissing(output, listed, objects.Select(o => o.Key[from.Length..]), p => $"s3://{src.Bucket}/{from}{p}") > 0)
                    return Program.ExitFailure;
            }
            else
            {
                if (src.Key.Length == 0) throw new CliException($"cp: {src} names a bucket (use --recursive)", Program.ExitUsage);
                string key = KeyFor(dst, src.Key[(src.Key.LastIndexOf('/') + 1)..]);
                long? size = dry ? null : (await engine.CopyAsync(src.Bucket!, src.Key, dst.Bucket!, key, copy, progress, ct)).Size;
                output.Transfer("copy", src.ToString(), $"s3://{dst.Bucket}/{key}", size, dry);
            }
            return Program.ExitOk;
        }));
        return command;
    }

    /// <summary>
    /// Uploads one file. A regular file above the multipart threshold resumes the latest interrupted multipart upload of
    /// the key by default (the engine keeps only listed parts whose checksum matches the file's bytes there, so a
    /// changed file or a foreign upload costs nothing but the parts sent again); Ctrl-C keeps the upload for the next
    /// run. With <paramref name="fresh"/> (--no-resume) earlier uploads of the key are aborted and this one is aborted
    /// too if it fails or is cancelled. A FIFO or device is streamed and aborted when interrupted: it cannot be re-read.
    /// </summary>
    internal static async Task<TransferResult> UploadFileAsync(TransferEngine engine, string path, string bucket, string key,
        UploadOptions upload, bool fresh, IProgress<TransferProgress> progress, CancellationToken ct, string verb = "cp")
    {
        if (await engine.IsStreamFileAsync(path, ct))
            return await engine.UploadFileAsync(path, bucket, key, upload with { AbortOnFailure = true }, progress, ct);
        if (fresh)
        {
            // Whatever this file's size now, an earlier run may have left a multipart upload of the key.
            foreach (var u in await InterruptedUploadsAsync(engine.Client, bucket, key, ct))
                await engine.Client.AbortMultipartUploadAsync(bucket, key, u.UploadId, ct);
            return await engine.UploadFileAsync(path, bucket, key, upload with { AbortOnFailure = true }, progress, ct);
        }
        if (new FileInfo(path).Length <= engine.Options.MultipartThreshold)
            return await engine.UploadFileAsync(path, bucket, key, upload, progress, ct);
        var earlier = await InterruptedUploadsAsync(engine.Client, bucket, key, ct);
        var resumable = upload with { ResumeUploadId = earlier.MaxBy(u => u.Initiated)?.UploadId };
        try
        {
            return await engine.UploadFileAsync(path, bucket, key, resumable, progress, ct);
        }
        catch (TransferException e) when (resumable.ResumeUploadId != null && e.InnerException is S3Exception { Code: Sluice.S3.Errors.S3ErrorCode.NoSuchUpload })
        {
            // Completed or aborted by someone else since it was listed: start a new one.
            return await engine.UploadFileAsync(path, bucket, key, upload, progress, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new CliException($"{verb}: cancelled; the multipart upload to s3://{bucket}/{key} is kept: run the same command again to resume it " +
                "(or --no-resume to start over)");
        }
    }

    /// <summary>Multipart uploads of exactly <paramref name="key"/> in progress; none when the listing is not allowed.</summary>
    private static async Task<List<ListedUpload>> InterruptedUploadsAsync(S3Client client, string bucket, string key, CancellationToken ct)
    {
        var uploads = new List<ListedUpload>();
        try
        {
            await foreach (var u in client.ListMultipartUploadsAsync(bucket, key, ct))
                if (u.Key == key) uploads.Add(u);
        }
        catch (S3Exception e) when (e.StatusCode is 403 or 501)
        {
            // Not allowed to list (a policy without s3:ListBucketMultipartUploads) or not supported: nothing to resume.
        }
        return uploads;
    }

    private static S3Path Parse(string verb, string text) =>
        S3Path.TryParse(text, out var path, out string? error) ? path : throw new CliException($"{verb}: {error}", Program.ExitUsage);

    // "s3://b/" or "s3://b/dir/" + a file name → the name appended, as `aws s3 cp` does.
    internal static string KeyFor(S3Path destination, string? name)
    {
        if (destination.Key.Length > 0 && !destination.Key.EndsWith('/')) return destination.Key;
        if (name is null) throw new CliException($"cp: {destination} needs an object key", Program.ExitUsage);
        return destination.Key + name;
    }

    internal static string AsPrefix(string key) => key.Length == 0 || key.EndsWith('/') ? key : key + "/";

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static IEnumerable<(string Path, string Relative, long Size)> LocalFiles(string root, GlobFilter filter)
    {
        string full = Path.GetFullPath(root);
        foreach (string file in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(full, file).Replace(Path.DirectorySeparatorChar, '/');
            var info = new FileInfo(file);
            if (filter.IsMatch(relative, info.Length, info.LastWriteTimeUtc)) yield return (file, relative, info.Length);
        }
    }
}
