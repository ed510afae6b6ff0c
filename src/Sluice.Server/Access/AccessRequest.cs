namespace Sluice.Server.Access;

/// <summary>
/// One request as the authorization stage judges it: principal × action × resource × context. Built only when a
/// decision needs more than the owner's implicit rights (a bucket with a policy or an ACL to read), so the common
/// owner's request allocates none.
/// </summary>
public sealed class AccessRequest
{
    public required AccessPrincipal Principal { get; init; }

    /// <summary>The IAM action, e.g. <c>s3:GetObject</c>, <c>s3:ListBucket</c>, <c>s3:PutBucketPolicy</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The bucket the request is about.</summary>
    public required string Bucket { get; init; }

    /// <summary>The object key (null for a bucket-level action).</summary>
    public string? Key { get; init; }

    /// <summary>The resource ARN: <c>arn:aws:s3:::bucket</c> or <c>arn:aws:s3:::bucket/key</c>.</summary>
    public string Resource => Key == null ? "arn:aws:s3:::" + Bucket : "arn:aws:s3:::" + Bucket + "/" + Key;

    /// <summary>The request's condition keys (aws:SourceIp, s3:prefix, s3:ExistingObjectTag/…), resolved on demand.</summary>
    public required IConditionKeys Conditions { get; init; }
}
