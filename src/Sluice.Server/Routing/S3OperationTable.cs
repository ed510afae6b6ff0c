using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Exchange;
using Sluice.Server.Handlers;
using Sluice.Server.Access;
using Sluice.Server.Semantics;

namespace Sluice.Server.Routing;

/// <summary>What a request addresses: the service (no bucket), a bucket (no key) or an object.</summary>
internal enum S3ResourceLevel : byte
{
    Service = 0,
    Bucket = 1,
    Object = 2,
}

/// <summary>Serves one operation once routed and authenticated.</summary>
internal delegate ValueTask S3OperationHandler(S3RequestHandler handler, S3Exchange exchange, RequestContext context, SigV4AuthResult auth);

/// <summary>Picks a row among those declared for the same level, method, selector and copy source.</summary>
internal delegate bool S3OperationMatch(S3Query query);

/// <summary>Refuses a request the row would otherwise take (<c>default</c>: take it).</summary>
internal delegate S3Problem S3OperationCheck(S3Query query, bool partNumberReads);

/// <summary>
/// One row of <see cref="S3OperationTable"/>: the REST form of an operation (resource level, method, subresource
/// selector, whether x-amz-copy-source selects it) and its handler.
/// </summary>
/// <param name="Operation">The operation the route carries; <see cref="S3Operation.None"/> for a form that is
/// recognised only to be refused by <see cref="Check"/>.</param>
/// <param name="Level">The resource the path names.</param>
/// <param name="Method">The request method.</param>
/// <param name="Selector">The subresource query key (an <see cref="S3Subresources"/> name), or null for none.</param>
/// <param name="CopySource">True: taken only with x-amz-copy-source, and its sibling without the flag only without
/// it. A row with no copy-source sibling ignores the header.</param>
/// <param name="Handler">Serves the operation; null for a row that only refuses.</param>
internal sealed record S3OperationInfo(S3Operation Operation, S3ResourceLevel Level, KnownMethod Method, string? Selector,
    bool CopySource, S3OperationHandler? Handler)
{
    /// <summary>The S3 API name (as logs and metrics name the operation).</summary>
    public string Name { get; init; } = Operation.ToString();

    /// <summary>Null: the row always matches; otherwise rows sharing a slot are tried in table order.</summary>
    public S3OperationMatch? When { get; init; }

    /// <summary>Null: nothing to refuse; otherwise the row's problem (InvalidArgument, NotImplemented...).</summary>
    public S3OperationCheck? Check { get; init; }

    /// <summary>Null: the operation reads no query parameter; otherwise checks and types them (in the route's
    /// <see cref="S3Query"/>) once the names are valid.</summary>
    public S3OperationCheck? Parameters { get; init; }

    /// <summary>True when S3 has other operations on this selector that Sluice does not serve: another method with
    /// it answers 501 NotImplemented (as an unimplemented subresource) instead of 405 MethodNotAllowed.</summary>
    public bool SharedSelector { get; init; }

    /// <summary>The IAM action a policy names the operation by (AWS's "Actions, resources, and condition keys for Amazon
    /// S3"); by default "s3:" and the operation's name, which is right for most bucket configuration operations.</summary>
    public string Action { get; init; } = "s3:" + Operation;

    /// <summary>The action when the request names a version (<c>?versionId=</c>): s3:GetObjectVersion...; null: the same.</summary>
    public string? VersionAction { get; init; }

    /// <summary>What the operation needs in S3's ACL model (the authorization stage's input beside the policy);
    /// undeclared: the bucket owner only.</summary>
    public Access.AccessRight Access { get; init; }

    /// <summary>True: answered before authentication (and any stage after it) — the CORS preflight, which browsers
    /// send without credentials, whatever the actual request will carry.</summary>
    public bool Unauthenticated { get; init; }

    /// <summary>The feature headers (encryption, object lock, ACLs, tags...) the operation takes, which
    /// <see cref="UnsupportedFeatureRules"/> refuses while the server lacks the feature; None: no such header applies.</summary>
    public FeatureHeaderScope Headers { get; init; }
}

