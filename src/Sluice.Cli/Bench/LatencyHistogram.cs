namespace Sluice.Cli.Bench;

/// <summary>
/// A log-linear latency histogram in microseconds (HdrHistogram's idea): each power-of-two range is split into
/// <see cref="SubBuckets"/> linear buckets, so any recorded value is known to within 1/64 (1.6 %) from 1 µs to
/// about 19 hours, in a fixed 1,984-slot array. Recording is one interlocked increment: workers share one histogram
/// without locks or allocation.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Linear buckets per power of two: the relative precision of a reported percentile.</summary>
    public const int SubBuckets = 64;

    private const int SubBucketBits = 6;
    private const int Ranges = 30; // the top range ends at 2^36 µs ≈ 19 hours: nothing a benchmark records is longer
    private const int LastIndex = (Ranges + 1) * SubBuckets - 1;

    private readonly long[] _counts = new long[(Ranges + 1) * SubBuckets];
    private long _total;
    private long _max;
    private long _sum;

    /// <summary>Values recorded.</summary>
    public long Count => Volatile.Read(ref _total);

    /// <summary>The largest value recorded, exactly (µs).</summary>
    public long Max => Volatile.Read(ref _max);

    /// <summary>The mean (µs), 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>Records one latency in microseconds (negative values count as 0).</summary>
    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sum, micros);
        long max;
        while (micros > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, max) != max)
        {
        }
    }

    /// <summary>Records the time since a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value.</summary>
    public void RecordSince(long startTimestamp) =>
        Record((long)System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds);

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> % of the recorded values fall (the upper edge of
    /// its bucket, capped at <see cref="Max"/>); 0 when empty.
    /// </summary>
    public long Percentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        long total = Count;
        if (total == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank) return Math.Min(UpperEdge(i), Max);
        }
        return Max;
    }

    /// <summary>The non-empty buckets as (upper edge µs, count), for a distribution chart.</summary>
    public IEnumerable<(long UpperMicros, long Count)> Buckets()
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            long c = Volatile.Read(ref _counts[i]);
            if (c != 0) yield return (UpperEdge(i), c);
        }
    }

    /// <summary>Adds every value recorded in <paramref name="other"/>.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++) Interlocked.Add(ref _counts[i], Volatile.Read(ref other._counts[i]));
        Interlocked.Add(ref _total, other.Count);
        Interlocked.Add(ref _sum, Volatile.Read(ref other._sum));
        long max;
        while (other.Max > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, other.Max, max) != max)
        {
        }
    }

    // Values below 64 get a bucket each; above, the bucket is (power of two, top six bits below the leading one).
    internal static int IndexOf(long micros)
    {
        if (micros < SubBuckets) return (int)micros;
        int power = 63 - (int)long.LeadingZeroCount(micros); // ≥ 6
        int range = power - SubBucketBits + 1;
        if (power - SubBucketBits + 1 > Ranges) return LastIndex;
        int sub = (int)(micros >> (power - SubBucketBits)) - SubBuckets; // 0..63
        return range * SubBuckets + sub;
    }

    internal static long UpperEdge(int index)
    {
        if (index < SubBuckets) return index;
        int range = index / SubBuckets, sub = index % SubBuckets;
        int shift = range - 1;
        return ((long)(SubBuckets + sub + 1) << shift) - 1;
    }
}
