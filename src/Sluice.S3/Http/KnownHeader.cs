namespace Sluice.S3.Http;

/// <summary>Header fields the S3 data path looks at, recognised case-insensitively without allocating
/// (see <see cref="KnownHeaders.Lookup"/>). Everything else, including x-amz-meta-*, is <see cref="Unknown"/>.</summary>
public enum KnownHeader : byte
{
    /// <summary>Not in the table: use the raw name.</summary>
    Unknown = 0,
    /// <summary>Host</summary>
    Host,
    /// <summary>Content-Length</summary>
    ContentLength,
    /// <summary>Content-Type</summary>
    ContentType,
    /// <summary>Content-MD5</summary>
    ContentMD5,
    /// <summary>Transfer-Encoding</summary>
    TransferEncoding,
    /// <summary>Connection</summary>
    Connection,
    /// <summary>Keep-Alive</summary>
    KeepAlive,
    /// <summary>Expect</summary>
    Expect,
    /// <summary>Authorization</summary>
    Authorization,
    /// <summary>Date</summary>
    Date,
    /// <summary>Range</summary>
    Range,
    /// <summary>If-Match</summary>
    IfMatch,
    /// <summary>If-None-Match</summary>
    IfNoneMatch,
    /// <summary>If-Modified-Since</summary>
    IfModifiedSince,
    /// <summary>If-Unmodified-Since</summary>
    IfUnmodifiedSince,
    /// <summary>Content-Encoding</summary>
    ContentEncoding,
    /// <summary>Content-Disposition</summary>
    ContentDisposition,
    /// <summary>Content-Language</summary>
    ContentLanguage,
    /// <summary>Cache-Control</summary>
    CacheControl,
    /// <summary>Expires</summary>
    Expires,
    /// <summary>ETag</summary>
    ETag,
    /// <summary>Last-Modified</summary>
    LastModified,
    /// <summary>Content-Range</summary>
    ContentRange,
    /// <summary>Accept-Ranges</summary>
    AcceptRanges,
    /// <summary>Location</summary>
    Location,
    /// <summary>Server</summary>
    Server,
    /// <summary>User-Agent</summary>
    UserAgent,
    /// <summary>Accept</summary>
    Accept,
    /// <summary>Accept-Encoding</summary>
    AcceptEncoding,
    /// <summary>TE</summary>
    Te,
    /// <summary>Trailer</summary>
    Trailer,
    /// <summary>Upgrade</summary>
    Upgrade,
    /// <summary>Retry-After</summary>
    RetryAfter,
    /// <summary>x-amz-date</summary>
    XAmzDate,
    /// <summary>x-amz-content-sha256</summary>
    XAmzContentSha256,
    /// <summary>x-amz-decoded-content-length</summary>
    XAmzDecodedContentLength,
    /// <summary>x-amz-trailer</summary>
    XAmzTrailer,
    /// <summary>x-amz-security-token</summary>
    XAmzSecurityToken,
    /// <summary>x-amz-request-id</summary>
    XAmzRequestId,
    /// <summary>x-amz-id-2</summary>
    XAmzId2,
    /// <summary>x-amz-copy-source</summary>
    XAmzCopySource,
    /// <summary>x-amz-copy-source-range</summary>
    XAmzCopySourceRange,
    /// <summary>x-amz-copy-source-if-match</summary>
    XAmzCopySourceIfMatch,
    /// <summary>x-amz-copy-source-if-none-match</summary>
    XAmzCopySourceIfNoneMatch,
    /// <summary>x-amz-copy-source-if-modified-since</summary>
    XAmzCopySourceIfModifiedSince,
    /// <summary>x-amz-copy-source-if-unmodified-since</summary>
    XAmzCopySourceIfUnmodifiedSince,
    /// <summary>x-amz-copy-source-version-id</summary>
    XAmzCopySourceVersionId,
    /// <summary>x-amz-metadata-directive</summary>
    XAmzMetadataDirective,
    /// <summary>x-amz-tagging-directive</summary>
    XAmzTaggingDirective,
    /// <summary>x-amz-storage-class</summary>
    XAmzStorageClass,
    /// <summary>x-amz-checksum-crc32</summary>
    XAmzChecksumCrc32,
    /// <summary>x-amz-checksum-crc32c</summary>
    XAmzChecksumCrc32C,
    /// <summary>x-amz-checksum-crc64nvme</summary>
    XAmzChecksumCrc64Nvme,
    /// <summary>x-amz-checksum-sha1</summary>
    XAmzChecksumSha1,
    /// <summary>x-amz-checksum-sha256</summary>
    XAmzChecksumSha256,
    /// <summary>x-amz-checksum-md5</summary>
    XAmzChecksumMd5,
    /// <summary>x-amz-checksum-sha512</summary>
    XAmzChecksumSha512,
    /// <summary>x-amz-checksum-xxhash64</summary>
    XAmzChecksumXxHash64,
    /// <summary>x-amz-checksum-xxhash3</summary>
    XAmzChecksumXxHash3,
    /// <summary>x-amz-checksum-xxhash128</summary>
    XAmzChecksumXxHash128,
    /// <summary>x-amz-checksum-type</summary>
    XAmzChecksumType,
    /// <summary>x-amz-checksum-mode</summary>
    XAmzChecksumMode,
    /// <summary>x-amz-checksum-algorithm</summary>
    XAmzChecksumAlgorithm,
    /// <summary>x-amz-sdk-checksum-algorithm</summary>
    XAmzSdkChecksumAlgorithm,
    /// <summary>x-amz-rdma-token</summary>
    XAmzRdmaToken,
    /// <summary>x-amz-version-id</summary>
    XAmzVersionId,
    /// <summary>x-amz-delete-marker</summary>
    XAmzDeleteMarker,
    /// <summary>x-amz-mp-parts-count</summary>
    XAmzMpPartsCount,
    /// <summary>x-amz-server-side-encryption</summary>
    XAmzServerSideEncryption,
    /// <summary>x-amz-tagging</summary>
    XAmzTagging,
    /// <summary>x-amz-tagging-count</summary>
    XAmzTaggingCount,
    /// <summary>x-amz-acl</summary>
    XAmzAcl,
    /// <summary>x-amz-expected-bucket-owner</summary>
    XAmzExpectedBucketOwner,
    /// <summary>x-amz-request-payer</summary>
    XAmzRequestPayer,
    /// <summary>x-amz-user-agent</summary>
    XAmzUserAgent,
    /// <summary>x-amz-website-redirect-location</summary>
    XAmzWebsiteRedirectLocation,
    /// <summary>x-amz-object-size</summary>
    XAmzObjectSize,
    /// <summary>x-amz-write-offset-bytes</summary>
    XAmzWriteOffsetBytes,
    /// <summary>x-amz-bucket-region</summary>
    XAmzBucketRegion,
    /// <summary>x-amz-rdma-reply (S3 over RDMA: the status of a placed answer, or 501 for a decline)</summary>
    XAmzRdmaReply,
    /// <summary>x-amz-rdma-bytes-transferred (S3 over RDMA: bytes a GET placed)</summary>
    XAmzRdmaBytesTransferred,
    /// <summary>Origin (a browser's cross-origin request)</summary>
    Origin,
    /// <summary>Access-Control-Request-Method (a CORS preflight)</summary>
    AccessControlRequestMethod,
    /// <summary>Access-Control-Request-Headers (a CORS preflight)</summary>
    AccessControlRequestHeaders,
}
