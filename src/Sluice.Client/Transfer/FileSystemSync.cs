using System.Runtime.InteropServices;

namespace Sluice.Client.Transfer;

/// <summary>
/// syncfs(2) of the file system holding a directory: every dirty page and inode there is written and the journal
/// committed, in one call — what a batch of downloaded files costs instead of one fdatasync (and one journal commit)
/// each. .NET has no API for it. It reports writeback errors of the file system (Linux 5.8 and later).
/// </summary>
internal static partial class FileSystemSync
{
    private const int ReadOnlyDirectory = 0x10000 | 0x80000; // O_RDONLY | O_DIRECTORY | O_CLOEXEC on Linux

    public static void Sync(string directory)
    {
        int fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0) throw new IOException($"open('{directory}') failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (SyncFs(fd) != 0) throw new IOException($"syncfs('{directory}') failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
