using System.Net;

namespace Sluice.IO;

/// <summary>
/// Accepting connections on one address: one SO_REUSEPORT socket per reactor, so the kernel spreads connections
/// over the reactors and each connection lives on the reactor that accepted it. Disposing stops accepting.
/// </summary>
public abstract class Listener : IAsyncDisposable
{
    public abstract IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections accepted so far (all reactors).</summary>
    public abstract long Accepted { get; }

    public abstract ValueTask DisposeAsync();
}
