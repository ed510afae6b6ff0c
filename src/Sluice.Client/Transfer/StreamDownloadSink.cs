using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// Writes parts to a stream in order. A part that arrives early waits (holding its buffer) until the parts before
/// it are written; the scheduler reserves buffers in part order, so the part being waited for always has one.
/// </summary>
internal sealed class StreamDownloadSink(Stream destination) : DownloadSink
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, TaskCompletionSource> _turns = [];
    private int _nextToWrite;

    public override ValueTask OpenAsync(string bucket, string key, PartPlan plan, string etag, ChecksumAlgorithm algorithm, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    public override async ValueTask WritePartAsync(int index, long offset, ReadOnlyMemory<byte> data, ulong crc, CancellationToken cancellationToken)
    {
        await TurnOf(index).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _nextToWrite = index + 1;
            _turns.Remove(index);
        }
        TurnOf(index + 1).TrySetResult();
    }

    private TaskCompletionSource TurnOf(int index)
    {
        lock (_lock)
        {
            if (!_turns.TryGetValue(index, out var tcs))
            {
                tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (index <= _nextToWrite) tcs.TrySetResult();
                _turns[index] = tcs;
            }
            return tcs;
        }
    }

    public override async ValueTask CommitAsync(CancellationToken cancellationToken) =>
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);

    public override ValueTask FailAsync(bool keepForResume) => ValueTask.CompletedTask;
}
