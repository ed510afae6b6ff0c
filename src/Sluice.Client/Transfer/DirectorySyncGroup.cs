using Sluice.IO;
using Sluice.IO.Files;

namespace Sluice.Client.Transfer;

/// <summary>
/// Makes the names of downloaded files durable: a rename (or a directory made) is only on disk once its directory is
/// fsynced. Two ways, both sharing the fsyncs among many files:
/// <list type="bullet">
/// <item><see cref="SyncAsync"/> is a group commit: a caller waits for an fsync of the directory that started after
/// its call; callers that arrive while one is running all share the next one. A file is durable when it returns.</item>
/// <item><see cref="DeferAsync"/> takes a complete file still under its partial name; <see cref="FlushDeferredAsync"/>
/// then makes the whole batch durable at once: one syncfs per directory written to (the data of every file in one
/// journal commit, instead of one fdatasync and commit per file), the renames, then one fsync per directory. A
/// directory transfer reports its files only after that.</item>
/// </list>
/// The directory fsyncs go through the I/O engine (io_uring FSYNC on the reactors), so many are in flight at once.
/// </summary>
internal sealed class DirectorySyncGroup
{
    private readonly IoEngine _engine;
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public DirectorySyncGroup(IoEngine engine) => _engine = engine;

    /// <summary>The directories fsynced so far (each group commit or deferred flush counts one).</summary>
    public int SyncCount => Volatile.Read(ref _syncCount);

    private int _syncCount;

    /// <summary>One directory's group commit: the fsync running and the one the callers since then wait for.</summary>
    private sealed class Slot
    {
        public Task? Running;
        public TaskCompletionSource? Next;
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and its missing ancestors, and returns every directory to fsync before a
    /// file renamed into it is durable: the directory itself, and the parent of each directory this group made on the
    /// way there (a new directory's name lives in its parent). Files in a directory another caller made get that
    /// caller's parents too, so none reports durable before the path to it is.
    /// </summary>
    public IReadOnlyList<string> Prepare(string directory)
    {
        lock (_lock)
        {
            if (_made.TryGetValue(directory, out var known)) return known;
            if (_existing.Contains(directory)) return [directory];
            var missing = new List<string>();
            string? at = directory;
            for (; at != null && !Directory.Exists(at); at = Path.GetDirectoryName(at)) missing.Add(at);
            if (missing.Count == 0)
            {
                _existing.Add(directory);
                return [directory];
            }
            Directory.CreateDirectory(directory);
            // The existing ancestor gains an entry; if this group made it, its own path to the root is not synced yet either.
            List<string> above = at is null ? [] : _made.TryGetValue(at, out var made) ? made : [at];
            for (int i = missing.Count - 1; i >= 0; i--)
            {
                var list = new List<string>(above.Count + 1) { missing[i] };
                list.AddRange(above);
                _made[missing[i]] = list;
                above = list;
            }
            return above;
        }
    }

    private readonly Dictionary<string, List<string>> _made = new(StringComparer.Ordinal);
    private readonly HashSet<string> _existing = new(StringComparer.Ordinal);

    /// <summary>A deferred file: written in full (and verified) to its partial name, not yet synced nor renamed.</summary>
    private sealed record PendingFile(string Partial, string Destination, string? Sidecar, long Size, IReadOnlyList<string> Directories);

    /// <summary>A batch is made durable once it holds this many files or bytes (and at the end), so a long transfer
    /// does not keep everything pending until its end.</summary>
    private const int BatchFiles = 4096;
    private const long BatchBytes = 1L << 30;

    private List<PendingFile> _pending = [];
    private long _pendingBytes;
    private Exception? _batchError;
    private Task _flushes = Task.CompletedTask; // flushes run one after another, each after the one before

    /// <summary>
    /// Hands over a complete file for the batch: its data is synced, it is renamed into place and its directories are
    /// fsynced by the next flush (this call runs one when the batch is full; <see cref="FlushDeferredAsync"/> runs the
    /// last). Until then it exists only under its partial name.
    /// </summary>
    public async Task DeferAsync(string partial, string destination, string? sidecar, long size, IReadOnlyList<string> directories)
    {
        bool full;
        lock (_lock)
        {
            _pending.Add(new PendingFile(partial, destination, sidecar, size, directories));
            _pendingBytes += size;
            full = _pending.Count >= BatchFiles || _pendingBytes >= BatchBytes;
        }
        if (!full) return;
        // A failed batch fails the whole transfer at its FlushDeferredAsync, not this one file (its batch mates too).
        try { await FlushDeferredAsync(CancellationToken.None).ConfigureAwait(false); }
        catch (IOException e) { lock (_lock) _batchError ??= e; }
    }

