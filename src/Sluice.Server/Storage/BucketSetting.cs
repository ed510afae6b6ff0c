namespace Sluice.Server.Storage;

/// <summary>
/// A bucket-level configuration document a store keeps beside the bucket's objects (S3's bucket subresources). Each is
/// stored as the canonical XML the server answers GET with, written whole and atomically; a missing document is the
/// subresource's "not configured" answer.
/// </summary>
public enum BucketSetting
{
    /// <summary>PutBucketTagging's tag set.</summary>
    Tagging,

    /// <summary>PutBucketLifecycleConfiguration's rules (applied by <see cref="Lifecycle.LifecycleWorker"/>).</summary>
    Lifecycle,

    /// <summary>PutBucketEncryption's default encryption (applied to writes that ask for none).</summary>
    Encryption,

    /// <summary>
    /// PutBucketVersioning's configuration (Status Enabled or Suspended). Stores read it (cached) on every write:
    /// it decides what a write or delete does (<see cref="VersioningState"/>).
    /// </summary>
    Versioning,

    /// <summary>
    /// PutBucketPolicy's JSON document, stored byte for byte as written (GetBucketPolicy answers it back); judged
    /// through <see cref="Access.BucketPolicyCache"/>, which parses it once per change.
    /// </summary>
    Policy,

    /// <summary>
    /// The bucket's object lock configuration (ObjectLockEnabled and the optional default retention); present only on
    /// a bucket with object lock, which can never be turned off again. Handlers cache it per bucket.
    /// </summary>
    ObjectLock,

    /// <summary>PutBucketCors's rules (applied to OPTIONS preflights and to requests carrying Origin; parsed once and
    /// cached by <see cref="Cors.BucketCorsCache"/>).</summary>
    Cors,

    /// The bucket's ACL (PutBucketAcl, CreateBucket's x-amz-acl / x-amz-grant-*), in
    /// <see cref="Access.AccessControlList"/>'s stored form; none: the owner's FULL_CONTROL only. The authorization
    /// stage caches it (<see cref="Access.BucketAccessCache"/>), so the document is read once per bucket, not per request.
    /// </summary>
    Acl,

    /// <summary>PutPublicAccessBlock's PublicAccessBlockConfiguration XML (BlockPublicAcls, IgnorePublicAcls,
    /// BlockPublicPolicy, RestrictPublicBuckets); cached with the bucket's access state by
    /// <see cref="Access.BucketAccessCache"/>, which the handlers invalidate on change.</summary>
    PublicAccessBlock,

    /// <summary>PutBucketOwnershipControls' (or CreateBucket's x-amz-object-ownership) OwnershipControls XML; none:
    /// ObjectWriter. Cached with the bucket's access state by <see cref="Access.BucketAccessCache"/>.</summary>
    OwnershipControls,
}
