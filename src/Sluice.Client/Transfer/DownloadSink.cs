using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>Where a download's parts go: a file at offsets, memory, or a stream in order.</summary>
internal abstract class DownloadSink : IAsyncDisposable
{
    /// <summary>Parts already present from an earlier attempt (index → CRC); empty when starting fresh.</summary>
    public virtual IReadOnlyDictionary<int, ulong> ResumedParts => EmptyParts;

    /// <summary>Resume state found by <see cref="PrepareAsync"/>: the object's ETag, size and part size, or null.</summary>
    public virtual DownloadState? Resume => null;

    protected static readonly IReadOnlyDictionary<int, ulong> EmptyParts = new Dictionary<int, ulong>();

    /// <summary>Whether parts are written in order (a stream): an early part waits holding its buffer, so parts in flight are capped (<see cref="TransferOptions.StreamWindow"/>).</summary>
    public virtual bool InOrder => false;

    /// <summary>Looks for resumable state before the first request.</summary>
    public virtual ValueTask PrepareAsync(string bucket, string key, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called once the object's size and ETag are known (after the first response).</summary>
    public abstract ValueTask OpenAsync(string bucket, string key, PartPlan plan, string etag, ChecksumAlgorithm algorithm, CancellationToken cancellationToken);

    /// <summary>Memory the part may be received into directly (no buffer from the budget), or empty.</summary>
    public virtual Memory<byte> DirectTarget(long offset, int length) => Memory<byte>.Empty;

    /// <summary>Stores a verified part (<paramref name="data"/>, held in <paramref name="buffer"/> unless received directly). Parts arrive in any order.</summary>
    public abstract ValueTask WritePartAsync(int index, long offset, ReadOnlyMemory<byte> data, PartBuffer? buffer, ulong crc, CancellationToken cancellationToken);

    /// <summary>The CRC of all bytes under another algorithm (a second pass), or null when the sink cannot re-read.</summary>
    public virtual ValueTask<ulong?> RehashAsync(ChecksumAlgorithm algorithm, long size, MemoryBudget budget, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ulong?>(null);

    /// <summary>Whether written parts can be read back (<see cref="ReadBackAsync"/>) and written again (a file or memory, not a stream).</summary>
    public virtual bool CanReadBack => false;

    /// <summary>Reads written bytes back (at an offset that is a multiple of 1 MiB, for O_DIRECT).</summary>
    public virtual ValueTask ReadBackAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this destination cannot be read back");

    /// <summary>Everything arrived and verified: make it visible (rename into place, flush).</summary>
    public abstract ValueTask CommitAsync(CancellationToken cancellationToken);

    /// <summary>The transfer failed: keep what can be resumed (<paramref name="keepForResume"/>) or remove it.</summary>
    public abstract ValueTask FailAsync(bool keepForResume);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
