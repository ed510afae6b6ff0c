using Sluice.Client.Model;
using Sluice.S3.Xml;

namespace Sluice.Client;

public sealed partial class S3Client
{
    /// <summary>
    /// Every object under the request's prefix, in S3's key order, listed by several ListObjectsV2 walks at once: the
    /// key space is cut into ranges at the given prefixes (or at common prefixes found by delimiter listings), each
    /// range is walked from its start (StartAfter) to its end, and the ranges are read back in order. Keys a server
    /// returns outside a range (one that ignores StartAfter) are dropped, so the result stays complete, ordered and
    /// free of repeats. The first error of any range ends the listing with that error. Recursive only: the request
    /// must have no delimiter.
    /// </summary>
    public IAsyncEnumerable<ListedObject> ListObjectsV2ParallelAsync(ListObjectsRequest request, ParallelListOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Bucket);
        if (request.Delimiter is not null)
        {
            throw new ArgumentException("a parallel listing is recursive: give no delimiter", nameof(request));
        }

        options ??= new ParallelListOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferedPagesPerRange, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRanges, 1, nameof(options));
        return new ParallelLister(this, request, options).ListAsync(cancellationToken);
    }
}
