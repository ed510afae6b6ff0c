using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// Writes parts to a stream in order. A part that arrives early waits (holding its buffer) until the parts before
/// it are written; the scheduler reserves buffers in part order, so the part being waited for always has one.
/// </summary>
internal sealed class StreamDownloadSink(Stream destination) : DownloadSink
{
    private readonly PartTurns _turns = new();

    public override bool InOrder => true;

    public override ValueTask OpenAsync(string bucket, string key, PartPlan plan, string etag, ChecksumAlgorithm algorithm, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    public override async ValueTask WritePartAsync(int index, long offset, ReadOnlyMemory<byte> data, PartBuffer? buffer, ulong crc, CancellationToken cancellationToken)
    {
        await _turns.WaitAsync(index, cancellationToken).ConfigureAwait(false);
        await destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        _turns.Done(index);
    }

    public override async ValueTask CommitAsync(CancellationToken cancellationToken) =>
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);

    public override ValueTask FailAsync(bool keepForResume) => ValueTask.CompletedTask;
}
