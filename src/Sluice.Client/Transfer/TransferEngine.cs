using Sluice.Client.Model;
using Sluice.IO;
using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// Moves whole objects, files and directories over an <see cref="S3Client"/> as parts in parallel: downloads start
/// with a ranged GET of the first part (no HEAD) and fetch the rest concurrently; uploads are one PutObject below
/// the multipart threshold, else parallel UploadPart; copies are CopyObject or parallel UploadPartCopy. Every part's
/// buffer is reserved from one <see cref="MemoryBudget"/> before its request is sent. CRC32C/CRC64NVME checksums
/// travel with every part and are checked against the server's; interrupted transfers resume. See docs/transfer.md.
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
        Memory = budget ?? new MemoryBudget(Options.MemoryBudget);
    }

    public S3Client Client { get; }
    public TransferOptions Options { get; }

    /// <summary>The budget every part buffer of this engine is reserved from.</summary>
    public MemoryBudget Memory { get; }

    private IoEngine Io => Client.Engine;

    private ChecksumAlgorithm Algorithm => Options.ChecksumAlgorithm;

    public void Dispose()
    {
        if (_ownsBudget) Memory.Dispose();
    }

    /// <summary>The value of <paramref name="algorithm"/> in a checksum set, or null.</summary>
    internal static string? ChecksumOf(S3.Xml.ObjectChecksums checksums, ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => checksums.ChecksumCrc32,
        ChecksumAlgorithm.Crc32C => checksums.ChecksumCrc32C,
        ChecksumAlgorithm.Crc64Nvme => checksums.ChecksumCrc64Nvme,
        ChecksumAlgorithm.Sha1 => checksums.ChecksumSha1,
        ChecksumAlgorithm.Sha256 => checksums.ChecksumSha256,
        _ => null,
    };

    /// <summary>The first CRC in a checksum set that the engine can combine (what a download verifies against).</summary>
    internal static (ChecksumAlgorithm Algorithm, string? Value) StoredCrc(S3.Xml.ObjectChecksums checksums) =>
        checksums.ChecksumCrc64Nvme != null ? (ChecksumAlgorithm.Crc64Nvme, checksums.ChecksumCrc64Nvme)
        : checksums.ChecksumCrc32C != null ? (ChecksumAlgorithm.Crc32C, checksums.ChecksumCrc32C)
        : checksums.ChecksumCrc32 != null ? (ChecksumAlgorithm.Crc32, checksums.ChecksumCrc32)
        : (ChecksumAlgorithm.None, null);

    private static ObjectConditions IfMatch(string? etag) => new() { IfMatch = etag };

    private static bool IsPreconditionFailed(Exception e) => e is S3Exception { StatusCode: 412 };
}
