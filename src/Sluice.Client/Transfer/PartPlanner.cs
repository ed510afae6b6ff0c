namespace Sluice.Client.Transfer;

/// <summary>
/// Derives part size and concurrency from a throughput target, the way aws-c-s3 does (8 MiB parts,
/// one connection per 0.4 Gbps), then applies S3's multipart limits and the memory budget.
/// </summary>
public static class PartPlanner
{
    /// <summary>aws-c-s3's part size: large enough to amortise a request, small enough to spread over connections.</summary>
    public const long DefaultPartSize = 8L << 20;

    /// <summary>S3: every part but the last is at least 5 MiB.</summary>
    public const long MinimumPartSize = 5L << 20;

    /// <summary>S3: a part is at most 5 GiB.</summary>
    public const long MaximumPartSize = 5L << 30;

    /// <summary>S3: at most 10,000 parts per upload.</summary>
    public const int MaximumPartCount = 10_000;

    /// <summary>S3: an object is at most 5 TiB.</summary>
    public const long MaximumObjectSize = 5L << 40;

    /// <summary>What one HTTP/1.1 connection to S3 sustains (aws-c-s3's planning figure).</summary>
    public const double GbpsPerConnection = 0.4;

    /// <summary>Upper bound on connections per transfer; aws-c-s3 clamps at 10,000, but one object rarely needs more.</summary>
    public const int MaximumConcurrency = 256;

    /// <summary>Derived part sizes are rounded up to whole MiB so part boundaries stay page-aligned (O_DIRECT).</summary>
    private const long PartSizeGranularity = 1L << 20;

    /// <summary>
    /// Plans a transfer of <paramref name="objectSize"/> bytes. Throws <see cref="ArgumentOutOfRangeException"/>
    /// for objects S3 cannot hold or an explicit part size that would need more than 10,000 parts.
    /// </summary>
    public static PartPlan Plan(long objectSize, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(objectSize);
        if (objectSize > MaximumObjectSize)
            throw new ArgumentOutOfRangeException(nameof(objectSize), objectSize, $"S3 objects are at most {MaximumObjectSize} bytes (5 TiB)");

        long partSize;
        if (options.PartSize is { } explicitSize)
        {
            partSize = explicitSize;
            if (CountParts(objectSize, partSize) > MaximumPartCount)
                throw new ArgumentOutOfRangeException(nameof(options), explicitSize,
                    $"part size {explicitSize} needs {CountParts(objectSize, partSize)} parts for {objectSize} bytes; S3 allows {MaximumPartCount}");
        }
        else
        {
            partSize = DefaultPartSize;
            long needed = (objectSize + MaximumPartCount - 1) / MaximumPartCount;
            if (needed > partSize) partSize = (needed + PartSizeGranularity - 1) / PartSizeGranularity * PartSizeGranularity;
        }
        if (partSize > options.MemoryBudget)
            throw new ArgumentOutOfRangeException(nameof(options), options.MemoryBudget,
                $"a {objectSize}-byte object needs parts of {partSize} bytes, more than the memory budget");

        int count = CountParts(objectSize, partSize);
        return new PartPlan(objectSize, partSize, count, ConcurrencyFor(options, partSize, count));
    }

    /// <summary>Parts in flight: from the target (or the override), never more than the budget holds or the parts there are.</summary>
    public static int ConcurrencyFor(TransferOptions options, long partSize, int partCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        int wanted = options.Concurrency ?? Math.Clamp((int)Math.Ceiling(options.TargetGbps / GbpsPerConnection), 1, MaximumConcurrency);
        long budgetParts = Math.Max(1, options.MemoryBudget / Math.Max(1, partSize));
        return (int)Math.Max(1, Math.Min(Math.Min(wanted, budgetParts), Math.Max(1, partCount)));
    }

    /// <summary>
    /// Parts in flight for a download written in order (<see cref="TransferOptions.StreamWindow"/>): what
    /// <see cref="ConcurrencyFor"/> allows, capped to the window's parts unless the concurrency was given.
    /// </summary>
    public static int StreamConcurrencyFor(TransferOptions options, long partSize, int partCount)
    {
        int concurrency = ConcurrencyFor(options, partSize, partCount);
        if (options.Concurrency != null) return concurrency;
        long windowParts = Math.Max(1, options.StreamWindow / Math.Max(1, partSize));
        return (int)Math.Min(concurrency, windowParts);
    }

    /// <summary>Parts needed for <paramref name="objectSize"/> bytes (an empty object is one empty part).</summary>
    public static int CountParts(long objectSize, long partSize)
    {
        if (objectSize == 0) return 1;
        long n = (objectSize + partSize - 1) / partSize;
        return n > int.MaxValue ? int.MaxValue : (int)n;
    }
}
