using System.Collections.Concurrent;
using Sluice.Cli.Output;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// cp and mv one item at a time: the source (a file, a directory with -r, an object, a prefix with -r, or a key
/// pattern) is expanded into (source, destination) pairs first, then each pair is checked against the overwrite
/// conditions (<see cref="CopyConditions"/>), copied, and — for mv — its source deleted only after its copy
/// succeeded. cp takes this path when it has a pattern or a condition; plain cp keeps the engine's directory transfers.
/// Items run <see cref="TransferOptions.FileConcurrency"/> at a time; a failed item is reported and the others go on.
/// </summary>
internal sealed class ItemTransfer
{
    public required string Verb { get; init; }
    public required bool Move { get; init; }
    public required S3Path Source { get; init; }
    public required S3Path Destination { get; init; }
    public required bool Recursive { get; init; }
    public required bool DryRun { get; init; }
    public required bool Fresh { get; init; }
    public required GlobFilter Filter { get; init; }

    /// <summary>The paths --files-from lists (relative to the source), each one not found reported and failed; null without it.</summary>
    public IReadOnlyList<string>? Listed { get; init; }
    public required S3Wildcard? Pattern { get; init; }
    public required CopyConditions.Rules Rules { get; init; }
    public required UploadOptions Upload { get; init; }

    /// <summary>What s3-to-s3 copies set on what they write (the attribute options).</summary>
    public CopyOptions? Copy { get; init; }

    private TransferEngine Engine { get; set; } = null!;

    private S3Client Client => Engine.Client;

    /// <summary>One pair: local paths or keys (the buckets are the sides'), the path below the source, what is known of the source.</summary>
    private sealed record Item(string From, string To, string Relative, CopyConditions.Item? State);

    /// <summary>The checks that need no server: '-' and pattern combinations that have no meaning here.</summary>
    public void CheckUsage()
    {
        if (Source.IsStdio || Destination.IsStdio)
        {
            if (Move) throw Usage($"{Verb}: '-' cannot be moved");
            if (Pattern != null) throw Usage($"{Verb}: a pattern matches many objects; it cannot be written to '-' (sluice cat takes one)");
            throw Usage($"{Verb}: --no-clobber, --if-size-differ and --if-source-newer compare with an existing destination, not '-'");
        }
        if (Pattern != null && Recursive) throw Usage($"{Verb}: a pattern selects the objects itself; drop -r");
    }

