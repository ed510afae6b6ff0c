namespace Sluice.Client.Transfer;

/// <summary>
/// Runs the parts of one transfer on up to N workers. Parts are claimed in ascending order and each worker
/// reserves its part's buffer while holding the claim, so a transfer's reservations are made in part order: the
/// lowest unfinished part always holds its buffer (needed by in-order stream writers, and why the shared budget
/// cannot deadlock). The first failure cancels the other workers; every worker has finished (and returned its
/// buffer) before the failure is rethrown.
/// </summary>
internal static class PartScheduler
{
    /// <summary>
    /// Calls <paramref name="reserve"/> (in part order, one at a time) then <paramref name="work"/> (in parallel) for
    /// every index in <paramref name="indices"/>.
    /// </summary>
    public static async Task RunAsync<TLease>(IReadOnlyList<int> indices, int concurrency,
        Func<int, CancellationToken, ValueTask<TLease>> reserve,
        Func<int, TLease, CancellationToken, ValueTask> work,
        CancellationToken cancellationToken)
    {
        if (indices.Count == 0) return;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var claim = new SemaphoreSlim(1, 1);
        int next = 0;
        Exception? first = null;

        async Task WorkerAsync()
        {
            while (!cts.IsCancellationRequested)
            {
                int index;
                TLease lease;
                await claim.WaitAsync(cts.Token).ConfigureAwait(false);
                try
                {
                    if (next >= indices.Count) return;
                    index = indices[next++];
                    lease = await reserve(index, cts.Token).ConfigureAwait(false);
                }
                finally { claim.Release(); }
                await work(index, lease, cts.Token).ConfigureAwait(false);
            }
        }

        var workers = new Task[Math.Min(concurrency, indices.Count)];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                try { await WorkerAsync().ConfigureAwait(false); }
                catch (Exception e)
                {
                    if (e is not OperationCanceledException || !cts.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                        Interlocked.CompareExchange(ref first, e, null);
                    await cts.CancelAsync().ConfigureAwait(false);
                }
            }, CancellationToken.None);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        if (first != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
