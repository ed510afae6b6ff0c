namespace Sluice.Server.Index;

/// <summary>
/// What a write returns: its journal sequence number. Pass it to <see cref="BucketIndex.WaitDurableAsync"/> to
/// wait until the write is on disk; waiting on the last ticket of a batch makes the whole batch durable with
/// one fsync (group commit).
/// </summary>
/// <param name="Sequence">The write's sequence number in the bucket's journal; 0 for "nothing written".</param>
public readonly record struct CommitTicket(long Sequence)
{
    /// <summary>
    /// How many journal failures the index had recovered from when the write was journaled: a recovery drops the
    /// records that were not durable and reuses their sequence numbers, so a ticket from an earlier epoch is
    /// durable only if its sequence was durable when that epoch ended.
    /// </summary>
    internal long Epoch { get; init; }
}
