using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.Client.Model;
using Sluice.Client.Transport;
using Sluice.S3.Xml;

namespace Sluice.Client;

public sealed partial class S3Client
{
    /// <summary>One ListObjectsV2 page (keys are URL-decoded; encoding-type=url is always requested).</summary>
    public Task<ListBucketResult> ListObjectsV2PageAsync(ListObjectsRequest request, string? continuationToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Bucket);
        var q = new StringBuilder("list-type=2");
        AddQuery(q, "continuation-token", continuationToken);
        AddQuery(q, "delimiter", request.Delimiter);
        AddQuery(q, "encoding-type", "url");
        AddQuery(q, "fetch-owner", request.FetchOwner ? "true" : null);
        AddQuery(q, "max-keys", request.MaxKeys?.ToString(CultureInfo.InvariantCulture));
        AddQuery(q, "prefix", request.Prefix);
        AddQuery(q, "start-after", continuationToken is null ? request.StartAfter : null);
        return SendXmlAsync(S3Call.Create("GET", request.Bucket, null, q.ToString(), idempotent: true),
            ListBucketResult.Read, cancellationToken);
    }

    /// <summary>All ListObjectsV2 pages, following continuation tokens.</summary>
    public async IAsyncEnumerable<ListBucketResult> ListObjectsV2PagesAsync(ListObjectsRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        while (true)
        {
            ListBucketResult page = await ListObjectsV2PageAsync(request, token, cancellationToken).ConfigureAwait(false);
            yield return page;
            if (!page.IsTruncated || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            token = page.NextContinuationToken;
        }
    }

    /// <summary>Every object of a ListObjectsV2 listing (common prefixes are on the pages: use the Pages form).</summary>
    public async IAsyncEnumerable<ListedObject> ListObjectsV2Async(ListObjectsRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ListBucketResult page in ListObjectsV2PagesAsync(request, cancellationToken).ConfigureAwait(false))
        {
            foreach (ListedObject item in page.Contents)
            {
                yield return item;
            }
        }
    }

    /// <summary>One ListObjects (V1) page starting after <paramref name="marker"/>.</summary>
    public Task<ListBucketResult> ListObjectsV1PageAsync(ListObjectsRequest request, string? marker = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Bucket);
        var q = new StringBuilder();
        AddQuery(q, "delimiter", request.Delimiter);
        AddQuery(q, "encoding-type", "url");
        AddQuery(q, "marker", marker ?? request.StartAfter);
        AddQuery(q, "max-keys", request.MaxKeys?.ToString(CultureInfo.InvariantCulture));
        AddQuery(q, "prefix", request.Prefix);
        return SendXmlAsync(S3Call.Create("GET", request.Bucket, null, q.ToString(), idempotent: true),
            ListBucketResult.Read, cancellationToken);
    }

    /// <summary>All ListObjects (V1) pages: NextMarker, or the last key/prefix of a page when the server omits it.</summary>
    public async IAsyncEnumerable<ListBucketResult> ListObjectsV1PagesAsync(ListObjectsRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? marker = null;
        while (true)
        {
            ListBucketResult page = await ListObjectsV1PageAsync(request, marker, cancellationToken).ConfigureAwait(false);
            yield return page;
            if (!page.IsTruncated)
            {
                yield break;
            }

            string? lastKey = page.Contents.Count > 0 ? page.Contents[^1].Key : null;
            string? lastPrefix = page.CommonPrefixes.Count > 0 ? page.CommonPrefixes[^1] : null;
            string? next = page.NextMarker
                ?? (lastPrefix is not null && (lastKey is null || string.CompareOrdinal(lastPrefix, lastKey) > 0) ? lastPrefix : lastKey);
            if (next is null || next == marker)
            {
                yield break;
            }

            marker = next;
        }
    }

    /// <summary>Every object of a ListObjects (V1) listing.</summary>
    public async IAsyncEnumerable<ListedObject> ListObjectsV1Async(ListObjectsRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ListBucketResult page in ListObjectsV1PagesAsync(request, cancellationToken).ConfigureAwait(false))
        {
            foreach (ListedObject item in page.Contents)
            {
                yield return item;
            }
        }
    }
}
