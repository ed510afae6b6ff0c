using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Sluice.IoBench;

/// <summary>
/// A benchmark data file: written in full with incompressible bytes (so reads hit allocated, written blocks, never
/// holes or unwritten extents that a filesystem answers without the disk), flushed to disk, and deleted on dispose.
/// </summary>
internal sealed partial class DataFile : IDisposable
{
    /// <summary>Bytes written per call while filling: large enough that the fill runs at disk speed.</summary>
    private const int FillChunk = 4 << 20;

    /// <summary>Every block of this size starts with its own offset, so no two blocks are alike (no dedup anywhere).</summary>
    private const int StampInterval = 4096;

    private const int PosixFadvDontNeed = 4;

    /// <summary>Files not yet deleted, removed on SIGINT/SIGTERM too: an interrupted run leaves no 2 GiB file behind.</summary>
    private static readonly HashSet<string> Live = [];
    private static PosixSignalRegistration[]? _signals;

    private DataFile(string path)
    {
        Path = path;
        lock (Live)
        {
            Live.Add(path);
            // The handlers do not cancel the signal: the process still ends as it would have.
            _signals ??= [PosixSignalRegistration.Create(PosixSignal.SIGINT, DeleteLive),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, DeleteLive)];
        }
    }

    private static void DeleteLive(PosixSignalContext context)
    {
        lock (Live)
        {
            foreach (string path in Live) File.Delete(path);
            Live.Clear();
        }
    }

    public string Path { get; }

    /// <summary>
    /// Creates <paramref name="size"/> bytes at a new name in <paramref name="directory"/>. With
    /// <paramref name="dropCache"/> the file's pages leave the page cache afterwards (O_DIRECT benchmarks start from
    /// the disk); without, they stay cached (what a file served from memory looks like).
    /// </summary>
    public static DataFile Create(string directory, string name, long size, bool dropCache)
    {
        System.IO.Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory,
            string.Create(CultureInfo.InvariantCulture, $"sluice-iobench-{Environment.ProcessId}-{name}.bin"));
        var file = new DataFile(path);
        try
        {
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                PreallocationSize = size,
                BufferSize = 0,
            });
            var chunk = new byte[FillChunk];
            RandomNumberGenerator.Fill(chunk);
            for (long at = 0; at < size; at += chunk.Length)
            {
                int n = (int)Math.Min(chunk.Length, size - at);
                for (int i = 0; i < n; i += StampInterval)
                    BinaryPrimitives.WriteInt64LittleEndian(chunk.AsSpan(i), at + i);
                stream.Write(chunk, 0, n);
            }
            stream.Flush(flushToDisk: true);
            if (dropCache && Fadvise(stream.SafeFileHandle, 0, 0, PosixFadvDontNeed) != 0)
                throw new IOException($"posix_fadvise(DONTNEED) on {path} failed");
        }
        catch
        {
            file.Dispose();
            throw;
        }
        return file;
    }

    public void Dispose()
    {
        lock (Live) Live.Remove(Path);
        File.Delete(Path);
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(SafeHandle fd, long offset, long length, int advice);
}
