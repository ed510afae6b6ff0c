namespace Sluice.Server.Access;

/// <summary>
/// What the authorization stage knows of one bucket, cached in memory (<see cref="BucketAccessCache"/>) so an
/// ordinary request reads nothing: the owner, the ACL (null: the owner's FULL_CONTROL only) and the policy
/// (null: none). Immutable: a change replaces the entry.
/// </summary>
internal sealed class BucketAccess(string ownerId, AccessControlList? acl, IAccessPolicy? policy, bool damaged = false)
{
    /// <summary>The bucket owner's canonical id.</summary>
    public string OwnerId { get; } = ownerId;

    /// <summary>The bucket's ACL; null for the default (as if <see cref="AccessControlList.Private"/>).</summary>
    public AccessControlList? Acl { get; } = acl;

    /// <summary>The bucket policy (IAccessPolicy from <see cref="IBucketPolicySource"/>); null: none.</summary>
    public IAccessPolicy? Policy { get; } = policy;

    /// <summary>The ACL or policy could not be read or parsed: every request but an administrator's is denied.</summary>
    public bool Damaged { get; } = damaged;

    /// <summary>What the bucket's ACL grants <paramref name="principal"/>.</summary>
    public AclRights PermissionsOf(AccessPrincipal principal) =>
        Acl != null ? Acl.PermissionsOf(principal)
        : !principal.IsAnonymous && principal.CanonicalId == OwnerId ? AclRights.FullControl : AclRights.None;
}
