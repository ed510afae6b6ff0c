using Sluice.IO;
using Sluice.IO.Files;

namespace Sluice.Server.Storage;

// Directory durability and small file-system helpers.
public sealed partial class ObjectStore
{
    /// <summary>Opens a file for reading; null when it does not exist.</summary>
    private async ValueTask<IoFile?> TryOpenAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await Engine.OpenFileAsync(path, IoFileOptions.OpenRead, cancellationToken).ConfigureAwait(false);
        }
        catch (IoException e) when (e.Errno == StorageNative.ENOENT)
        {
            return null;
        }
    }

    /// <summary>
    /// fsync of a directory, which makes the entries created, renamed or removed in it durable (a renamed file whose
    /// directory was not synced can vanish in a crash). Opened read-only through the engine, fsynced there.
    /// </summary>
    internal async ValueTask FsyncDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        var handle = await Engine.OpenFileAsync(directory, IoFileOptions.OpenRead, cancellationToken).ConfigureAwait(false);
        await using (handle.ConfigureAwait(false))
            await handle.FlushAsync(dataOnly: false, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask EnsureObjectDirectoriesAsync(string bucket, ObjectLocation location,
        CancellationToken cancellationToken)
    {
        try
        {
            await EnsureDirectoryAsync(location.OuterDirectory, Layout.Bucket(bucket)).ConfigureAwait(false);
            await EnsureDirectoryAsync(location.Directory, location.OuterDirectory).ConfigureAwait(false);
        }
        catch (IoException e) when (e.Errno == StorageNative.ENOENT)
        {
            await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> if missing and fsyncs <paramref name="parent"/> so the new entry is durable
    /// before anything is renamed into it. Remembered per process; a failure is forgotten so the next call retries.
    /// </summary>
    internal Task EnsureDirectoryAsync(string directory, string parent)
    {
        var lazy = _directories.GetOrAdd(directory, d => new Lazy<Task>(() => CreateDirectoryAsync(d, parent)));
        var task = lazy.Value;
        return task.IsCompletedSuccessfully ? task : ForgetOnFailureAsync(directory, lazy);
    }

    private async Task ForgetOnFailureAsync(string directory, Lazy<Task> lazy)
    {
        try
        {
            await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            _directories.TryRemove(new KeyValuePair<string, Lazy<Task>>(directory, lazy));
            throw;
        }
    }

    private async Task CreateDirectoryAsync(string directory, string parent)
    {
        await Task.Yield(); // never run mkdir inside GetOrAdd's Lazy on the caller's stack
        if (StorageNative.MakeDirectory(directory))
            await FsyncDirectoryAsync(parent, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Forgets remembered directories under <paramref name="prefix"/> (a bucket being deleted).</summary>
    private void ForgetDirectories(string prefix)
    {
        string under = prefix + Path.DirectorySeparatorChar;
        foreach (var entry in _directories)
            if (entry.Key.StartsWith(under, StringComparison.Ordinal)) _directories.TryRemove(entry);
    }

    /// <summary>Unlinks a file, ignoring failures (cleanup of something never visible).</summary>
    internal async ValueTask TryDeleteFileAsync(string path)
    {
        try
        {
            await Engine.DeleteAsync(path).ConfigureAwait(false);
        }
        catch (IoException)
        {
            // Already gone, or a temp file the next open's cleanup removes.
        }
    }

    /// <summary>Removes a tree that is already invisible (moved under DIR/.tmp); leftovers go at the next open.</summary>
    private static void DeleteTree(string path)
    {
        try
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Left for CleanupAsync.
        }
        catch (UnauthorizedAccessException)
        {
            // Left for CleanupAsync.
        }
    }

    /// <summary>Moves <paramref name="directory"/> under DIR/.tmp (one atomic rename), fsyncs its parent, then deletes it.</summary>
    private async ValueTask RemoveDirectoryDurablyAsync(string directory, string parent, CancellationToken cancellationToken)
    {
        string trash = Layout.NewTemp();
        await Engine.RenameAsync(directory, trash, cancellationToken).ConfigureAwait(false);
        await FsyncDirectoryAsync(parent, CancellationToken.None).ConfigureAwait(false);
        DeleteTree(trash);
    }
}
