namespace Sluice.Server.Access;

/// <summary>
/// What an operation needs beyond what a bucket policy grants, in S3's ACL model (an operation's
/// <see cref="Routing.S3OperationInfo.Access"/>). The default, <see cref="BucketOwner"/>, is the safe one: a row that
/// declares nothing is the bucket owner's (and what a policy allows) only.
/// </summary>
internal enum AccessRight : byte
{
    /// <summary>Bucket configuration (versioning, tagging, lifecycle, location, deletion...): the owner's alone.</summary>
    BucketOwner = 0,

    /// <summary>ListBuckets and CreateBucket: any user, never the anonymous principal.</summary>
    Authenticated,

    /// <summary>The bucket's READ: list objects, versions and uploads; HeadBucket.</summary>
    BucketRead,

    /// <summary>The bucket's WRITE: create, overwrite and delete objects (multipart uploads included).</summary>
    BucketWrite,

    /// <summary>The bucket's READ_ACP (the owner always has it).</summary>
    BucketReadAcp,

    /// <summary>The bucket's WRITE_ACP (the owner always has it).</summary>
    BucketWriteAcp,

    /// <summary>The object's READ: GET, HEAD, attributes. Judged once the handler has the object's ACL.</summary>
    ObjectRead,

    /// <summary>The object's READ_ACP (its owner always has it).</summary>
    ObjectReadAcp,

    /// <summary>The object's WRITE_ACP (its owner always has it).</summary>
    ObjectWriteAcp,

    /// <summary>Object configuration (tags): the object's owner (and what the bucket owner's policy allows).</summary>
    ObjectOwner,
}
