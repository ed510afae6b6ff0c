using System.Collections.Concurrent;

namespace Sluice.Cli.Bench;

/// <summary>
/// The running figures of one operation kind (or of all) in a job: latency and time-to-first-byte histograms, counts,
/// bytes and errors of the measured requests (those started after the warm-up), and a per-second timeline of every
/// request by when it finished, warm-up included. Workers add concurrently: interlocked counters, no locks.
/// </summary>
public sealed class OpStats
{
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private long _operations;
    private long _bytes;

    /// <summary>Figures over <paramref name="seconds"/> one-second timeline slots on <paramref name="clock"/>.</summary>
    public OpStats(int seconds, TimeProvider? clock = null) => Timeline = new BenchTimeline(seconds, clock);

    /// <summary>Latency of measured requests (µs).</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Time to first byte of measured requests that have one (µs).</summary>
    public LatencyHistogram Ttfb { get; } = new();

    /// <summary>Every request by the second it finished in, warm-up included.</summary>
    public BenchTimeline Timeline { get; }

    /// <summary>Measured requests, successful or not.</summary>
    public long Operations => Volatile.Read(ref _operations);

    /// <summary>Payload of measured successful requests.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Measured failures by error.</summary>
    public IReadOnlyDictionary<string, long> Errors => _errors;

    /// <summary>Adds one request; <paramref name="measured"/> when it started after the warm-up.</summary>
    public void Add(in OpRecord record, bool measured)
    {
        bool failed = record.Error != null;
        Timeline.RecordAt(record.EndMicros / 1e6, failed ? 0 : record.Bytes, failed);
        if (!measured) return;
        Latency.Record(record.DurationMicros);
        if (record.TtfbMicros >= 0 && !failed) Ttfb.Record(record.TtfbMicros);
        Interlocked.Increment(ref _operations);
        if (failed) _errors.AddOrUpdate(record.Error!, 1, (_, n) => n + 1);
        else Interlocked.Add(ref _bytes, record.Bytes);
    }
}