/// <summary>
/// The operation table: every S3 operation the server answers, one row each. <see cref="S3Router"/> classifies a
/// request by looking up (level, method, selector, copy source) here and <see cref="S3RequestHandler"/> dispatches
/// to the row's handler, so adding an operation is a <see cref="S3Operation"/> member, a row below and its handler
/// method (its query parameters, if it reads any, are a row's <see cref="S3OperationInfo.Parameters"/> over an
/// <see cref="S3Query"/> method). Lookups are precomputed
/// arrays built at type initialisation: routing and dispatch allocate nothing.
/// </summary>
internal static class S3OperationTable
{
    private const string Uploads = "uploads";
    private const string UploadId = "uploadId";

    /// <summary>The rows, in the order candidates sharing a slot are tried.</summary>
    public static readonly S3OperationInfo[] Rows =
    [
        // Service
        new(S3Operation.ListBuckets, S3ResourceLevel.Service, KnownMethod.Get, null, false, static (h, x, c, _) => h.ListBucketsAsync(x, c))
        {
            Action = "s3:ListAllMyBuckets",
            Access = AccessRight.Authenticated,
            Parameters = static (q, _) => q.ValidateListBuckets(),
        },

        // Bucket
        new(S3Operation.CreateBucket, S3ResourceLevel.Bucket, KnownMethod.Put, null, false, static (h, x, c, a) => h.CreateBucketAsync(x, c, a))
        {
            Action = "s3:CreateBucket",
            Access = AccessRight.Authenticated,
            Headers = FeatureHeaderScope.BucketCreate,
        },
        new(S3Operation.HeadBucket, S3ResourceLevel.Bucket, KnownMethod.Head, null, false, static (h, x, c, _) => h.HeadBucketAsync(x, c))
        {
            Action = "s3:ListBucket",
            Access = AccessRight.BucketRead,
        },
        new(S3Operation.DeleteBucket, S3ResourceLevel.Bucket, KnownMethod.Delete, null, false, static (h, x, c, _) => h.DeleteBucketAsync(x, c))
        {
            Action = "s3:DeleteBucket",
            Access = AccessRight.BucketOwner,
        },
        // Only list-type=2 selects V2; any other value (or none) is V1, as on AWS.
        new(S3Operation.ListObjectsV2, S3ResourceLevel.Bucket, KnownMethod.Get, null, false, static (h, x, c, _) => h.ListObjectsAsync(x, c, v2: true))
        {
            Action = "s3:ListBucket",
            Access = AccessRight.BucketRead,
            Parameters = static (q, _) => q.ValidateListObjects(v2: true),
            When = static q => q.Get(S3QueryParameter.ListType).SequenceEqual("2"u8),
        },
        new(S3Operation.ListObjects, S3ResourceLevel.Bucket, KnownMethod.Get, null, false, static (h, x, c, _) => h.ListObjectsAsync(x, c, v2: false))
        {
            Action = "s3:ListBucket",
            Access = AccessRight.BucketRead,
            Parameters = static (q, _) => q.ValidateListObjects(v2: false),
        },
        new(S3Operation.GetBucketLocation, S3ResourceLevel.Bucket, KnownMethod.Get, "location", false, static (h, x, c, _) => h.GetBucketLocationAsync(x, c))
        {
            Action = "s3:GetBucketLocation",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.ListMultipartUploads, S3ResourceLevel.Bucket, KnownMethod.Get, Uploads, false, static (h, x, c, _) => h.ListMultipartUploadsAsync(x, c))
        {
            Action = "s3:ListBucketMultipartUploads",
            Access = AccessRight.BucketRead,
            Parameters = static (q, _) => q.ValidateListMultipartUploads(),
        },
        new(S3Operation.DeleteObjects, S3ResourceLevel.Bucket, KnownMethod.Post, "delete", false, static (h, x, c, a) => h.DeleteObjectsAsync(x, c, a))
        {
            Action = "s3:DeleteObject",
            Access = AccessRight.BucketWrite,
        },
        new(S3Operation.GetBucketVersioning, S3ResourceLevel.Bucket, KnownMethod.Get, "versioning", false, static (h, x, c, _) => h.GetBucketVersioningAsync(x, c))
        {
            Action = "s3:GetBucketVersioning",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutBucketVersioning, S3ResourceLevel.Bucket, KnownMethod.Put, "versioning", false, static (h, x, c, a) => h.PutBucketVersioningAsync(x, c, a))
        {
            Action = "s3:PutBucketVersioning",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.ListObjectVersions, S3ResourceLevel.Bucket, KnownMethod.Get, "versions", false, static (h, x, c, _) => h.ListObjectVersionsAsync(x, c))
        {
            Action = "s3:ListBucketVersions",
            Access = AccessRight.BucketRead,
            Parameters = static (q, _) => q.ValidateListObjectVersions(),
        },
        new(S3Operation.GetBucketTagging, S3ResourceLevel.Bucket, KnownMethod.Get, "tagging", false, static (h, x, c, _) => h.GetBucketTaggingAsync(x, c))
        {
            Action = "s3:GetBucketTagging",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutBucketTagging, S3ResourceLevel.Bucket, KnownMethod.Put, "tagging", false, static (h, x, c, a) => h.PutBucketTaggingAsync(x, c, a))
        {
            Action = "s3:PutBucketTagging",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.DeleteBucketTagging, S3ResourceLevel.Bucket, KnownMethod.Delete, "tagging", false, static (h, x, c, _) => h.DeleteBucketTaggingAsync(x, c))
        {
            Action = "s3:PutBucketTagging",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetBucketLifecycleConfiguration, S3ResourceLevel.Bucket, KnownMethod.Get, "lifecycle", false, static (h, x, c, _) => h.GetBucketLifecycleAsync(x, c))
        {
            Action = "s3:GetLifecycleConfiguration",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutBucketLifecycleConfiguration, S3ResourceLevel.Bucket, KnownMethod.Put, "lifecycle", false, static (h, x, c, a) => h.PutBucketLifecycleAsync(x, c, a))
        {
            Action = "s3:PutLifecycleConfiguration",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.DeleteBucketLifecycle, S3ResourceLevel.Bucket, KnownMethod.Delete, "lifecycle", false, static (h, x, c, _) => h.DeleteBucketLifecycleAsync(x, c))
        {
            Action = "s3:PutLifecycleConfiguration",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetBucketEncryption, S3ResourceLevel.Bucket, KnownMethod.Get, "encryption", false, static (h, x, c, _) => h.GetBucketEncryptionAsync(x, c))
        {
            Action = "s3:GetEncryptionConfiguration",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutBucketEncryption, S3ResourceLevel.Bucket, KnownMethod.Put, "encryption", false, static (h, x, c, a) => h.PutBucketEncryptionAsync(x, c, a))
        {
            Action = "s3:PutEncryptionConfiguration",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.DeleteBucketEncryption, S3ResourceLevel.Bucket, KnownMethod.Delete, "encryption", false, static (h, x, c, _) => h.DeleteBucketEncryptionAsync(x, c))
        {
            Action = "s3:PutEncryptionConfiguration",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetBucketAcl, S3ResourceLevel.Bucket, KnownMethod.Get, "acl", false, static (h, x, c, _) => h.GetBucketAclAsync(x, c))
        {
            Action = "s3:GetBucketAcl",
            Access = AccessRight.BucketReadAcp,
        },
        new(S3Operation.PutBucketAcl, S3ResourceLevel.Bucket, KnownMethod.Put, "acl", false, static (h, x, c, a) => h.PutBucketAclAsync(x, c, a))
        {
            Action = "s3:PutBucketAcl",
            Access = AccessRight.BucketWriteAcp,
        },
        // POST on a bucket is the browser form upload.
        new(S3Operation.GetBucketPolicy, S3ResourceLevel.Bucket, KnownMethod.Get, "policy", false, static (h, x, c, _) => h.GetBucketPolicyAsync(x, c))
        {
            Action = "s3:GetBucketPolicy",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutBucketPolicy, S3ResourceLevel.Bucket, KnownMethod.Put, "policy", false, static (h, x, c, a) => h.PutBucketPolicyAsync(x, c, a))
        {
            Action = "s3:PutBucketPolicy",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.DeleteBucketPolicy, S3ResourceLevel.Bucket, KnownMethod.Delete, "policy", false, static (h, x, c, _) => h.DeleteBucketPolicyAsync(x, c))
        {
            Action = "s3:DeleteBucketPolicy",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetBucketPolicyStatus, S3ResourceLevel.Bucket, KnownMethod.Get, "policyStatus", false, static (h, x, c, _) => h.GetBucketPolicyStatusAsync(x, c))
        {
            Action = "s3:GetBucketPolicyStatus",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetPublicAccessBlock, S3ResourceLevel.Bucket, KnownMethod.Get, "publicAccessBlock", false, static (h, x, c, _) => h.GetPublicAccessBlockAsync(x, c))
        {
            Action = "s3:GetBucketPublicAccessBlock",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutPublicAccessBlock, S3ResourceLevel.Bucket, KnownMethod.Put, "publicAccessBlock", false, static (h, x, c, a) => h.PutPublicAccessBlockAsync(x, c, a))
        {
            Action = "s3:PutBucketPublicAccessBlock",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.DeletePublicAccessBlock, S3ResourceLevel.Bucket, KnownMethod.Delete, "publicAccessBlock", false, static (h, x, c, _) => h.DeletePublicAccessBlockAsync(x, c))
        {
            // AWS names no separate delete action: DeletePublicAccessBlock needs s3:PutBucketPublicAccessBlock.
            Action = "s3:PutBucketPublicAccessBlock",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetBucketOwnershipControls, S3ResourceLevel.Bucket, KnownMethod.Get, "ownershipControls", false, static (h, x, c, _) => h.GetBucketOwnershipControlsAsync(x, c))
        {
            Action = "s3:GetBucketOwnershipControls",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutBucketOwnershipControls, S3ResourceLevel.Bucket, KnownMethod.Put, "ownershipControls", false, static (h, x, c, a) => h.PutBucketOwnershipControlsAsync(x, c, a))
        {
            Action = "s3:PutBucketOwnershipControls",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.DeleteBucketOwnershipControls, S3ResourceLevel.Bucket, KnownMethod.Delete, "ownershipControls", false, static (h, x, c, _) => h.DeleteBucketOwnershipControlsAsync(x, c))
        {
            // AWS names no separate delete action: DeleteBucketOwnershipControls needs s3:PutBucketOwnershipControls.
            Action = "s3:PutBucketOwnershipControls",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetObjectLockConfiguration, S3ResourceLevel.Bucket, KnownMethod.Get, "object-lock", false, static (h, x, c, _) => h.GetObjectLockConfigurationAsync(x, c))
        {
            Action = "s3:GetBucketObjectLockConfiguration",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutObjectLockConfiguration, S3ResourceLevel.Bucket, KnownMethod.Put, "object-lock", false, static (h, x, c, a) => h.PutObjectLockConfigurationAsync(x, c, a))
        {
            Action = "s3:PutBucketObjectLockConfiguration",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetBucketCors, S3ResourceLevel.Bucket, KnownMethod.Get, "cors", false, static (h, x, c, _) => h.GetBucketCorsAsync(x, c))
        {
            Action = "s3:GetBucketCORS",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutBucketCors, S3ResourceLevel.Bucket, KnownMethod.Put, "cors", false, static (h, x, c, a) => h.PutBucketCorsAsync(x, c, a))
        {
            Action = "s3:PutBucketCORS",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.DeleteBucketCors, S3ResourceLevel.Bucket, KnownMethod.Delete, "cors", false, static (h, x, c, _) => h.DeleteBucketCorsAsync(x, c))
        {
            Action = "s3:PutBucketCORS",
            Access = AccessRight.BucketOwner,
        },
        // Sluice's own, not S3's: the administrator's view of the bucket's key-index partitions (S3RequestHandler.Partitions.cs).
        new(S3Operation.GetBucketPartitions, S3ResourceLevel.Bucket, KnownMethod.Get, "sluice-partitions", false, static (h, x, c, _) => h.GetBucketPartitionsAsync(x, c))
        {
            Action = "sluice:GetBucketPartitions",
            Access = AccessRight.BucketOwner,
        },
        // The router sends every OPTIONS here, at any level and with any query (a preflight names the actual request's
        // resource): it is answered from the bucket's CORS rules alone, before and without authentication.
        new(S3Operation.CorsPreflight, S3ResourceLevel.Object, KnownMethod.Options, null, false, static (h, x, c, _) => h.PreflightAsync(x, c))
        {
            Unauthenticated = true,
        },
        // POST on a bucket is the browser form upload, judged for the form's signer by PostObjectAsync.
        new(S3Operation.PostObject, S3ResourceLevel.Bucket, KnownMethod.Post, null, false, static (h, x, c, a) => h.PostObjectAsync(x, c, a))
        {
            Action = "s3:PutObject",
            Access = AccessRight.BucketWrite,
        },

        // Object
        new(S3Operation.PutObject, S3ResourceLevel.Object, KnownMethod.Put, null, false, static (h, x, c, a) => h.PutObjectAsync(x, c, a))
        {
            Action = "s3:PutObject",
            Access = AccessRight.BucketWrite,
            Headers = FeatureHeaderScope.ObjectWrite,
            Check = PartNumberWithoutUploadId,
        },
        new(S3Operation.CopyObject, S3ResourceLevel.Object, KnownMethod.Put, null, true, static (h, x, c, _) => h.CopyObjectAsync(x, c))
        {
            Action = "s3:PutObject",
            Access = AccessRight.BucketWrite,
            Headers = FeatureHeaderScope.ObjectCopy,
            Check = PartNumberWithoutUploadId,
        },
        new(S3Operation.GetObject, S3ResourceLevel.Object, KnownMethod.Get, null, false, static (h, x, c, _) => h.GetObjectAsync(x, c, head: false))
        {
            Action = "s3:GetObject",
            VersionAction = "s3:GetObjectVersion",
            Access = AccessRight.ObjectRead,
            Headers = FeatureHeaderScope.ObjectRead,
            Check = PartNumberRead,
            Parameters = static (q, partNumberReads) => q.ValidateObjectRead(partNumberReads),
        },
        new(S3Operation.HeadObject, S3ResourceLevel.Object, KnownMethod.Head, null, false, static (h, x, c, _) => h.GetObjectAsync(x, c, head: true))
        {
            Action = "s3:GetObject",
            VersionAction = "s3:GetObjectVersion",
            Access = AccessRight.ObjectRead,
            Headers = FeatureHeaderScope.ObjectRead,
            Check = PartNumberRead,
            Parameters = static (q, partNumberReads) => q.ValidateObjectRead(partNumberReads),
        },
        new(S3Operation.DeleteObject, S3ResourceLevel.Object, KnownMethod.Delete, null, false, static (h, x, c, _) => h.DeleteObjectAsync(x, c))
        {
            Action = "s3:DeleteObject",
            VersionAction = "s3:DeleteObjectVersion",
            Access = AccessRight.BucketWrite,
        },
        new(S3Operation.GetObjectAttributes, S3ResourceLevel.Object, KnownMethod.Get, "attributes", false, static (h, x, c, _) => h.GetObjectAttributesAsync(x, c))
        {
            Action = "s3:GetObjectAttributes",
            VersionAction = "s3:GetObjectVersionAttributes",
            Access = AccessRight.ObjectRead,
        },
        new(S3Operation.GetObjectTagging, S3ResourceLevel.Object, KnownMethod.Get, "tagging", false, static (h, x, c, _) => h.GetObjectTaggingAsync(x, c))
        {
            Action = "s3:GetObjectTagging",
            VersionAction = "s3:GetObjectVersionTagging",
            Access = AccessRight.ObjectOwner,
        },
        new(S3Operation.PutObjectTagging, S3ResourceLevel.Object, KnownMethod.Put, "tagging", false, static (h, x, c, a) => h.PutObjectTaggingAsync(x, c, a))
        {
            Action = "s3:PutObjectTagging",
            VersionAction = "s3:PutObjectVersionTagging",
            Access = AccessRight.ObjectOwner,
        },
        new(S3Operation.DeleteObjectTagging, S3ResourceLevel.Object, KnownMethod.Delete, "tagging", false, static (h, x, c, _) => h.DeleteObjectTaggingAsync(x, c))
        {
            Action = "s3:DeleteObjectTagging",
            VersionAction = "s3:DeleteObjectVersionTagging",
            Access = AccessRight.ObjectOwner,
        },
        new(S3Operation.GetObjectAcl, S3ResourceLevel.Object, KnownMethod.Get, "acl", false, static (h, x, c, _) => h.GetObjectAclAsync(x, c))
        {
            Action = "s3:GetObjectAcl",
            VersionAction = "s3:GetObjectVersionAcl",
            Access = AccessRight.ObjectReadAcp,
        },
        new(S3Operation.PutObjectAcl, S3ResourceLevel.Object, KnownMethod.Put, "acl", false, static (h, x, c, a) => h.PutObjectAclAsync(x, c, a))
        {
            Action = "s3:PutObjectAcl",
            VersionAction = "s3:PutObjectVersionAcl",
            Access = AccessRight.ObjectWriteAcp,
        },
        new(S3Operation.GetObjectRetention, S3ResourceLevel.Object, KnownMethod.Get, "retention", false, static (h, x, c, _) => h.GetObjectRetentionAsync(x, c))
        {
            Action = "s3:GetObjectRetention",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutObjectRetention, S3ResourceLevel.Object, KnownMethod.Put, "retention", false, static (h, x, c, a) => h.PutObjectRetentionAsync(x, c, a))
        {
            Action = "s3:PutObjectRetention",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.GetObjectLegalHold, S3ResourceLevel.Object, KnownMethod.Get, "legal-hold", false, static (h, x, c, _) => h.GetObjectLegalHoldAsync(x, c))
        {
            Action = "s3:GetObjectLegalHold",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.PutObjectLegalHold, S3ResourceLevel.Object, KnownMethod.Put, "legal-hold", false, static (h, x, c, a) => h.PutObjectLegalHoldAsync(x, c, a))
        {
            Action = "s3:PutObjectLegalHold",
            Access = AccessRight.BucketOwner,
        },
        new(S3Operation.CreateMultipartUpload, S3ResourceLevel.Object, KnownMethod.Post, Uploads, false, static (h, x, c, _) => h.CreateMultipartUploadAsync(x, c))
        {
            Action = "s3:PutObject",
            Access = AccessRight.BucketWrite,
            Headers = FeatureHeaderScope.ObjectWrite,
        },
        new(S3Operation.UploadPart, S3ResourceLevel.Object, KnownMethod.Put, UploadId, false, static (h, x, c, a) => h.UploadPartAsync(x, c, a))
        {
            Action = "s3:PutObject",
            Access = AccessRight.BucketWrite,
            Headers = FeatureHeaderScope.Part,
            Check = PartNumberRequired,
            Parameters = static (q, _) => q.ParsePartNumber(),
        },
        new(S3Operation.UploadPartCopy, S3ResourceLevel.Object, KnownMethod.Put, UploadId, true, static (h, x, c, _) => h.UploadPartCopyAsync(x, c))
        {
            Action = "s3:PutObject",
            Access = AccessRight.BucketWrite,
            Headers = FeatureHeaderScope.PartCopy,
            Check = PartNumberRequired,
            Parameters = static (q, _) => q.ParsePartNumber(),
        },
        new(S3Operation.CompleteMultipartUpload, S3ResourceLevel.Object, KnownMethod.Post, UploadId, false, static (h, x, c, a) => h.CompleteMultipartUploadAsync(x, c, a))
        {
            Action = "s3:PutObject",
            Access = AccessRight.BucketWrite,
            Headers = FeatureHeaderScope.Part,
        },
        new(S3Operation.AbortMultipartUpload, S3ResourceLevel.Object, KnownMethod.Delete, UploadId, false, static (h, x, c, _) => h.AbortMultipartUploadAsync(x, c))
        {
            Action = "s3:AbortMultipartUpload",
            Access = AccessRight.BucketWrite,
        },
        new(S3Operation.ListParts, S3ResourceLevel.Object, KnownMethod.Get, UploadId, false, static (h, x, c, _) => h.ListPartsAsync(x, c))
        {
            Action = "s3:ListMultipartUploadParts",
            Access = AccessRight.BucketWrite,
            Parameters = static (q, _) => q.ValidateListParts(),
        },
    ];

