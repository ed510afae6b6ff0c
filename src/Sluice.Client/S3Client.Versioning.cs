using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.Client.Model;
using Sluice.Client.Transport;
using Sluice.S3.Xml;

namespace Sluice.Client;

// Bucket versioning: its status, enabling and suspending it, and listing versions and delete markers.
public sealed partial class S3Client
{
    /// <summary>
    /// GetBucketVersioning: <see cref="VersioningConfiguration.Status"/> is <c>Enabled</c>, <c>Suspended</c>, or null
    /// for a bucket whose versioning was never enabled.
    /// </summary>
    public async Task<VersioningConfiguration> GetBucketVersioningAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        return await SendXmlAsync(S3Call.Create("GET", bucket, null, "versioning", idempotent: true),
            VersioningConfiguration.Read, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PutBucketVersioning: enables (true) or suspends (false) versioning. A server without versioning
    /// answers NotImplemented, which throws.</summary>
    public async Task PutBucketVersioningAsync(string bucket, bool enabled, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        var body = new ArrayBufferWriter<byte>();
        new VersioningConfiguration { Status = enabled ? "Enabled" : "Suspended" }.WriteTo(body);
        await PutSubresourceAsync(bucket, null, "versioning", body.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One ListObjectVersions page after (<paramref name="keyMarker"/>, <paramref name="versionIdMarker"/>);
    /// keys are URL-decoded (encoding-type=url is always requested).</summary>
    public Task<ListVersionsResult> ListObjectVersionsPageAsync(ListObjectsRequest request, string? keyMarker = null,
        string? versionIdMarker = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Bucket);
        var q = new StringBuilder("versions");
        AddQuery(q, "delimiter", request.Delimiter);
        AddQuery(q, "encoding-type", "url");
        AddQuery(q, "key-marker", keyMarker);
        AddQuery(q, "max-keys", request.MaxKeys?.ToString(CultureInfo.InvariantCulture));
        AddQuery(q, "prefix", request.Prefix);
        AddQuery(q, "version-id-marker", keyMarker is null ? null : versionIdMarker);
        return SendXmlAsync(S3Call.Create("GET", request.Bucket, null, q.ToString(), idempotent: true),
            ListVersionsResult.Read, cancellationToken);
    }

    /// <summary>All ListObjectVersions pages, following NextKeyMarker / NextVersionIdMarker.</summary>
    public async IAsyncEnumerable<ListVersionsResult> ListObjectVersionsPagesAsync(ListObjectsRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? keyMarker = null, versionIdMarker = null;
        while (true)
        {
            ListVersionsResult page = await ListObjectVersionsPageAsync(request, keyMarker, versionIdMarker, cancellationToken)
                .ConfigureAwait(false);
            yield return page;
            if (!page.IsTruncated || page.NextKeyMarker is null
                || (page.NextKeyMarker == keyMarker && page.NextVersionIdMarker == versionIdMarker))
            {
                yield break;
            }

            keyMarker = page.NextKeyMarker;
            versionIdMarker = page.NextVersionIdMarker;
        }
    }

    /// <summary>Every version and delete marker, in key order and newest first within a key.</summary>
    public async IAsyncEnumerable<ListedVersion> ListObjectVersionsAsync(ListObjectsRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ListVersionsResult page in ListObjectVersionsPagesAsync(request, cancellationToken).ConfigureAwait(false))
        {
            foreach (ListedVersion item in page.Versions)
            {
                yield return item;
            }
        }
    }
}
