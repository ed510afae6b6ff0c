using System.Collections.Frozen;

namespace Sluice.Server.Access.Policy;

/// <summary>What an S3 action's Resource names: a bucket, an object, or the account (no bucket resource).</summary>
internal enum S3ActionScope : byte { Bucket, Object, Account }

/// <summary>
/// The S3 action names a bucket policy may use (the Service Authorization Reference's "Actions defined by Amazon S3"),
/// with the resource each applies to: a policy naming another action is MalformedPolicy "Policy has invalid action",
/// and one naming an object action with only the bucket's ARN (or the reverse) is "Action does not apply to any
/// resource(s) in statement". Names compare case-insensitively, as IAM's do.
/// </summary>
internal static class S3Actions
{
    private static readonly string[] ObjectActions =
    [
        "AbortMultipartUpload", "BypassGovernanceRetention", "DeleteObject", "DeleteObjectTagging", "DeleteObjectVersion",
        "DeleteObjectVersionTagging", "GetObject", "GetObjectAcl", "GetObjectAttributes", "GetObjectLegalHold",
        "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion", "GetObjectVersionAcl",
        "GetObjectVersionAttributes", "GetObjectVersionForReplication", "GetObjectVersionTagging", "GetObjectVersionTorrent",
        "InitiateReplication", "ListMultipartUploadParts", "ObjectOwnerOverrideToBucketOwner", "PutObject", "PutObjectAcl",
        "PutObjectLegalHold", "PutObjectRetention", "PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionTagging",
        "RenameObject", "ReplicateDelete", "ReplicateObject", "ReplicateTags", "RestoreObject",
    ];

    private static readonly string[] BucketActions =
    [
        "CreateBucket", "CreateBucketMetadataTableConfiguration", "DeleteBucket", "DeleteBucketMetadataTableConfiguration",
        "DeleteBucketOwnershipControls", "DeleteBucketPolicy", "DeleteBucketWebsite", "GetAccelerateConfiguration",
        "GetAnalyticsConfiguration", "GetBucketAbac", "GetBucketAcl", "GetBucketCORS", "GetBucketLocation", "GetBucketLogging",
        "GetBucketMetadataTableConfiguration", "GetBucketNotification", "GetBucketObjectLockConfiguration",
        "GetBucketOwnershipControls", "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketPublicAccessBlock",
        "GetBucketRequestPayment", "GetBucketTagging", "GetBucketVersioning", "GetBucketWebsite",
        "GetEncryptionConfiguration", "GetIntelligentTieringConfiguration", "GetInventoryConfiguration",
        "GetLifecycleConfiguration", "GetMetricsConfiguration", "GetReplicationConfiguration", "ListBucket",
        "ListBucketMultipartUploads", "ListBucketVersions", "PutAccelerateConfiguration", "PutAnalyticsConfiguration",
        "PutBucketAbac", "PutBucketAcl", "PutBucketCORS", "PutBucketLogging", "PutBucketNotification",
        "PutBucketObjectLockConfiguration", "PutBucketOwnershipControls", "PutBucketPolicy", "PutBucketPublicAccessBlock",
        "PutBucketRequestPayment", "PutBucketTagging", "PutBucketVersioning", "PutBucketWebsite",
        "PutEncryptionConfiguration", "PutIntelligentTieringConfiguration", "PutInventoryConfiguration",
        "PutLifecycleConfiguration", "PutMetricsConfiguration", "PutReplicationConfiguration",
        "UpdateBucketMetadataInventoryTableConfiguration", "UpdateBucketMetadataJournalTableConfiguration",
    ];

    private static readonly string[] AccountActions =
    [
        "CreateJob", "DescribeJob", "GetAccessPoint", "GetAccountPublicAccessBlock", "ListAccessPoints", "ListAllMyBuckets",
        "ListJobs", "PutAccountPublicAccessBlock", "UpdateJobPriority", "UpdateJobStatus",
    ];

    /// <summary>Every action by its full name (<c>s3:GetObject</c>), case-insensitively.</summary>
    public static readonly FrozenDictionary<string, S3ActionScope> All = ObjectActions.Select(a => ("s3:" + a, S3ActionScope.Object))
        .Concat(BucketActions.Select(a => ("s3:" + a, S3ActionScope.Bucket)))
        .Concat(AccountActions.Select(a => ("s3:" + a, S3ActionScope.Account)))
        .ToFrozenDictionary(p => p.Item1, p => p.Item2, StringComparer.OrdinalIgnoreCase);
}
