using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// How a <see cref="TransferEngine"/> moves data: the throughput it aims for (which sets part size and
/// concurrency, as aws-c-s3 does), the fixed memory budget every part buffer is reserved from, the checksum
/// carried end to end, and overrides for each derived value.
/// </summary>
public sealed record TransferOptions
{
    /// <summary>aws-c-s3's default target.</summary>
    public const double DefaultTargetGbps = 10;

    /// <summary>256 MiB: enough for 32 parts of 8 MiB in flight, small enough to run anywhere.</summary>
    public const long DefaultMemoryBudget = 256L << 20;

    /// <summary>
    /// 16 MiB: two parts of 8 MiB in flight for a download written to a stream in order, one being written while the
    /// next arrives (docs/transfer.md, "Downloads to a stream").
    /// </summary>
    public const long DefaultStreamWindow = 16L << 20;

    /// <summary>Objects at most this large go up with one PutObject (16 MiB, aws-c-s3 and the CLI use similar).</summary>
    public const long DefaultMultipartThreshold = 16L << 20;

    /// <summary>Copies above this use UploadPartCopy in parallel; CopyObject itself is capped by S3 at 5 GiB.</summary>
    public const long DefaultMultipartCopyThreshold = 512L << 20;

    /// <summary>Throughput to plan for, in gigabits per second. Connections = ceil(target / 0.4 Gbps per connection).</summary>
    public double TargetGbps { get; init; } = DefaultTargetGbps;

    /// <summary>Part size; null derives it (8 MiB, raised so an object needs at most 10,000 parts).</summary>
    public long? PartSize { get; init; }

    /// <summary>Parts in flight per transfer; null derives it from <see cref="TargetGbps"/>, capped by the memory budget.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Bytes of part buffers all transfers of one engine may hold at once. Peak buffer memory never exceeds it.</summary>
    public long MemoryBudget { get; init; } = DefaultMemoryBudget;

    /// <summary>
    /// Bytes of part buffers one download to a stream (stdout, a pipe, a FIFO, a device: written in order) may hold. A
    /// part that lands before its turn waits holding its buffer, so without a window such a download holds every part
    /// in flight; here parts in flight are capped to what fits (at least one) unless <see cref="Concurrency"/> is given.
    /// Downloads to a file or memory write parts where they belong and are not limited by it.
    /// </summary>
    public long StreamWindow { get; init; } = DefaultStreamWindow;

    /// <summary>Uploads at most this large use a single PutObject.</summary>
    public long MultipartThreshold { get; init; } = DefaultMultipartThreshold;

    /// <summary>Copies above this size use parallel UploadPartCopy; at or below, one CopyObject.</summary>
    public long MultipartCopyThreshold { get; init; } = DefaultMultipartCopyThreshold;

    /// <summary>
    /// Checksum computed per part and sent on upload: CRC32, CRC32C or CRC64NVME (default), whose parts combine into the
    /// object's, or SHA1 or SHA256, whose multipart objects get S3's COMPOSITE checksum (the digest of the parts'
    /// digests, "-N"). A download checks whatever the object stored; its parts' own CRC (for resuming) is this one
    /// when it is a CRC, else CRC64NVME.
    /// </summary>
    public ChecksumAlgorithm ChecksumAlgorithm { get; init; } = ChecksumAlgorithm.Crc64Nvme;

    /// <summary>Files transferred at once by directory transfers (each still draws parts from the one budget).</summary>
    public int FileConcurrency { get; init; } = 16;

    /// <summary>Open destination files with O_DIRECT for part-aligned writes when the file system allows it.</summary>
    public bool UseDirectIo { get; init; } = true;

    /// <summary>
    /// The SSE-C key of the objects this engine reads: sent with every GET and HEAD of a download, and as the source's
    /// key of copies that name none of their own (<see cref="CopyOptions.SourceCustomerKey"/>).
    /// </summary>
    public Model.SseCustomerKey? SourceCustomerKey { get; init; }

    /// <summary>
    /// The version this engine reads of each source object (null: the current one): named by every GET and HEAD of a
    /// download and by the source of every copy, so the parts of one object all come from that version.
    /// </summary>
    public string? SourceVersionId { get; init; }

    /// <summary>How often progress is reported at most (the final report is always sent).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    internal void Validate()
    {
        if (!(TargetGbps > 0)) throw new ArgumentOutOfRangeException(nameof(TargetGbps), TargetGbps, "must be positive");
        if (MemoryBudget < PartPlanner.MinimumPartSize)
            throw new ArgumentOutOfRangeException(nameof(MemoryBudget), MemoryBudget, $"must be at least {PartPlanner.MinimumPartSize} bytes (one part)");
        if (PartSize is { } p && (p < PartPlanner.MinimumPartSize || p > PartPlanner.MaximumPartSize))
            throw new ArgumentOutOfRangeException(nameof(PartSize), p, $"must be within {PartPlanner.MinimumPartSize}..{PartPlanner.MaximumPartSize} (S3's part limits)");
        if (PartSize is { } q && q > MemoryBudget)
            throw new ArgumentOutOfRangeException(nameof(PartSize), q, $"is larger than the memory budget ({MemoryBudget})");
        if (StreamWindow < 1) throw new ArgumentOutOfRangeException(nameof(StreamWindow), StreamWindow, "must be positive");
        if (Concurrency is { } c && c < 1) throw new ArgumentOutOfRangeException(nameof(Concurrency), c, "must be at least 1");
        if (FileConcurrency < 1) throw new ArgumentOutOfRangeException(nameof(FileConcurrency), FileConcurrency, "must be at least 1");
        if (MultipartThreshold < 0) throw new ArgumentOutOfRangeException(nameof(MultipartThreshold));
        if (ChecksumAlgorithm != ChecksumAlgorithm.None && ChecksumAlgorithm.GetHashLength() == 0)
            throw new ArgumentOutOfRangeException(nameof(ChecksumAlgorithm), ChecksumAlgorithm, "not a checksum algorithm S3 knows");
    }
}