    private const int LevelCount = 3;
    private static readonly int MethodCount = Enum.GetValues<KnownMethod>().Length;
    private static readonly int SlotCount = S3Subresources.Table.Length + 1; // slot 0: no selector

    /// <summary>Candidate rows by <see cref="SlotOf"/>; null: no row.</summary>
    private static readonly S3OperationInfo[]?[] Slots = BuildSlots();

    /// <summary>By level and selector slot: some row of the level names the selector for all its methods.</summary>
    private static readonly bool[] ClaimedSelectors = BuildClaimedSelectors();

    /// <summary>By level and method: some row of the level takes the method.</summary>
    private static readonly bool[] Methods = BuildMethods();

    /// <summary>Rows by <see cref="S3Operation"/> value.</summary>
    private static readonly S3OperationInfo?[] ByOperation = BuildByOperation();

    /// <summary>The rows a request may take, in table order; null when none.</summary>
    public static S3OperationInfo[]? Candidates(S3ResourceLevel level, KnownMethod method, int selector, bool hasCopySource) =>
        Slots[SlotOf(level, method, selector, hasCopySource)];

    /// <summary>True when a row of <paramref name="level"/> takes <paramref name="method"/>.</summary>
    public static bool TakesMethod(S3ResourceLevel level, KnownMethod method) => Methods[((int)level * MethodCount) + (int)method];

