namespace Sluice.Server.Handlers;

/// <summary>
/// Striped locks by (bucket, key), held across "commit to the store, then record in the index" so two writes of one
/// key reach the index in the order they reached the disk (else a listing could keep the older size and ETag).
/// Held only for the commit, never while a body is received.
/// </summary>
internal sealed class KeyLocks
{
    /// <summary>Enough stripes that unrelated keys rarely wait for each other's commit.</summary>
    private const int StripeCount = 256;

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
