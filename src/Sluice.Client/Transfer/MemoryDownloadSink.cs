using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>Downloads into one array sized from the first response; later parts are received straight into it.</summary>
internal sealed class MemoryDownloadSink : DownloadSink
{
    private byte[] _data = [];

    public byte[] Data => _data;

    public override ValueTask OpenAsync(string bucket, string key, PartPlan plan, string etag, ChecksumAlgorithm algorithm, CancellationToken cancellationToken)
    {
        if (plan.ObjectSize > Array.MaxLength)
            throw new TransferException($"s3://{bucket}/{key} is {plan.ObjectSize} bytes, too large to download into memory", bucket, key);
        _data = plan.ObjectSize == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)plan.ObjectSize);
        return ValueTask.CompletedTask;
    }

    public override Memory<byte> DirectTarget(long offset, int length) => _data.AsMemory((int)offset, length);

    public override ValueTask WritePartAsync(int index, long offset, ReadOnlyMemory<byte> data, PartBuffer? buffer, ulong crc, CancellationToken cancellationToken)
    {
        var target = _data.AsMemory((int)offset, data.Length);
        if (!data.Equals(target)) data.CopyTo(target);
        return ValueTask.CompletedTask;
    }

    public override ValueTask<ulong?> RehashAsync(ChecksumAlgorithm algorithm, long size, MemoryBudget budget, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ulong?>(PartChecksums.Compute(algorithm, _data));

    public override bool CanReadBack => true;

    public override ValueTask ReadBackAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        _data.AsMemory((int)offset, destination.Length).CopyTo(destination);
        return ValueTask.CompletedTask;
    }

    public override ValueTask CommitAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public override ValueTask FailAsync(bool keepForResume)
    {
        _data = [];
        return ValueTask.CompletedTask;
    }
}