    /// <summary>True when <paramref name="selector"/> (an <see cref="S3Subresources"/> index) is served at
    /// <paramref name="level"/>, so a method without a row is 405 rather than an unimplemented subresource.</summary>
    public static bool ClaimsSelector(S3ResourceLevel level, int selector) => ClaimedSelectors[((int)level * SlotCount) + selector + 1];

    /// <summary>The row of <paramref name="operation"/>, or null.</summary>
    public static S3OperationInfo? Of(S3Operation operation) =>
        (uint)operation < (uint)ByOperation.Length ? ByOperation[(int)operation] : null;

    private static int SlotOf(S3ResourceLevel level, KnownMethod method, int selector, bool copySource) =>
        (((((int)level * MethodCount) + (int)method) * SlotCount) + selector + 1) * 2 + (copySource ? 1 : 0);

    private static int SelectorOf(S3OperationInfo row)
    {
        if (row.Selector == null)
        {
            return -1;
        }

        int selector = S3Subresources.IndexOf(System.Text.Encoding.ASCII.GetBytes(row.Selector));
        byte scope = row.Level switch
        {
            S3ResourceLevel.Bucket => S3Subresources.Bucket,
            S3ResourceLevel.Object => S3Subresources.Object,
            _ => 0,
        };
        if (selector < 0 || (S3Subresources.Table[selector].Scope & scope) == 0)
        {
            throw new InvalidOperationException($"{row.Name}: '{row.Selector}' is not a {row.Level} subresource.");
        }

        return selector;
    }

