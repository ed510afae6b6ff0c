using Sluice.Client.Model;

namespace Sluice.Client.Transfer;

public sealed partial class TransferEngine
{
    /// <summary>
    /// Uploads every file under <paramref name="directory"/> that passes <paramref name="filter"/> (globs over the
    /// '/'-separated relative path) to <c>prefix + relative path</c>, <see cref="TransferOptions.FileConcurrency"/>
    /// files at a time; all of them draw part buffers from the one budget. Every file is attempted; if any fails,
    /// a <see cref="TransferException"/> lists the failures after the others finish. Entries that are not regular files
    /// (devices, FIFOs, sockets) are not uploaded but listed in <see cref="DirectoryTransferResult.NotRegularFiles"/>, as
    /// the AWS CLI skips them: a FIFO with no writer would block forever, a device never ends.
    /// </summary>
    public Task<DirectoryTransferResult> UploadDirectoryAsync(string directory, string bucket, string prefix,
        GlobFilter? filter = null, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        UploadDirectoryAsync(directory, bucket, prefix, filter, options: null, progress, cancellationToken);

    /// <summary>
    /// As <see cref="UploadDirectoryAsync(string, string, string, GlobFilter?, IProgress{TransferProgress}?, CancellationToken)"/>,
    /// every file with <paramref name="options"/> (headers, metadata, ACL, encryption, tags; a type guessed per file when
    /// it asks so). Resume ids do not apply to a directory.
    /// </summary>
    public async Task<DirectoryTransferResult> UploadDirectoryAsync(string directory, string bucket, string prefix,
        GlobFilter? filter, UploadOptions? options, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options?.ResumeUploadId != null) throw new ArgumentException("a directory upload cannot resume one upload id", nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(prefix);
        filter ??= GlobFilter.All;
        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{directory}: no such directory");
        var files = new List<(string Path, string Relative, long Size)>();
        var notRegular = new List<string>();
        int skipped = 0;
        var enumeration = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 };
        foreach (var info in new DirectoryInfo(root).EnumerateFiles("*", enumeration))
        {
            string relative = Path.GetRelativePath(root, info.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (!filter.IsMatch(relative, info.Length, info.LastWriteTimeUtc)) skipped++;
            // Devices, FIFOs and sockets report no length: only empty entries (and links) need the statx that tells them
            // apart. A link is told by the walk's own lstat (the attributes), not by a readlink per file.
            else if ((info.Length == 0 || info.Attributes.HasFlag(FileAttributes.ReparsePoint)) && await IsStreamFileAsync(info.FullName, cancellationToken).ConfigureAwait(false)) notRegular.Add(info.FullName);
            else files.Add((info.FullName, relative, info.Length));
        }
        var total = new ProgressTracker(root, progress, Options.ProgressInterval, files.Sum(f => f.Size), files.Count);
        var results = await RunFilesAsync(files, async (f, ct) =>
        {
            var result = await UploadFileAsync(f.Path, bucket, prefix + f.Relative, options, null, knownRegular: true, ct).ConfigureAwait(false);
            total.AddBytes(result.Size);
            total.PartDone();
            return result;
        }, f => f.Path, cancellationToken).ConfigureAwait(false);
        total.Complete();
        return new DirectoryTransferResult { Files = results, Bytes = results.Sum(r => r.Size), Skipped = skipped, NotRegularFiles = notRegular };
    }

    /// <summary>
    /// Downloads every object under <paramref name="prefix"/> that passes <paramref name="filter"/> (globs over the key
    /// with the prefix removed) into <paramref name="directory"/>, many at a time. Keys that would land outside the
    /// directory ("..", absolute paths, empty segments) are refused, as are directory markers (keys ending in '/').
    /// </summary>
    public async Task<DirectoryTransferResult> DownloadDirectoryAsync(string bucket, string prefix, string directory,
        GlobFilter? filter = null, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        filter ??= GlobFilter.All;
        string root = Path.GetFullPath(directory);
        var objects = new List<(string Key, string Relative, long Size)>();
        var unsafeKeys = new List<string>();
        int skipped = 0;
        await foreach (var o in Client.ListObjectsV2Async(new ListObjectsRequest(bucket) { Prefix = prefix.Length > 0 ? prefix : null }, cancellationToken)
            .ConfigureAwait(false))
        {
            string relative = o.Key[prefix.Length..];
            if (prefix.Length > 0 && !prefix.EndsWith('/') && relative.StartsWith('/')) relative = relative[1..];
            if (relative.Length == 0 || relative.EndsWith('/')) { skipped++; continue; }
            if (!IsSafeRelativePath(relative)) { unsafeKeys.Add(o.Key); continue; }
            if (filter.IsMatch(relative, o.Size, o.LastModified)) objects.Add((o.Key, relative, o.Size));
            else skipped++;
        }
        if (unsafeKeys.Count > 0)
            throw new TransferException($"refusing to download {unsafeKeys.Count} key(s) that would land outside {root}, e.g. '{unsafeKeys[0]}'", bucket, unsafeKeys[0]);
        var total = new ProgressTracker($"s3://{bucket}/{prefix}", progress, Options.ProgressInterval, objects.Sum(o => o.Size), objects.Count);
        // Each file is fdatasynced and renamed into place as it finishes (its data in flight with the others'); the
        // directories are fsynced once each at the end, before anything is reported, so every file listed is durable.
        List<TransferResult> results;
        try
        {
            results = await RunFilesAsync(objects, async (o, ct) =>
            {
                string path = Path.Combine(root, o.Relative.Replace('/', Path.DirectorySeparatorChar));
                var result = await DownloadFileAsync(bucket, o.Key, path, o.Size, null, ct, deferDirectorySync: true).ConfigureAwait(false);
                total.AddBytes(result.Size);
                total.PartDone();
                return result;
            }, o => o.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (TransferException)
        {
            // The files that did arrive are made durable too; the failure stays the error.
            try { await DirectorySyncs.FlushDeferredAsync(CancellationToken.None).ConfigureAwait(false); }
            catch (IOException) { }
            throw;
        }
        try { await DirectorySyncs.FlushDeferredAsync(cancellationToken).ConfigureAwait(false); }
        catch (IOException e) { throw new TransferException($"{root}: {e.Message}", e); }
        total.Complete();
        return new DirectoryTransferResult { Files = results, Bytes = results.Sum(r => r.Size), Skipped = skipped };
    }

    /// <summary>True when every '/'-separated segment is a plain name (no "", ".", ".."), so the path stays inside its root.</summary>
    public static bool IsSafeRelativePath(string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        if (relative.Length == 0 || relative.Contains('\0', StringComparison.Ordinal)) return false;
        foreach (string segment in relative.Split('/'))
            if (segment.Length == 0 || segment is "." or ".." || segment.Contains('\\', StringComparison.Ordinal)) return false;
        return true;
    }

    private async Task<List<TransferResult>> RunFilesAsync<T>(List<T> items, Func<T, CancellationToken, Task<TransferResult>> run,
        Func<T, string> name, CancellationToken cancellationToken)
    {
        var results = new TransferResult?[items.Count];
        var failures = new List<(string Name, Exception Error)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Options.FileConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                try { results[i] = await run(items[i], ct).ConfigureAwait(false); }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    lock (failures) failures.Add((name(items[i]), e));
                }
            }).ConfigureAwait(false);
        if (failures.Count > 0)
        {
            var (first, error) = failures[0];
            throw new TransferException($"{failures.Count} of {items.Count} file(s) failed; first: {first}: {error.Message}",
                new AggregateException(failures.Select(f => f.Error)));
        }
        return results.Select(r => r!).ToList();
    }
}
