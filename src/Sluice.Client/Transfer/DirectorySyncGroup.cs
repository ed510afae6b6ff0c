using Sluice.IO;
using Sluice.IO.Files;

namespace Sluice.Client.Transfer;

/// <summary>
/// Makes the names of downloaded files durable: a rename (or a directory made) is only on disk once its directory is
/// fsynced. Two ways, both sharing the fsyncs among many files:
/// <list type="bullet">
/// <item><see cref="SyncAsync"/> is a group commit: a caller waits for an fsync of the directory that started after
/// its call; callers that arrive while one is running all share the next one. A file is durable when it returns.</item>
/// <item><see cref="Defer"/> only records the directory; <see cref="FlushDeferredAsync"/> then fsyncs each recorded
/// directory once, all in flight together. A directory transfer reports its files only after that.</item>
/// </list>
/// The fsyncs go through the I/O engine (io_uring FSYNC on the reactors), so many are in flight at once.
/// </summary>
internal sealed class DirectorySyncGroup
{
    private readonly IoEngine _engine;
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deferred = new(StringComparer.Ordinal);
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

    /// <summary>Records <paramref name="directory"/> for <see cref="FlushDeferredAsync"/>.</summary>
    public void Defer(string directory)
    {
        lock (_lock) _deferred.Add(directory);
    }

    /// <summary>fsyncs every directory recorded by <see cref="Defer"/> once, concurrently; they are forgotten after.</summary>
    public async Task FlushDeferredAsync(CancellationToken cancellationToken)
    {
        string[] directories;
        lock (_lock)
        {
            directories = [.. _deferred];
            _deferred.Clear();
        }
        if (directories.Length == 0) return;
        var syncs = new Task[directories.Length];
        for (int i = 0; i < directories.Length; i++) syncs[i] = FsyncAsync(directories[i], cancellationToken);
        try { await Task.WhenAll(syncs).ConfigureAwait(false); }
        catch
        {
            // Not synced: recorded again, so a retried flush covers them.
            lock (_lock)
                for (int i = 0; i < directories.Length; i++)
                    if (!syncs[i].IsCompletedSuccessfully) _deferred.Add(directories[i]);
            throw;
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
