using System.Diagnostics.CodeAnalysis;
using Sluice.S3.Checksums;
using Sluice.Server.Storage;

namespace Sluice.Server.Placement;

/// <summary>The window of client memory one token names, pinned for one transfer: release it when done.</summary>
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "A handle; nobody compares them.")]
public readonly struct PlacementWindow(IPlacementRegion region, long offset, long length)
{
    public long Length => length;

    public ValueTask PlaceAsync(IObjectReader source, long position, long count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, length);
        return region.PlaceAsync(offset, source, position, count, cancellationToken);
    }

    public ValueTask PullAsync(IBodyWriter destination, S3Checksum? extra, CancellationToken cancellationToken = default) =>
        region.PullAsync(offset, length, destination, extra, cancellationToken);

    public void Release() => region.Release();
}
