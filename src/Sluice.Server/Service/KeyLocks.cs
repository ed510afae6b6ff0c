namespace Sluice.Server.Service;

/// <summary>
/// Striped locks by (bucket, key), held across a write's commit (index journal, fsync, then the store's rename or
/// unlink) so two writes of one key reach the index in the order they reached the disk (else a listing could keep the
/// older size and ETag), and a write the index fails can be left undone. Held only for the commit, never while a body
/// is received.
/// </summary>
internal sealed class KeyLocks
{
    /// <summary>Enough stripes that unrelated keys rarely wait for each other's commit (which includes a journal fsync).</summary>
    private const int StripeCount = 1024;

    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, StripeCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async ValueTask<Releaser> AcquireAsync(string bucket, string key)
    {
        var stripe = _stripes[(uint)HashCode.Combine(string.GetHashCode(bucket, StringComparison.Ordinal),
            string.GetHashCode(key, StringComparison.Ordinal)) % StripeCount];
        await stripe.WaitAsync().ConfigureAwait(false);
        return new Releaser(stripe);
    }

    internal readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
