using System.Runtime.CompilerServices;
using Sluice.IO.Uring;

namespace Sluice.IO;

/// <summary>
/// <c>await connection.ResumeOnOwner()</c> continues on the reactor thread that owns the connection, so later
/// operations are submitted and resumed there without crossing threads (as a server handler's are). Code that starts
/// on the thread pool otherwise stays there and pays a hand-off per operation. With the managed engine, or when
/// already on the owner, it completes at once.
/// </summary>
public readonly struct OwnerAwaitable : ICriticalNotifyCompletion
{
    private static readonly SendOrPostCallback Run = static s => ((Action)s!)();
    private readonly UringReactor? _reactor;

    internal OwnerAwaitable(UringReactor? reactor) => _reactor = reactor;

    public OwnerAwaitable GetAwaiter() => this;

    public bool IsCompleted => _reactor is not { } r || r.IsOnReactorThread || r.IsClosed;

    public void GetResult() { }

    public void OnCompleted(Action continuation) => _reactor!.Post(Run, continuation);

    public void UnsafeOnCompleted(Action continuation) => _reactor!.Post(Run, continuation);
}
