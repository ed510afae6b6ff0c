using Sluice.Server.Storage;

namespace Sluice.Server.Index;

/// <summary>
/// Runs the <see cref="PartitionPolicy"/> in the background: every <see cref="PartitionPolicySettings.Interval"/> a
/// pass over each bucket whose key index is open (a closed index has no heat to act on). Passes never overlap.
/// </summary>
internal sealed class PartitionPolicyWorker : IAsyncDisposable
{
    private readonly IObjectStorage _storage;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Action<Exception>? _failed;

    public PartitionPolicyWorker(IObjectStorage storage, PartitionPolicy policy, TimeSpan interval, Action<Exception>? failed)
    {
        _storage = storage;
        Policy = policy;
        _failed = failed;
        _loop = interval == Timeout.InfiniteTimeSpan ? Task.CompletedTask : Task.Run(() => LoopAsync(interval));
    }

    public PartitionPolicy Policy { get; }

    /// <summary>One pass over every open bucket index now (tests; the loop runs the same).</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The open indexes, not ListBucketsAsync: listing buckets reads the data directory and every bucket's
            // files, hundreds of KB of garbage a second on a server that is otherwise allocation-free.
            foreach (BucketIndex index in _storage.OpenKeyIndexes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    Policy.Apply(index);
                }
                catch (ObjectDisposedException)
                {
                    // The bucket was deleted (its index closed) during the pass.
                }
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await RunOnceAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _failed?.Invoke(e); // the next tick tries again
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        // A pass started by a test may still run: wait for it before the indexes close.
        await _pass.WaitAsync().ConfigureAwait(false);
        _pass.Release();
        _stop.Dispose();
    }
}
