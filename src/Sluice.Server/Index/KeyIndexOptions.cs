namespace Sluice.Server.Index;

/// <summary>Tuning for a <see cref="BucketIndex"/>.</summary>
public sealed class KeyIndexOptions
{
    /// <summary>
    /// Keys per partition before it splits in two. 4096 keeps a 1M-key bucket's map at a few hundred ranges (cheap
    /// to search and to show), gives a request-rate policy ranges small enough to isolate a hot prefix, and costs
    /// writes nothing extra: a write copies one 64-entry chunk, whatever the partition size.
    /// </summary>
    public const int DefaultSplitKeyCount = 4096;

    /// <summary>
    /// Journal size that triggers a background compaction into a snapshot. 64 MiB is roughly half a million
    /// puts, which replays in well under a second at start, while compacting seldom enough not to matter.
    /// </summary>
    public const long DefaultCompactJournalBytes = 64L << 20;

    /// <summary>Keys per partition before it splits (at least 2).</summary>
    public int SplitKeyCount { get; init; } = DefaultSplitKeyCount;

    /// <summary>Journal bytes after which a compaction starts; 0 disables automatic compaction.</summary>
    public long CompactJournalBytes { get; init; } = DefaultCompactJournalBytes;

    /// <summary>Injected write failures (tests).</summary>
    internal IndexFaults? Faults { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(SplitKeyCount, 2, nameof(SplitKeyCount));
        ArgumentOutOfRangeException.ThrowIfNegative(CompactJournalBytes, nameof(CompactJournalBytes));
    }
}