    /// <summary>
    /// Makes every deferred file durable under its final name: one syncfs per directory holding new files (all of a
    /// batch's data written and committed at once; see <see cref="FileSystemSync"/>), then each file renamed into
    /// place — so no final name ever shows unsynced bytes — then one fsync per directory touched, all in flight
    /// together. Throws if this or an earlier batch failed.
    /// </summary>
    public Task FlushDeferredAsync(CancellationToken cancellationToken)
    {
        Task run;
        lock (_lock) _flushes = run = FlushAfterAsync(_flushes);
        return run.WaitAsync(cancellationToken);
    }

    private async Task FlushAfterAsync(Task previous)
    {
        // The previous flush's failure was its caller's (and is recorded for the transfer): this one goes on.
        try { await previous.ConfigureAwait(false); }
        catch (IOException) { }
        {
            List<PendingFile> batch;
            lock (_lock)
            {
                if (_batchError is { } earlier) throw new IOException($"making downloaded files durable failed: {earlier.Message}", earlier);
                batch = _pending;
                _pending = [];
                _pendingBytes = 0;
            }
            if (batch.Count == 0) return;
            var dataDirectories = batch.Select(f => f.Directories[0]).Distinct(StringComparer.Ordinal).ToArray();
            var touched = batch.SelectMany(f => f.Directories).Distinct(StringComparer.Ordinal).ToArray();
            // Blocking calls (syncfs waits for the disk; rename is a quick metadata change): off the caller's thread.
            await Task.WhenAll(dataDirectories.Select(d => Task.Run(() => FileSystemSync.Sync(d)))).ConfigureAwait(false);
            var failed = await Task.Run(() =>
            {
                var failures = new List<string>();
                foreach (var f in batch)
                {
                    try
                    {
                        File.Move(f.Partial, f.Destination, overwrite: true);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // Not put in place (a directory in the way, say): nothing of it stays behind, the others go on.
                        failures.Add($"{f.Destination}: {e.Message}");
                        File.Delete(f.Partial);
                    }
                    if (f.Sidecar != null) File.Delete(f.Sidecar);
                }
                return failures;
            }, CancellationToken.None).ConfigureAwait(false);
            var syncs = new Task[touched.Length];
            for (int i = 0; i < touched.Length; i++) syncs[i] = FsyncAsync(touched[i], CancellationToken.None);
            await Task.WhenAll(syncs).ConfigureAwait(false);
            if (failed.Count > 0)
                throw new IOException($"{failed.Count} of {batch.Count} file(s) could not be renamed into place; first: {failed[0]}");
        }
    }

    /// <summary>Returns once an fsync of <paramref name="directory"/> that began after this call has finished.</summary>
    public Task SyncAsync(string directory, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_slots.TryGetValue(directory, out var slot)) _slots[directory] = slot = new Slot();
            if (slot.Running is null)
            {
                // Nothing running: this caller's fsync starts now (it cannot be cancelled by one caller: others may join it).
                slot.Running = RunAsync(directory, slot);
                return slot.Running.WaitAsync(cancellationToken);
            }
            // One is running, begun maybe before this caller's rename: wait for the next, shared with everyone who comes meanwhile.
            slot.Next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return slot.Next.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task RunAsync(string directory, Slot slot)
    {
        try
        {
            await FsyncAsync(directory, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            TaskCompletionSource? next;
            lock (_lock)
            {
                next = slot.Next;
                slot.Next = null;
                if (next is null)
                {
                    slot.Running = null;
                    _slots.Remove(directory);
                }
                else
                {
                    // The waiters gathered meanwhile get one fsync of their own, begun after all their calls.
                    slot.Running = ChainAsync(directory, slot, next);
                }
            }
        }
    }

    private async Task ChainAsync(string directory, Slot slot, TaskCompletionSource waiters)
    {
        await Task.Yield(); // not inside the previous fsync's completion
        var run = RunAsync(directory, slot);
        try
        {
            await run.ConfigureAwait(false);
            waiters.TrySetResult();
        }
        catch (Exception e)
        {
            waiters.TrySetException(e);
        }
    }

    private async Task FsyncAsync(string directory, CancellationToken cancellationToken)
    {
        // O_RDONLY on a directory is what fsync(2) of a directory needs; the engine never adds O_DIRECTORY.
        var handle = await _engine.OpenFileAsync(directory, IoFileOptions.OpenRead, cancellationToken).ConfigureAwait(false);
        await using (handle.ConfigureAwait(false))
            await handle.FlushAsync(dataOnly: false, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _syncCount);
    }
}