    /// <summary>Copies (or moves) every item, each reported to <paramref name="output"/>; exit 1 when any failed.</summary>
    public async Task<int> RunAsync(TransferEngine engine, CommandOutput output, CancellationToken ct)
    {
        Engine = engine;
        var notRegular = new List<string>();
        var items = await ExpandAsync(notRegular, ct);
        int failed = 0;
        foreach (string path in notRegular)
        {
            failed++;
            output.Skipped(path, "not a regular file");
        }
        if (Pattern != null && items.Count == 0) throw S3Wildcard.NoMatch(Verb, Source);
        if (Move) CheckNoOverlap(items);

        bool single = !Recursive && Pattern == null;
        string op = !Source.IsS3 ? "upload" : !Destination.IsS3 ? "download" : "copy";
        var downloads = new ConcurrentQueue<TransferResult>();
        bool noProgress = !output.AllowsProgress || DryRun;
        using var line = single ? new ProgressLine(noProgress) : null;
        using var many = single ? null : new SyncProgress(noProgress, items.Sum(i => i.State?.Size ?? 0), items.Count);
        output.ClearProgress = single ? line!.Dispose : many!.Clear;

        async Task OneAsync(Item item, CancellationToken token)
        {
            string from = Location(Source, item.From), to = Location(Destination, item.To);
            if (Rules.Any)
            {
                var source = item.State ?? await StateAsync(Source, item.From, token) ?? throw new CliException($"{Verb}: {from}: no such file or object");
                if (Rules.SkipReason(source, await StateAsync(Destination, item.To, token)) != null)
                {
                    many?.FileDone(item.Relative, source.Size);
                    return;
                }
            }
            // A dry run knows what the listing said (nothing for a single object: it is not asked).
            long? size = item.State?.Size;
            int resumedParts = 0, partCount = 0;
            bool? verified = null;
            if (!DryRun)
            {
                var progress = (IProgress<TransferProgress>?)line ?? many!.For(item.Relative);
                TransferResult result;
                if (!Source.IsS3)
                {
                    result = await CpCommand.UploadFileAsync(Engine, item.From, Destination.Bucket!, item.To, Upload, Fresh, progress, token, Verb);
                    (resumedParts, partCount) = (result.ResumedParts, result.PartCount);
                }
                else if (!Destination.IsS3)
                {
                    if (!single && !TransferEngine.IsSafeRelativePath(item.Relative)) throw new CliException($"{from} would land outside {Destination.LocalPath}");
                    // The engine makes the directory, and fsyncs its parent before the file counts as durable.
                    string full = Path.GetFullPath(item.To);
                    if (Fresh)
                    {
                        File.Delete(DownloadState.PartialPath(full));
                        File.Delete(DownloadState.SidecarPath(full));
                    }
                    result = await Engine.DownloadFileAsync(Source.Bucket!, item.From, item.To, progress, token);
                    downloads.Enqueue(result);
                    verified = result.ChecksumVerified;
                }
                else
                {
                    result = await Engine.CopyAsync(Source.Bucket!, item.From, Destination.Bucket!, item.To, Copy, progress, token);
                }
                size = result.Size;
                // mv: the source goes only now, after its copy succeeded (a failure above keeps it).
                if (Move)
                {
                    if (Source.IsS3) await Client.DeleteObjectAsync(Source.Bucket!, item.From, null, token);
                    else File.Delete(item.From);
                }
            }
            many?.FileDone(item.Relative, item.State?.Size ?? 0);
            if (Move) output.Moved(op, from, to, size, DryRun, resumedParts, partCount, verified);
            else output.Transfer(op, from, to, size, DryRun, resumedParts, partCount, verified);
        }

        if (single)
        {
            // One item: its failure is the command's, said in one line by the caller.
            await OneAsync(items[0], ct);
        }
        else
        {
            string word = Move ? "move" : op;
            await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Engine.Options.FileConcurrency, CancellationToken = ct }, async (item, token) =>
            {
                try
                {
                    await OneAsync(item, token);
                }
                catch (Exception e) when (e is not OperationCanceledException && ClientCommand.Describe(e) is { } message)
                {
                    Interlocked.Increment(ref failed);
                    output.Error($"{word}: {Location(Source, item.From)} to {Location(Destination, item.To)} failed: {message}", Location(Source, item.From));
                }
            });
        }
        if (UnverifiedDownloads.Warning(downloads) is { } warning) output.Warning(warning);
        failed += ReportMissing(items, output);
        return failed == 0 ? Program.ExitOk : Program.ExitFailure;
    }

    /// <summary>The pairs to copy: listed (or walked) whole before anything is copied, so a copy never shows up in its own listing.</summary>
    private async Task<List<Item>> ExpandAsync(List<string> notRegular, CancellationToken ct)
    {
        var items = new List<Item>();
        if (!Source.IsS3)
        {
            string path = Source.LocalPath!;
            if (Recursive)
            {
                if (!Directory.Exists(path)) throw new CliException($"{Verb}: {path}: no such directory");
                string root = Path.GetFullPath(path), keyPrefix = CpCommand.AsPrefix(Destination.Key);
                var enumeration = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 };
                foreach (var info in new DirectoryInfo(root).EnumerateFiles("*", enumeration).OrderBy(f => f.FullName, StringComparer.Ordinal))
                {
                    string relative = Path.GetRelativePath(root, info.FullName).Replace(Path.DirectorySeparatorChar, '/');
                    if (!Filter.IsMatch(relative, info.Length, info.LastWriteTimeUtc)) continue;
                    // Devices, FIFOs and sockets report no length: only empty entries (and links) need the statx that tells them apart.
                    if ((info.Length == 0 || info.LinkTarget != null) && await Engine.IsStreamFileAsync(info.FullName, ct)) notRegular.Add(Path.Combine(path, relative));
                    else items.Add(new Item(Path.Combine(path, relative), keyPrefix + relative, relative, new(info.Length, info.LastWriteTimeUtc)));
                }
                return items;
            }
            if (Directory.Exists(path)) throw Usage($"{Verb}: {path} is a directory (use --recursive)");
            if (!File.Exists(path)) throw new CliException($"{Verb}: {path}: no such file");
            // A FIFO or device is read once: there is nothing to delete after, nor a size to compare.
            if ((Move || Rules.Any) && await Engine.IsStreamFileAsync(path, ct)) throw new CliException($"{Verb}: {path} is not a regular file");
            var file = new FileInfo(path);
            items.Add(new Item(path, CpCommand.KeyFor(Destination, file.Name), file.Name, new(file.Length, file.LastWriteTimeUtc)));
            return items;
        }

        bool toLocal = !Destination.IsS3;
        if (Pattern != null || Recursive)
        {
            string listed = Pattern?.Prefix ?? CpCommand.AsPrefix(Source.Key);
            int cut = Pattern?.RelativeStart ?? listed.Length;
            await foreach (var o in Client.ListObjectsV2Async(new ListObjectsRequest(Source.Bucket!) { Prefix = listed.Length > 0 ? listed : null }, ct))
            {
                if (Pattern != null && !Pattern.IsMatch(o.Key)) continue;
                string relative = o.Key[cut..];
                // Directory markers ("dir/") are not files to write.
                if (relative.Length == 0 || (toLocal && relative.EndsWith('/'))) continue;
                if (!Filter.IsMatch(relative, o.Size, o.LastModified)) continue;
                string to = toLocal ? Path.Combine(Destination.LocalPath!, relative.Replace('/', Path.DirectorySeparatorChar)) : CpCommand.AsPrefix(Destination.Key) + relative;
                items.Add(new Item(o.Key, to, relative, new(o.Size, o.LastModified)));
            }
            return items;
        }
        if (Source.Key.Length == 0) throw Usage($"{Verb}: {Source} names a bucket (use --recursive)");
        if (Source.Key.EndsWith('/')) throw Usage($"{Verb}: {Source} is a prefix (use --recursive)");
        string name = Source.Key[(Source.Key.LastIndexOf('/') + 1)..];
        string target;
        if (toLocal)
        {
            target = Destination.LocalPath!;
            if (Directory.Exists(target) || target.EndsWith('/')) target = Path.Combine(target, name);
        }
        else target = CpCommand.KeyFor(Destination, name);
        items.Add(new Item(Source.Key, target, name, null));
        return items;
    }

    /// <summary>Reports each --files-from path the source does not hold (a listed file that is not a regular one was skipped above).</summary>
    private int ReportMissing(List<Item> items, CommandOutput output)
    {
        if (Listed is null) return 0;
        if (!Source.IsS3)
        {
            string root = Source.LocalPath!;
            return FilterOptions.ReportMissing(output, Listed, Listed.Where(p => File.Exists(Path.Combine(root, p))), p => Path.Combine(root, p));
        }
        string prefix = Pattern is { } pattern ? pattern.Prefix[..pattern.RelativeStart] : CpCommand.AsPrefix(Source.Key);
        return FilterOptions.ReportMissing(output, Listed, items.Select(i => i.Relative), p => $"s3://{Source.Bucket}/{prefix}{p}");
    }

    /// <summary>
    /// mv within one bucket must not overwrite an object it has yet to move (mv s3://b/a/ s3://b/a/sub/ would copy
    /// a/x onto a/sub/x while a/sub/x is being moved): refused before anything moves.
    /// </summary>
    private void CheckNoOverlap(List<Item> items)
    {
        if (!Source.IsS3 || !Destination.IsS3 || Source.Bucket != Destination.Bucket) return;
        var sources = new HashSet<string>(items.Select(i => i.From), StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!sources.Contains(item.To)) continue;
            throw Usage(item.To == item.From
                ? $"{Verb}: {Location(Source, item.From)} would be moved onto itself"
                : $"{Verb}: {Location(Destination, item.To)} is both a source and a destination; move to a prefix outside {Source}");
        }
    }

    /// <summary>A file's or object's size and time; null when there is none (an object: HTTP 404).</summary>
    private async Task<CopyConditions.Item?> StateAsync(S3Path side, string at, CancellationToken ct)
    {
        if (!side.IsS3)
        {
            var info = new FileInfo(at);
            return info.Exists ? new(info.Length, info.LastWriteTimeUtc) : null;
        }
        try
        {
            var head = await Client.HeadObjectAsync(side.Bucket!, at, ct);
            return new(head.ObjectSize, head.LastModified ?? DateTimeOffset.MinValue);
        }
        catch (S3Exception e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    private static string Location(S3Path side, string at) => side.IsS3 ? $"s3://{side.Bucket}/{at}" : at;

    private static CliException Usage(string message) => new(message, Program.ExitUsage);
}
