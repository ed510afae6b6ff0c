using Sluice.S3.Placement;

namespace Sluice.Server.Placement;

/// <summary>
/// The server side of a direct-placement transport ("S3 over RDMA"): it judges <c>x-amz-rdma-token</c> values in its
/// own format and pins the client memory they name for one transfer. The shared-memory provider
/// (<see cref="ShmPlacementProvider"/>) maps the client's memfd; a verbs provider would hold a queue pair and the
/// client's memory key instead, moving bytes with RDMA WRITE (GET) and READ (PUT) through registered bounce buffers —
/// the same two calls on <see cref="IPlacementRegion"/>.
/// </summary>
public interface IPlacementProvider : IAsyncDisposable
{
    /// <summary>The provider's name (sluice serve --placement NAME).</summary>
    string Name { get; }

    /// <summary>True for the token format this provider moves bytes for; others are declined, not refused.</summary>
    bool Serves(PlacementTokenKind kind);

    /// <summary>
    /// True when <paramref name="token"/> names memory that is registered now, with the region's secret, and lies
    /// inside it; false is InvalidRDMAToken.
    /// </summary>
    bool Validate(ReadOnlySpan<byte> token);

    /// <summary>Pins the memory <paramref name="token"/> names for one transfer; false when it is no longer registered.</summary>
    bool TryAcquire(ReadOnlySpan<byte> token, out PlacementWindow window);
}
