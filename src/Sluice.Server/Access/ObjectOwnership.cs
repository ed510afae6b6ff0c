namespace Sluice.Server.Access;

/// <summary>
/// A bucket's object ownership setting (S3's "Controlling ownership of objects and disabling ACLs"). A bucket without
/// ownership controls behaves as <see cref="ObjectWriter"/>.
/// </summary>
public enum ObjectOwnership
{
    /// <summary>The writer owns what it writes; ACLs apply.</summary>
    ObjectWriter,

    /// <summary>An object written with the bucket-owner-full-control canned ACL is the bucket owner's; ACLs apply.</summary>
    BucketOwnerPreferred,

    /// <summary>ACLs are disabled: the bucket owner owns every object, only the owner and the policy decide access.</summary>
    BucketOwnerEnforced,
}
