using Sluice.S3.Checksums;
using Sluice.Server.Storage;

namespace Sluice.Server.Placement;

/// <summary>Client memory a provider reaches: bytes placed into it (GET) or pulled from it (PUT, UploadPart).</summary>
public interface IPlacementRegion
{
    /// <summary>
    /// Places <paramref name="count"/> body bytes of <paramref name="source"/> from <paramref name="position"/> at
    /// <paramref name="offset"/> in the region. Throws when the body ends early or the move fails.
    /// </summary>
    ValueTask PlaceAsync(long offset, IObjectReader source, long position, long count, CancellationToken cancellationToken = default);

    /// <summary>Appends <paramref name="count"/> bytes from <paramref name="offset"/> in the region to <paramref name="destination"/>,
    /// feeding <paramref name="extra"/> too.</summary>
    ValueTask PullAsync(long offset, long count, IBodyWriter destination, S3Checksum? extra, CancellationToken cancellationToken = default);

    /// <summary>Ends one transfer's pin (<see cref="IPlacementProvider.TryAcquire"/>).</summary>
    void Release();
}
