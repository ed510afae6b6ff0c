namespace Sluice.Server.Access;

/// <summary>
/// What the authorization stage knows of one bucket, cached in memory (<see cref="BucketAccessCache"/>) so an
/// ordinary request reads nothing: the owner, the ACL (null: the owner's FULL_CONTROL only) and the policy
/// (null: none) and the public access block (null: none). Immutable: a change replaces the entry.
/// </summary>
internal sealed class BucketAccess(string ownerId, AccessControlList? acl, IAccessPolicy? policy, bool damaged = false,
    PublicAccessBlock? block = null, string? ownerAccountId = null, ObjectOwnership ownership = ObjectOwnership.ObjectWriter)
{
    /// <summary>The bucket's object ownership (no controls: ObjectWriter).</summary>
    public ObjectOwnership Ownership { get; } = ownership;

    /// <summary>BucketOwnerEnforced: ACLs are disabled — the bucket owner owns every object, ACLs grant nothing.</summary>
    public bool AclsDisabled => Ownership == ObjectOwnership.BucketOwnerEnforced;

    /// <summary>The bucket owner's canonical id.</summary>
    public string OwnerId { get; } = ownerId;

    /// <summary>The bucket's ACL; null for the default (as if <see cref="AccessControlList.Private"/>).</summary>
    public AccessControlList? Acl { get; } = acl;

    /// <summary>The bucket policy (IAccessPolicy from <see cref="IBucketPolicySource"/>); null: none.</summary>
    public IAccessPolicy? Policy { get; } = policy;

    /// <summary>The bucket's public access block; null: none.</summary>
    public PublicAccessBlock? Block { get; } = block;

    /// <summary>IgnorePublicAcls is on: grants to AllUsers and AuthenticatedUsers count for nothing.</summary>
    public bool IgnoresPublicAcls => Block?.IgnorePublicAcls == true;

    /// <summary>RestrictPublicBuckets is on and the policy is public: its allow counts only for the owner's account.</summary>
    public bool RestrictsPolicy => Block?.RestrictPublicBuckets == true && Policy?.IsPublic == true;

    /// <summary>
    /// Whether the policy's allow counts for <paramref name="principal"/>: always, unless RestrictPublicBuckets
    /// restricts a public policy to the principals of the bucket owner's account (anonymous and other users lose it).
    /// </summary>
    public bool PolicyAllowCountsFor(AccessPrincipal principal) =>
        !RestrictsPolicy || (!principal.IsAnonymous && ownerAccountId != null && principal.AccountId == ownerAccountId);

    /// <summary>The ACL or policy could not be read or parsed: every request but an administrator's is denied.</summary>
    public bool Damaged { get; } = damaged;

    /// <summary>What the bucket's ACL grants <paramref name="principal"/>.</summary>
    public AclRights PermissionsOf(AccessPrincipal principal) =>
        Acl != null ? Acl.PermissionsOf(principal, IgnoresPublicAcls)
        : !principal.IsAnonymous && principal.CanonicalId == OwnerId ? AclRights.FullControl : AclRights.None;
}
