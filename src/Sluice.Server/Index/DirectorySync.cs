using System.Runtime.InteropServices;

namespace Sluice.Server.Index;

/// <summary>fsync of a directory, which makes a rename or a new file's name durable; .NET has no API for it.</summary>
internal static partial class DirectorySync
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    public static void Flush(string directory)
    {
        int fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"open('{directory}') failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw new IOException($"fsync('{directory}') failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
