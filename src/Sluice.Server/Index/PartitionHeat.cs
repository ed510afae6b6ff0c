using System.Runtime.InteropServices;

namespace Sluice.Server.Index;

/// <summary>
/// A partition's request counters and their decaying rates. The request path only increments a plain counter in
/// the slot of the core it runs on (one cache line per core, so reactors never share a line and no increment is
/// locked); the partition policy folds the slots into exponentially decaying rates once per tick. A split hands
/// each half its share of the history (<see cref="Inherit"/>), so the rates do not restart from zero.
/// </summary>
/// <remarks>
/// Plain increments: two threads meeting on one slot (a thread preempted between reading its core number and
/// adding) may lose a count, which makes a rate slightly low; a locked add on every GET would cost more than it tells.
/// </remarks>
internal sealed class PartitionHeat
{
    /// <summary>
    /// The rates' time constant: a rate follows a change of load by 63 % in this time. Ten seconds smooths the
    /// bursts of a client's ramp-up and retries, yet a hot range shows within a few policy ticks.
    /// </summary>
    public static readonly TimeSpan RateTimeConstant = TimeSpan.FromSeconds(10);

    /// <summary>Keys kept of the recent requests, to find the key where the load divides.</summary>
    public const int SampleSlots = 16;

    /// <summary>Bytes of a sampled key kept: enough to tell apart the keys of any realistic naming scheme.</summary>
    public const int SampleKeyBytes = 64;

    /// <summary>One request in this many leaves its key in the sample (cheap, and still follows the load).</summary>
    private const int SampleEvery = 8;

    private static readonly int ShardMask = ShardCount() - 1;

    private readonly Shard[] _shards = new Shard[ShardMask + 1];

    // The sample of recent keys: slot i holds up to SampleKeyBytes bytes at i * SampleKeyBytes. Written racily by the
    // request path: a torn key is still a byte string, and the policy checks every candidate against the range.
    private readonly byte[] _sampleKeys = new byte[SampleSlots * SampleKeyBytes];
    private readonly byte[] _sampleLengths = new byte[SampleSlots];
    private int _sampleNext;

    // Folded by the policy (one thread at a time: the index's policy lock).
    private long _foldedReads, _foldedWrites, _foldedThrottled;
    private long _baseReads, _baseWrites, _baseThrottled;
    private double _readRate, _writeRate, _throttledRate;
    private long _sampledAt;


    /// <summary>Requests counted since the bucket's index opened (a split shares them out, so they stay monotone overall).</summary>
    public long Reads => _baseReads + Sum(static s => s.Reads);

    public long Writes => _baseWrites + Sum(static s => s.Writes);

    public long Throttled => _baseThrottled + Sum(static s => s.Throttled);

    /// <summary>Decaying rates, per second, as of the last <see cref="Fold"/>.</summary>
    public double ReadRate => Volatile.Read(ref _readRate);

    public double WriteRate => Volatile.Read(ref _writeRate);

    public double ThrottledRate => Volatile.Read(ref _throttledRate);

    /// <summary>Policy state: when the partition was first seen over its heat threshold in a row of ticks (0: it is not).</summary>
    public long HotSince { get; set; }

    /// <summary>Policy state: when it was first seen cold in a row of ticks (0: it is not).</summary>
    public long ColdSince { get; set; }

    public void CountRead(ReadOnlySpan<byte> key)
    {
        ref Shard shard = ref _shards[Thread.GetCurrentProcessorId() & ShardMask];
        if ((++shard.Reads & (SampleEvery - 1)) == 0) Sample(key);
    }

    public void CountWrite(ReadOnlySpan<byte> key)
    {
        ref Shard shard = ref _shards[Thread.GetCurrentProcessorId() & ShardMask];
        if ((++shard.Writes & (SampleEvery - 1)) == 0) Sample(key);
    }

    /// <summary>A request refused by the S3 limits emulation: heat the partition could not take.</summary>
    public void CountThrottled()
    {
        // Not sampled again: the emulation counts the request as a read or write (sampled there) as well.
        _shards[Thread.GetCurrentProcessorId() & ShardMask].Throttled++;
    }

