using Sluice.Client.Model;
using Sluice.IO;
using Sluice.IO.Buffers;
using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// Moves whole objects, files and directories over an <see cref="S3Client"/> as parts in parallel: downloads start
/// with a ranged GET of the first part (no HEAD) and fetch the rest concurrently; uploads are one PutObject below
/// the multipart threshold, else parallel UploadPart; copies are CopyObject or parallel UploadPartCopy. Every part's
/// buffer is reserved from one <see cref="MemoryBudget"/> before its request is sent. CRC32C/CRC64NVME checksums (or
/// SHA-1/SHA-256, composite for multipart objects) travel with every part and are checked against the server's;
/// interrupted transfers resume. See docs/transfer.md.
/// </summary>
public sealed partial class TransferEngine : IDisposable
{
    private readonly bool _ownsBudget;

    /// <summary>Creates an engine over <paramref name="client"/>; <paramref name="budget"/> may be shared between engines.</summary>
    public TransferEngine(S3Client client, TransferOptions? options = null, MemoryBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        Options = options ?? new TransferOptions();
        Options.Validate();
        Client = client;
        _ownsBudget = budget is null;
        // Part buffers come from the engine's registered pool where it has a class of the part size (see CreateBufferPool).
        Memory = budget ?? new MemoryBudget(Options.MemoryBudget, client.Engine.Buffers);
    }

    public S3Client Client { get; }
    public TransferOptions Options { get; }

    /// <summary>The budget every part buffer of this engine is reserved from.</summary>
    public MemoryBudget Memory { get; }

    private IoEngine Io => Client.Engine;

    /// <summary>The directory fsyncs of this engine's downloads, shared among the files in flight.</summary>
    internal DirectorySyncGroup DirectorySyncs
    {
        get
        {
            // Made on first use, by whichever of the files in flight comes first: exactly one, or a file's commit would
            // land in a group that the end of its transfer never flushes.
            if (Volatile.Read(ref _directorySyncs) is { } made) return made;
            Interlocked.CompareExchange(ref _directorySyncs, new DirectorySyncGroup(Io), null);
            return _directorySyncs;
        }
    }

    private DirectorySyncGroup? _directorySyncs;

    /// <summary>
    /// A buffer pool for <see cref="IoEngineOptions.BufferPoolFactory"/> that adds a class of the part size holding
    /// the whole memory budget, so part buffers are registered with the rings (file I/O becomes READ_FIXED /
    /// WRITE_FIXED). Registration pins that memory for the engine's lifetime; without this pool part buffers are
    /// ordinary native memory reserved on demand. Needs a power-of-two part size (the 8 MiB default is).
    /// </summary>
    public static NativeBufferPool CreateBufferPool(TransferOptions? options = null)
    {
        options ??= new TransferOptions();
        long part = options.PartSize ?? PartPlanner.DefaultPartSize;
        if (!System.Numerics.BitOperations.IsPow2(part) || part <= SmallestPartClass || part > int.MaxValue)
            throw new ArgumentException($"registered part buffers need a power-of-two part size above {SmallestPartClass} bytes (got {part})", nameof(options));
        int count = (int)Math.Max(1, options.MemoryBudget / part);
        return new NativeBufferPool([4 << 10, 64 << 10, SmallestPartClass, (int)part], [256, 64, 16, count]);
    }

    /// <summary>The default pool's largest class (1 MiB), kept for socket and small-object I/O.</summary>
    private const int SmallestPartClass = 1 << 20;

    /// <summary>An I/O engine whose buffer pool holds registered part buffers (<see cref="CreateBufferPool"/>), for an <see cref="S3Client"/>.</summary>
    public static IoEngine CreateIoEngine(TransferOptions? options = null, int reactors = 0) =>
        IoEngine.Create(new IoEngineOptions { ReactorCount = reactors, BufferPoolFactory = () => CreateBufferPool(options) });

    private ChecksumAlgorithm Algorithm => Options.ChecksumAlgorithm;

    public void Dispose()
    {
        if (_ownsBudget) Memory.Dispose();
    }

    /// <summary>The value of <paramref name="algorithm"/> in a checksum set, or null.</summary>
    internal static string? ChecksumOf(S3.Xml.ObjectChecksums checksums, ChecksumAlgorithm algorithm) => checksums.Get(algorithm);

    /// <summary>The first CRC in a checksum set that the engine can combine (what a download verifies against).</summary>
    internal static (ChecksumAlgorithm Algorithm, string? Value) StoredCrc(S3.Xml.ObjectChecksums checksums) =>
        checksums.ChecksumCrc64Nvme != null ? (ChecksumAlgorithm.Crc64Nvme, checksums.ChecksumCrc64Nvme)
        : checksums.ChecksumCrc32C != null ? (ChecksumAlgorithm.Crc32C, checksums.ChecksumCrc32C)
        : checksums.ChecksumCrc32 != null ? (ChecksumAlgorithm.Crc32, checksums.ChecksumCrc32)
        : (ChecksumAlgorithm.None, null);

    /// <summary>The first checksum stored, a CRC before a SHA digest (what a copy reports).</summary>
    internal static (ChecksumAlgorithm Algorithm, string? Value) StoredChecksum(S3.Xml.ObjectChecksums checksums) =>
        StoredCrc(checksums) is { Value: not null } crc ? crc : StoredDigest(checksums);

    /// <summary>
    /// Whether <paramref name="path"/> (links followed) exists and is neither a regular file nor a directory: a device,
    /// FIFO or socket, whose bytes have no length and no offsets, so they can only be read or written in order.
    /// </summary>
    public async ValueTask<bool> IsStreamFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            var stat = await Io.StatAsync(path, cancellationToken).ConfigureAwait(false);
            return !stat.IsRegularFile && !stat.IsDirectory;
        }
        catch (IoException)
        {
            return false; // missing (or unreadable): opening it as a file says why, as before
        }
    }

    private static ObjectConditions IfMatch(string? etag) => new() { IfMatch = etag };

    private static bool IsPreconditionFailed(Exception e) => e is S3Exception { StatusCode: 412 };
}
