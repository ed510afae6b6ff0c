namespace Sluice.Server.Routing;

/// <summary>Query parameters the S3 operations read (names as S3 spells them, matched case-sensitively as S3
/// does).</summary>
public enum S3QueryParameter
{
    /// <summary>list-type</summary>
    ListType,
    /// <summary>prefix</summary>
    Prefix,
    /// <summary>delimiter</summary>
    Delimiter,
    /// <summary>max-keys</summary>
    MaxKeys,
    /// <summary>continuation-token</summary>
    ContinuationToken,
    /// <summary>start-after</summary>
    StartAfter,
    /// <summary>marker</summary>
    Marker,
    /// <summary>encoding-type</summary>
    EncodingType,
    /// <summary>fetch-owner</summary>
    FetchOwner,
    /// <summary>partNumber</summary>
    PartNumber,
    /// <summary>uploadId</summary>
    UploadId,
    /// <summary>part-number-marker</summary>
    PartNumberMarker,
    /// <summary>max-parts</summary>
    MaxParts,
    /// <summary>key-marker</summary>
    KeyMarker,
    /// <summary>upload-id-marker</summary>
    UploadIdMarker,
    /// <summary>max-uploads</summary>
    MaxUploads,
    /// <summary>versionId</summary>
    VersionId,
    /// <summary>response-content-type</summary>
    ResponseContentType,
    /// <summary>response-content-language</summary>
    ResponseContentLanguage,
    /// <summary>response-expires</summary>
    ResponseExpires,
    /// <summary>response-cache-control</summary>
    ResponseCacheControl,
    /// <summary>response-content-disposition</summary>
    ResponseContentDisposition,
    /// <summary>response-content-encoding</summary>
    ResponseContentEncoding,
    /// <summary>version-id-marker</summary>
    VersionIdMarker,
    /// <summary>max-buckets (paginated ListBuckets)</summary>
    MaxBuckets,
    /// <summary>bucket-region (ListBuckets filter)</summary>
    BucketRegion,
}