    private static S3OperationInfo[]?[] BuildSlots()
    {
        var slots = new List<S3OperationInfo>?[LevelCount * MethodCount * SlotCount * 2];
        void Add(int slot, S3OperationInfo row) => (slots[slot] ??= []).Add(row);

        foreach (S3OperationInfo row in Rows)
        {
            if (row.CopySource)
            {
                Add(SlotOf(row.Level, row.Method, SelectorOf(row), copySource: true), row);
            }
        }

        foreach (S3OperationInfo row in Rows)
        {
            if (!row.CopySource)
            {
                int selector = SelectorOf(row);
                Add(SlotOf(row.Level, row.Method, selector, copySource: false), row);
                // Without a copy-source sibling the header does not change the operation.
                if (!Rows.Any(r => r.CopySource && r.Level == row.Level && r.Method == row.Method && r.Selector == row.Selector))
                {
                    Add(SlotOf(row.Level, row.Method, selector, copySource: true), row);
                }
            }
        }

        return Array.ConvertAll(slots, s => s?.ToArray());
    }

    private static bool[] BuildClaimedSelectors()
    {
        var claimed = new bool[LevelCount * SlotCount];
        foreach (S3OperationInfo row in Rows)
        {
            if (row.Selector != null && !row.SharedSelector)
            {
                claimed[((int)row.Level * SlotCount) + SelectorOf(row) + 1] = true;
            }
        }

        return claimed;
    }

