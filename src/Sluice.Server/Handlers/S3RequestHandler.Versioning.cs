using System.Buffers;
using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Xml;
using Sluice.Server.Exchange;
using Sluice.Server.Index;
using Sluice.Server.Routing;

namespace Sluice.Server.Handlers;

/// <summary>
/// Versioning as a bucket that never had it enabled answers it — every bucket here, as the server does not version
/// yet: GetBucketVersioning is an empty configuration, and ListObjectVersions lists each object as its one version,
/// the "null" version, latest, with no delete markers (what AWS S3 answers for such a bucket; tools and test
/// suites call both before anything else). Enabling versioning (PutBucketVersioning) is 501 NotImplemented.
/// </summary>
public sealed partial class S3RequestHandler
{
    /// <summary>The version id of every version written while a bucket's versioning was never enabled.</summary>
    private const string NullVersionId = "null";

    internal async ValueTask GetBucketVersioningAsync(S3Exchange x, RequestContext c)
    {
        await _objects.GetBucketAsync(c.Route.GetBucketString());
        var body = new ArrayBufferWriter<byte>(128);
        new VersioningConfiguration().WriteTo(body);
        await SendXmlAsync(x, body);
    }

    internal async ValueTask ListObjectVersionsAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        var index = await _objects.GetKeyIndexAsync(bucket);
        var q = c.Route.Query;
        string? prefix = q.GetString(S3QueryParameter.Prefix);
        string? delimiter = q.GetString(S3QueryParameter.Delimiter);
        string? keyMarker = q.GetString(S3QueryParameter.KeyMarker);
        string? versionIdMarker = q.GetString(S3QueryParameter.VersionIdMarker);
        // The only version a key has is "null": any other id names no version (AWS: InvalidArgument).
        if (!string.IsNullOrEmpty(versionIdMarker) && versionIdMarker != NullVersionId)
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidArgument, "Invalid version id specified")
                .WithDetail("ArgumentName", "version-id-marker").WithDetail("ArgumentValue", versionIdMarker));
        // After (key-marker, its "null" version) is after key-marker: each key has one version.
        if (!ListQuery.TryCreateV1(prefix, delimiter, Math.Min(q.MaxKeys, S3Query.MaxPageSize), keyMarker, out var query, out var error))
            throw new S3RequestException(error!);
        var page = index.List(query);

        var result = new ListVersionsResult
        {
            Name = bucket,
            Prefix = prefix ?? string.Empty,
            KeyMarker = keyMarker ?? string.Empty,
            VersionIdMarker = versionIdMarker ?? string.Empty,
            Delimiter = delimiter,
            MaxKeys = q.MaxKeys,
            IsTruncated = page.IsTruncated,
            EncodingType = q.UrlEncoded ? "url" : null,
        };
        if (page.IsTruncated)
        {
            var last = page.LastItem;
            result.NextKeyMarker = Encoding.UTF8.GetString(last.Span);
            bool endsOnPrefix = page.CommonPrefixes.Count > 0 && page.CommonPrefixes[^1].Span.SequenceEqual(last.Span);
            result.NextVersionIdMarker = endsOnPrefix ? null : NullVersionId;
        }
        foreach (var entry in page.Contents)
        {
            result.Versions.Add(new ListedVersion
            {
                Key = entry.GetKeyString(),
                VersionId = NullVersionId,
                IsLatest = true,
                LastModified = entry.LastModified,
                ETag = entry.ETag,
                Size = entry.Size,
                StorageClass = entry.StorageClass,
                Owner = Owner,
                ChecksumAlgorithm = ChecksumAlgorithmName(entry),
                ChecksumType = ChecksumTypeName(entry),
            });
        }
        foreach (var p in page.CommonPrefixes) result.CommonPrefixes.Add(Encoding.UTF8.GetString(p.Span));
        var body = new ArrayBufferWriter<byte>(512 + (page.KeyCount * 300));
        result.WriteTo(body);
        await SendXmlAsync(x, body);
    }
}
