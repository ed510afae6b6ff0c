using System.Buffers;
using System.Text;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Xml;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Index;
using Sluice.Server.Routing;
using Sluice.Server.Service;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

public sealed partial class S3RequestHandler
{
    internal async ValueTask ListObjectsAsync(S3Exchange x, RequestContext c, bool v2)
    {
        string bucket = c.Route.GetBucketString();
        var index = await _objects.GetKeyIndexAsync(bucket);
        var body = BuildListing(bucket, index, c.Route.Query, v2, BucketOwnerOf(c));
        await SendXmlAsync(x, body);
    }

    /// <summary>One page of ListObjects(V2) from the index, as XML.</summary>
    private static ArrayBufferWriter<byte> BuildListing(string bucket, BucketIndex index, S3Query q, bool v2, S3Owner bucketOwner)
    {
        string? prefix = q.GetString(S3QueryParameter.Prefix);
        string? delimiter = q.GetString(S3QueryParameter.Delimiter);
        string? startAfter = q.GetString(S3QueryParameter.StartAfter);
        string? token = q.GetString(S3QueryParameter.ContinuationToken);
        string? marker = q.GetString(S3QueryParameter.Marker);
        int maxKeys = Math.Min(q.MaxKeys, S3Query.MaxPageSize);
        ListQuery query;
        S3Error? error;
        // An empty continuation-token is no token: the listing starts at the beginning and echoes it (as AWS).
        bool ok = v2 ? ListQuery.TryCreateV2(prefix, delimiter, maxKeys, startAfter, string.IsNullOrEmpty(token) ? null : token, out query, out error)
            : ListQuery.TryCreateV1(prefix, delimiter, maxKeys, marker, out query, out error);
        if (!ok) throw new S3RequestException(error!);
        var page = index.List(query);

        var result = new ListBucketResult
        {
            IsVersion2 = v2,
            Name = bucket,
            Prefix = prefix ?? string.Empty,
            Delimiter = delimiter,
            MaxKeys = q.MaxKeys,
            IsTruncated = page.IsTruncated,
            EncodingType = q.UrlEncoded ? "url" : null,
        };
        if (v2)
        {
            result.ContinuationToken = token;
            result.NextContinuationToken = page.NextContinuationToken;
            result.StartAfter = startAfter;
            result.KeyCount = page.KeyCount;
        }
        else
        {
            result.Marker = marker ?? string.Empty;
            if (page.NextMarker is { } next) result.NextMarker = Encoding.UTF8.GetString(next.Span);
        }
        // V1 always lists the owner; V2 only with fetch-owner=true.
        bool owner = !v2 || q.FetchOwner;
        // The bucket owner stands for every object's owner: an index entry does not carry the object's ACL (objects
        // another user wrote name their own owner in GetObjectAcl).
        var listOwner = owner ? bucketOwner : null;
        foreach (var entry in page.Contents)
        {
            result.Contents.Add(new ListedObject
            {
                Key = entry.GetKeyString(),
                LastModified = entry.LastModified,
                ETag = entry.ETag,
                Size = entry.Size,
                StorageClass = entry.StorageClass,
                Owner = listOwner,
                ChecksumAlgorithm = ChecksumAlgorithmName(entry),
                ChecksumType = ChecksumTypeName(entry),
            });
        }
        foreach (var p in page.CommonPrefixes) result.CommonPrefixes.Add(Encoding.UTF8.GetString(p.Span));
        var body = new ArrayBufferWriter<byte>(512 + (page.KeyCount * 256));
        result.WriteTo(body);
        return body;
    }

    /// <summary>A listed entry's checksum algorithm as S3 names it; null without one.</summary>
    private static string? ChecksumAlgorithmName(IndexEntry entry) =>
        entry.ChecksumAlgorithm == ChecksumAlgorithm.None ? null : entry.ChecksumAlgorithm.GetS3Name();

    /// <summary>A listed entry's checksum type (FULL_OBJECT, COMPOSITE); null without a checksum.</summary>
    private static string? ChecksumTypeName(IndexEntry entry) => entry.ChecksumType switch
    {
        ObjectChecksumType.FullObject => "FULL_OBJECT",
        ObjectChecksumType.Composite => "COMPOSITE",
        _ => null,
    };
}