    /// <summary>Folds the counts since the last call into the decaying rates (<paramref name="now"/>: a TimeProvider timestamp).</summary>
    public void Fold(long now, long timestampFrequency)
    {
        long reads = Sum(static s => s.Reads), writes = Sum(static s => s.Writes), throttled = Sum(static s => s.Throttled);
        double seconds = (now - _sampledAt) / (double)timestampFrequency;
        if (_sampledAt == 0)
        {
            // The first fold only starts the interval (a partition's creation is not timed: it happens under the write lock).
            (_foldedReads, _foldedWrites, _foldedThrottled, _sampledAt) = (reads, writes, throttled, now);
            return;
        }

        if (seconds <= 0)
        {
            return; // no time has passed: the counts wait for the next fold
        }

        // Weight of the new interval: 1 - e^(-dt/tau), so the rate decays the same whatever the tick length.
        double alpha = 1 - Math.Exp(-seconds / RateTimeConstant.TotalSeconds);
        Volatile.Write(ref _readRate, _readRate + (alpha * (((reads - _foldedReads) / seconds) - _readRate)));
        Volatile.Write(ref _writeRate, _writeRate + (alpha * (((writes - _foldedWrites) / seconds) - _writeRate)));
        Volatile.Write(ref _throttledRate, _throttledRate + (alpha * (((throttled - _foldedThrottled) / seconds) - _throttledRate)));
        _foldedReads = reads;
        _foldedWrites = writes;
        _foldedThrottled = throttled;
        _sampledAt = now;
    }

    /// <summary>
    /// The halves of a split partition: the left takes <paramref name="share"/> (0..1) of the parent's counts and
    /// rates, the right the rest, so a split keeps the history (the halves sum to the parent) instead of starting cold.
    /// </summary>
    public static (PartitionHeat Left, PartitionHeat Right) Divide(PartitionHeat parent, double share)
    {
        long reads = parent.Reads, writes = parent.Writes, throttled = parent.Throttled;
        var left = new PartitionHeat
        {
            _baseReads = (long)Math.Round(reads * share),
            _baseWrites = (long)Math.Round(writes * share),
            _baseThrottled = (long)Math.Round(throttled * share),
            _readRate = parent._readRate * share,
            _writeRate = parent._writeRate * share,
            _throttledRate = parent._throttledRate * share,
            _sampledAt = parent._sampledAt, // the rates are as of the parent's last fold: the next fold decays them from there
        };
        var right = new PartitionHeat
        {
            _baseReads = reads - left._baseReads,
            _baseWrites = writes - left._baseWrites,
            _baseThrottled = throttled - left._baseThrottled,
            _readRate = parent._readRate - left._readRate,
            _writeRate = parent._writeRate - left._writeRate,
            _throttledRate = parent._throttledRate - left._throttledRate,
            _sampledAt = parent._sampledAt,
        };
        return (left, right);
    }

    /// <summary>The two neighbours of a merge, summed.</summary>
    public static PartitionHeat Combine(PartitionHeat left, PartitionHeat right)
    {
        return new PartitionHeat
        {
            _baseReads = left.Reads + right.Reads,
            _baseWrites = left.Writes + right.Writes,
            _baseThrottled = left.Throttled + right.Throttled,
            _readRate = left._readRate + right._readRate,
            _writeRate = left._writeRate + right._writeRate,
            _throttledRate = left._throttledRate + right._throttledRate,
            _sampledAt = Math.Max(left._sampledAt, right._sampledAt),
        };
    }

    /// <summary>The sampled recent keys (copies), for the policy to find where the load divides.</summary>
    public List<byte[]> SampledKeys()
    {
        var keys = new List<byte[]>(SampleSlots);
        for (int i = 0; i < SampleSlots; i++)
        {
            int length = Volatile.Read(ref _sampleLengths[i]);
            if (length > 0) keys.Add(_sampleKeys.AsSpan(i * SampleKeyBytes, length).ToArray());
        }

        return keys;
    }

    private void Sample(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty) return;
        int slot = (int)((uint)Interlocked.Increment(ref _sampleNext) % SampleSlots);
        int length = Math.Min(key.Length, SampleKeyBytes);
        while (length < key.Length && length > 0 && (key[length] & 0xC0) == 0x80)
        {
            length--; // cut at a character boundary: a boundary key made from the sample stays valid UTF-8
        }

        key[..length].CopyTo(_sampleKeys.AsSpan(slot * SampleKeyBytes, SampleKeyBytes));
        Volatile.Write(ref _sampleLengths[slot], (byte)length);
    }

    private long Sum(Func<Shard, long> field)
    {
        long total = 0;
        foreach (Shard shard in _shards) total += field(shard);
        return total;
    }

    private static int ShardCount()
    {
        // A power of two at least the core count (processor ids are below it), capped: 64 lines per partition is plenty.
        int cores = Math.Clamp(Environment.ProcessorCount, 1, 64);
        return (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)cores);
    }

    /// <summary>One core's counters, alone on a 64-byte cache line so cores never invalidate each other's.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Shard
    {
        [FieldOffset(0)] public long Reads;
        [FieldOffset(8)] public long Writes;
        [FieldOffset(16)] public long Throttled;
    }
}