    private static bool[] BuildMethods()
    {
        var methods = new bool[LevelCount * MethodCount];
        foreach (S3OperationInfo row in Rows)
        {
            methods[((int)row.Level * MethodCount) + (int)row.Method] = true;
        }

        return methods;
    }

    private static S3OperationInfo?[] BuildByOperation()
    {
        var byOperation = new S3OperationInfo?[Enum.GetValues<S3Operation>().Max(o => (int)o) + 1];
        foreach (S3OperationInfo row in Rows)
        {
            if (row.Operation == S3Operation.None)
            {
                continue;
            }

            if (byOperation[(int)row.Operation] != null)
            {
                throw new InvalidOperationException($"{row.Operation} has two rows.");
            }

            byOperation[(int)row.Operation] = row;
        }

        return byOperation;
    }

    // ---------------------------------------------------------------- checks shared by rows

    private static S3Problem PartNumberWithoutUploadId(S3Query q, bool partNumberReads) =>
        q.Has(S3QueryParameter.PartNumber)
            ? S3Problem.InvalidArgument("This operation does not accept partNumber without uploadId", "partNumber", q.Get(S3QueryParameter.PartNumber))
            : default;

    private static S3Problem PartNumberRead(S3Query q, bool partNumberReads) =>
        q.Has(S3QueryParameter.PartNumber) && !partNumberReads
            ? S3Problem.Of(S3ErrorCode.NotImplemented, "Reading one part of an object (partNumber) is not implemented.")
            : default;

    private static S3Problem PartNumberRequired(S3Query q, bool partNumberReads) =>
        q.Has(S3QueryParameter.PartNumber)
            ? default
            : S3Problem.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", string.Empty);
}
