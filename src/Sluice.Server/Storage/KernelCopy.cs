using Sluice.IO;
using Sluice.IO.Files;

namespace Sluice.Server.Storage;

/// <summary>
/// Copies a byte range between files inside the kernel with copy_file_range(2): nothing passes through user space
/// (on XFS and btrfs aligned ranges become reflinks; on ext4 it is an in-kernel page copy). The engine has no such
/// operation, so this opens its own descriptors and runs on the thread pool. Where the kernel refuses (EXDEV,
/// EOPNOTSUPP, ENOSYS, EINVAL) the copy goes through the engine instead: read into a pooled native buffer, write out.
/// </summary>
internal static class KernelCopy
{
    /// <summary>One call's length: large enough to amortize the syscall, small enough to stay cancellable.</summary>
    private const long ChunkBytes = 64L << 20;

    /// <summary>Buffer size for the engine fallback.</summary>
    private const int FallbackBufferBytes = 1 << 20;

    public static async ValueTask CopyAsync(IoEngine engine, string source, long sourceOffset, string destination,
        long destinationOffset, long count, CancellationToken cancellationToken)
    {
        if (count == 0) return;
        long copied = await Task.Run(() => CopyInKernel(source, sourceOffset, destination, destinationOffset, count,
            cancellationToken), cancellationToken).ConfigureAwait(false);
        if (copied < count)
            await CopyThroughEngineAsync(engine, source, sourceOffset + copied, destination, destinationOffset + copied,
                count - copied, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns how much was copied; less than <paramref name="count"/> only when the kernel cannot.</summary>
    private static long CopyInKernel(string source, long sourceOffset, string destination, long destinationOffset,
        long count, CancellationToken cancellationToken)
    {
        int input = StorageNative.Open(source, StorageNative.ORdOnly);
        try
        {
            int output = StorageNative.Open(destination, StorageNative.OWrOnly);
            try
            {
                long inOffset = sourceOffset, outOffset = destinationOffset, done = 0;
                while (done < count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long n = StorageNative.CopyFileRange(input, ref inOffset, output, ref outOffset,
                        Math.Min(ChunkBytes, count - done));
                    if (n > 0) { done += n; continue; }
                    if (n == 0)
                        throw new IoException("copy_file_range", 0, $"copy_file_range {source}: the file ended " +
                            $"{count - done} bytes before the end of the range");
                    int errno = (int)-n;
                    if (errno == StorageNative.EINTR) continue;
                    if (errno is StorageNative.EXDEV or StorageNative.EOPNOTSUPP or StorageNative.ENOSYS or StorageNative.EINVAL)
                        return done;
                    throw StorageNative.Error("copy_file_range", errno, source);
                }
                return done;
            }
            finally { StorageNative.Close(output); }
        }
        finally { StorageNative.Close(input); }
    }

    private static async ValueTask CopyThroughEngineAsync(IoEngine engine, string source, long sourceOffset,
        string destination, long destinationOffset, long count, CancellationToken cancellationToken)
    {
        await using var input = await engine.OpenFileAsync(source, IoFileOptions.OpenRead, cancellationToken).ConfigureAwait(false);
        await using var output = await engine.OpenFileAsync(destination, new IoFileOptions { Read = false, Write = true },
            cancellationToken).ConfigureAwait(false);
        using var buffer = await engine.Buffers.RentAsync(FallbackBufferBytes, cancellationToken).ConfigureAwait(false);
        long done = 0;
        while (done < count)
        {
            int want = (int)Math.Min(buffer.Length, count - done);
            int n = await input.ReadAsync(buffer, want, sourceOffset + done, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                throw new IoException("read", 0, $"read {source}: the file ended {count - done} bytes before the end of the range");
            await output.WriteAsync(buffer, n, destinationOffset + done, cancellationToken).ConfigureAwait(false);
            done += n;
        }
    }
}
