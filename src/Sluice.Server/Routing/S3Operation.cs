namespace Sluice.Server.Routing;

/// <summary>The S3 operations the server answers. A request that names anything else never gets one of these: the
/// router refuses it (NotImplemented, MethodNotAllowed, InvalidArgument) instead.</summary>
public enum S3Operation
{
    /// <summary>Not classified (the route failed).</summary>
    None = 0,
    /// <summary>GET /</summary>
    ListBuckets,
    /// <summary>PUT /bucket</summary>
    CreateBucket,
    /// <summary>HEAD /bucket</summary>
    HeadBucket,
    /// <summary>DELETE /bucket</summary>
    DeleteBucket,
    /// <summary>GET /bucket?location</summary>
    GetBucketLocation,
    /// <summary>GET /bucket?list-type=2</summary>
    ListObjectsV2,
    /// <summary>GET /bucket</summary>
    ListObjects,
    /// <summary>GET /bucket?uploads</summary>
    ListMultipartUploads,
    /// <summary>POST /bucket?delete</summary>
    DeleteObjects,
    /// <summary>PUT /bucket/key</summary>
    PutObject,
    /// <summary>PUT /bucket/key with x-amz-copy-source</summary>
    CopyObject,
    /// <summary>GET /bucket/key</summary>
    GetObject,
    /// <summary>HEAD /bucket/key</summary>
    HeadObject,
    /// <summary>DELETE /bucket/key</summary>
    DeleteObject,
    /// <summary>GET /bucket/key?tagging</summary>
    GetObjectTagging,
    /// <summary>PUT /bucket/key?tagging</summary>
    PutObjectTagging,
    /// <summary>DELETE /bucket/key?tagging</summary>
    DeleteObjectTagging,
    /// <summary>POST /bucket/key?uploads</summary>
    CreateMultipartUpload,
    /// <summary>PUT /bucket/key?partNumber&amp;uploadId</summary>
    UploadPart,
    /// <summary>PUT /bucket/key?partNumber&amp;uploadId with x-amz-copy-source</summary>
    UploadPartCopy,
    /// <summary>POST /bucket/key?uploadId</summary>
    CompleteMultipartUpload,
    /// <summary>DELETE /bucket/key?uploadId</summary>
    AbortMultipartUpload,
    /// <summary>GET /bucket/key?uploadId</summary>
    ListParts,
    /// <summary>GET /bucket?versioning (an empty configuration while versioning was never set)</summary>
    GetBucketVersioning,
    /// <summary>PUT /bucket?versioning (Enabled or Suspended)</summary>
    PutBucketVersioning,
    /// <summary>GET /bucket?versions (every version and delete marker, newest first within a key)</summary>
    ListObjectVersions,
    /// <summary>GET /bucket?tagging</summary>
    GetBucketTagging,
    /// <summary>PUT /bucket?tagging</summary>
    PutBucketTagging,
    /// <summary>DELETE /bucket?tagging</summary>
    DeleteBucketTagging,
    /// <summary>GET /bucket/key?attributes</summary>
    GetObjectAttributes,
    /// <summary>GET /bucket?lifecycle</summary>
    GetBucketLifecycleConfiguration,
    /// <summary>PUT /bucket?lifecycle</summary>
    PutBucketLifecycleConfiguration,
    /// <summary>DELETE /bucket?lifecycle</summary>
    DeleteBucketLifecycle,
    /// <summary>GET /bucket?encryption</summary>
    GetBucketEncryption,
    /// <summary>PUT /bucket?encryption</summary>
    PutBucketEncryption,
    /// <summary>DELETE /bucket?encryption</summary>
    DeleteBucketEncryption,
    /// <summary>GET /bucket?policy</summary>
    GetBucketPolicy,
    /// <summary>PUT /bucket?policy</summary>
    PutBucketPolicy,
    /// <summary>DELETE /bucket?policy</summary>
    DeleteBucketPolicy,
    /// <summary>GET /bucket?policyStatus</summary>
    GetBucketPolicyStatus,
    /// <summary>GET /bucket?object-lock</summary>
    GetObjectLockConfiguration,
    /// <summary>PUT /bucket?object-lock</summary>
    PutObjectLockConfiguration,
    /// <summary>GET /bucket/key?retention</summary>
    GetObjectRetention,
    /// <summary>PUT /bucket/key?retention</summary>
    PutObjectRetention,
    /// <summary>GET /bucket/key?legal-hold</summary>
    GetObjectLegalHold,
    /// <summary>PUT /bucket/key?legal-hold</summary>
    PutObjectLegalHold,
    /// <summary>POST /bucket with a multipart/form-data body (a browser form upload)</summary>
    PostObject,
    /// <summary>GET /bucket?cors</summary>
    GetBucketCors,
    /// <summary>PUT /bucket?cors</summary>
    PutBucketCors,
    /// <summary>DELETE /bucket?cors</summary>
    DeleteBucketCors,
    /// <summary>OPTIONS on a bucket or an object (any query): a browser's CORS preflight, never signed.</summary>
    CorsPreflight,
    /// <summary>GET /bucket?acl</summary>
    GetBucketAcl,
    /// <summary>PUT /bucket?acl</summary>
    PutBucketAcl,
    /// <summary>GET /bucket/key?acl</summary>
    GetObjectAcl,
    /// <summary>PUT /bucket/key?acl</summary>
    PutObjectAcl,
    /// <summary>GET /bucket?publicAccessBlock</summary>
    GetPublicAccessBlock,
    /// <summary>PUT /bucket?publicAccessBlock</summary>
    PutPublicAccessBlock,
    /// <summary>DELETE /bucket?publicAccessBlock</summary>
    DeletePublicAccessBlock,
    /// <summary>GET /bucket?ownershipControls</summary>
    GetBucketOwnershipControls,
    /// <summary>PUT /bucket?ownershipControls</summary>
    PutBucketOwnershipControls,
    /// <summary>DELETE /bucket?ownershipControls</summary>
    DeleteBucketOwnershipControls,
    /// <summary>GET /bucket?sluice-partitions (Sluice's own, the administrator's): the key index's partition map as JSON</summary>
    GetBucketPartitions,
}
