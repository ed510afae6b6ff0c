using System.Runtime.CompilerServices;
using Sluice.IO;
using Sluice.IO.Uring;

namespace Sluice.IoBench;

/// <summary>
/// `await new ReactorHop(connection)` continues on the reactor thread that owns an io_uring connection, so the
/// client's later operations resume inline there, as a server handler's do. The public API has no such move: code
/// that starts on the thread pool stays there, and each of its operations is posted to the reactor (eventfd write)
/// and each completion posted back. With the managed engine (or on the right thread already) it does nothing.
/// </summary>
internal readonly struct ReactorHop(Connection connection) : ICriticalNotifyCompletion
{
    private static readonly SendOrPostCallback Run = static s => ((Action)s!)();

    private UringReactor? Reactor => (connection as UringConnection)?.Reactor;

    public ReactorHop GetAwaiter() => this;

    public bool IsCompleted => Reactor is not { } r || r.IsOnReactorThread;

    public void GetResult() { }

    public void OnCompleted(Action continuation) => Reactor!.Post(Run, continuation);

    public void UnsafeOnCompleted(Action continuation) => Reactor!.Post(Run, continuation);
}
