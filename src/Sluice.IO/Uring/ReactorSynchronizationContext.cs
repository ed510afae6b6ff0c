namespace Sluice.IO.Uring;

/// <summary>
/// Runs continuations on the reactor that owns them: an await on the reactor thread resumes on the same
/// thread, in the same loop, without a hop to the thread pool.
/// </summary>
internal sealed class ReactorSynchronizationContext : SynchronizationContext
{
    private readonly UringReactor _reactor;

    public ReactorSynchronizationContext(UringReactor reactor) => _reactor = reactor;

    public override void Post(SendOrPostCallback d, object? state) => _reactor.Post(d, state);

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (_reactor.IsOnReactorThread) d(state);
        else throw new NotSupportedException("Synchronous Send to a reactor would block its caller.");
    }

    public override SynchronizationContext CreateCopy() => this;
}
