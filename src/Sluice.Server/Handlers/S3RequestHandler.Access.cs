using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Xml;
using Sluice.Server.Access;
using Sluice.Server.Exchange;
using Sluice.Server.Routing;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

// The authorization stage: between authentication and dispatch, every request is judged as principal × IAM action ×
// resource × context, as AWS does — an explicit deny (bucket policy) wins; otherwise the policy's allow or the ACLs'
// grant (with the owners' implicit rights) allows; otherwise the request is denied. Object ACLs are judged once the
// handler has the object (AuthorizeObject), since they are stored with it.
public sealed partial class S3RequestHandler
{
    /// <summary>The server's users (access key → principal, canonical id → display name).</summary>
    internal ServerUsers Users { get; init; } = new(null, [SluiceServerOptions.DevAccessKey]);

    /// <summary>Every bucket's owner, ACL and policy, cached; whoever changes one invalidates it here.</summary>
    public BucketAccessCache AccessCache { get; private set; } = null!;

    /// <summary>Unsigned requests act as the first user with every right (<see cref="SluiceServerOptions.AnonymousFullAccess"/>).</summary>
    internal bool AnonymousFullAccess { get; init; }

    /// <summary>Sets <see cref="AccessCache"/> over the handler's store (an init accessor cannot see the store).</summary>
    internal BucketAccessCache CreateAccessCache(IBucketPolicySource? policies) =>
        AccessCache = new BucketAccessCache(_objects.Storage, Users.LegacyOwner)
        {
            Policies = policies,
            AccountOf = id => Users.OfId(id)?.AccountId,
        };

    /// <summary>
    /// Judges the routed, authenticated request; null when it may proceed (object ACLs are still to be judged by the
    /// handler), else the error to answer. The bucket owner's request on a bucket with no policy and the default ACL
    /// finds the bucket's cached state and allocates nothing.
    /// </summary>
    private ValueTask<S3Error?> AuthorizeAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth) =>
        AuthorizeAsync(x, c, auth, PrincipalOf(auth.Credential));

    /// <summary>Who signed with <paramref name="credential"/>: its user; null: the anonymous principal (or, in the
    /// wide-open development mode, the development principal).</summary>
    private AccessPrincipal PrincipalOf(SigV4Credential? credential) =>
        credential != null ? Users.OfAccessKey(credential.AccessKeyId)
            : AnonymousFullAccess ? Users.DevelopmentPrincipal : AccessPrincipal.Anonymous;

    /// <summary>Judges the request as made by <paramref name="principal"/> (a POST form's signer, who signs the form,
    /// not the request).</summary>
    private async ValueTask<S3Error?> AuthorizeAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth, AccessPrincipal principal)
    {
        var route = c.Route;
        c.Caller = principal;
        c.Bucket = null;
        c.Auth = auth;
        var row = S3OperationTable.Of(route.Operation);
        if (row == null) return null; // refused by dispatch (NotImplemented)
        if (!route.HasBucket || row.Access == AccessRight.Authenticated)
            return principal.IsAnonymous ? Denied(route.GetResource()) : null;
        if (!AccessCache.TryGet(route.Bucket, out var entry))
        {
            // A missing bucket is 404 for anyone: S3 says so to the anonymous principal too.
            entry = await AccessCache.LoadAsync(route.GetBucketString());
            if (entry == null) return new S3Error(S3ErrorCode.NoSuchBucket) { Resource = route.GetResource() }.WithDetail("BucketName", route.GetBucketString());
        }
        c.Bucket = entry;
        if (x.Request.Headers.TryGet(KnownHeader.XAmzExpectedBucketOwner, out var expected)
            && !Ascii.Equals(expected.Value.Of(x.HeadBytes.Span), entry!.OwnerId))
            return Denied(route.GetResource());
        if (principal.IsAdmin) return null;
        if (entry!.Damaged) return Denied(route.GetResource());
        bool owner = IsOwner(principal, entry.OwnerId);
        if (owner && entry.Policy == null && entry.Acl == null) return null; // the fast path: the owner, nothing configured
        if (row.Access >= AccessRight.ObjectRead) return null; // judged with the object's ACL (AuthorizeObject)

        var policy = entry.Policy == null ? AccessDecision.NotApplicable
            : Evaluate(entry.Policy, x, c, ActionOf(row, c), route.GetBucketString(), route.HasKey ? route.GetKeyString() : null, null);
        if (policy == AccessDecision.ExplicitDeny) return Denied(route.GetResource());
        var rights = entry.PermissionsOf(principal);
        bool granted = row.Access switch
        {
            AccessRight.BucketRead => (rights & AclRights.Read) != 0,
            AccessRight.BucketWrite => (rights & AclRights.Write) != 0,
            AccessRight.BucketReadAcp => owner || (rights & AclRights.ReadAcp) != 0,
            AccessRight.BucketWriteAcp => owner || (rights & AclRights.WriteAcp) != 0,
            _ => owner, // bucket configuration: the owner's
        };
        return granted || (policy == AccessDecision.Allow && entry.PolicyAllowCountsFor(principal)) ? null : Denied(route.GetResource());
    }

    /// <summary>
    /// Judges an object operation once the handler has the object (<paramref name="metadata"/>, whose ACL is stored
    /// with it): AccessDenied unless the object's ACL grants it, its owner is asking (READ_ACP, WRITE_ACP and tags are
    /// always the object owner's), or the bucket policy allows it on an object the bucket owner owns.
    /// </summary>
    private static void AuthorizeObject(S3Exchange x, RequestContext c, ObjectMetadata metadata)
    {
        var principal = c.Caller;
        var entry = c.Bucket;
        if (principal == null || entry == null) throw DeniedException(c.Route.GetResource()); // never fail open
        if (principal.IsAdmin) return;
        var acl = metadata.Attributes.Acl;
        if (acl == null && entry.Policy == null && IsOwner(principal, entry.OwnerId)) return; // the fast path
        var row = S3OperationTable.Of(c.Route.Operation);
        if (row == null) throw DeniedException(c.Route.GetResource());
        CheckObject(x, c, entry, row.Access, ActionOf(row, c), c.Route.GetBucketString(), c.Route.GetKeyString(), metadata);
    }

    /// <summary>The object-level judgement for an object of <paramref name="entry"/>'s bucket (the request's own, or a copy source).</summary>
    private static void CheckObject(S3Exchange x, RequestContext c, BucketAccess entry, AccessRight right, string action, string bucket, string key,
        ObjectMetadata metadata)
    {
        var principal = c.Caller!;
        if (principal.IsAdmin) return;
        string resource = "/" + bucket + "/" + key;
        if (entry.Damaged) throw DeniedException(resource);
        // BucketOwnerEnforced: every object is the bucket owner's and its stored ACL (from before) counts for nothing.
        var acl = entry.AclsDisabled ? null : metadata.Attributes.Acl;
        string objectOwner = acl?.OwnerId ?? entry.OwnerId;
        var policy = entry.Policy == null ? AccessDecision.NotApplicable : Evaluate(entry.Policy, x, c, action, bucket, key, metadata);
        if (policy == AccessDecision.ExplicitDeny) throw DeniedException(resource);
        bool isOwner = IsOwner(principal, objectOwner);
        var rights = acl != null ? acl.PermissionsOf(principal, entry.IgnoresPublicAcls) : isOwner ? AclRights.FullControl : AclRights.None;
        bool granted = right switch
        {
            AccessRight.ObjectRead => (rights & AclRights.Read) != 0,
            AccessRight.ObjectReadAcp => isOwner || (rights & AclRights.ReadAcp) != 0,
            AccessRight.ObjectWriteAcp => isOwner || (rights & AclRights.WriteAcp) != 0,
            _ => isOwner,
        };
        // The bucket owner's policy speaks for the objects the bucket owner owns, not for others' (as on S3 with
        // object ownership "object writer").
        if (!granted && !(policy == AccessDecision.Allow && objectOwner == entry.OwnerId && entry.PolicyAllowCountsFor(principal)))
            throw DeniedException(resource);
    }

    /// <summary>
    /// The access state of a copy's source bucket and the check that the caller may read the source object (done in
    /// <paramref name="check"/>'s caller once the source's metadata is known). NoSuchBucket when the bucket is absent.
    /// </summary>
    private async ValueTask<BucketAccess> SourceAccessAsync(string bucket)
    {
        if (AccessCache.TryGet(Encoding.UTF8.GetBytes(bucket), out var entry)) return entry!;
        return await AccessCache.LoadAsync(bucket) ?? throw S3StorageException.NoSuchBucket(bucket);
    }

    /// <summary>x-amz-source-expected-bucket-owner must name the copy source bucket's owner (AccessDenied otherwise).</summary>
    private static void CheckSourceOwner(S3Exchange x, BucketAccess source, string bucket)
    {
        foreach (var field in x.Request.Headers.Fields)
        {
            if (field.Header != KnownHeader.Unknown
                || !Ascii.EqualsIgnoreCase(field.Name.Of(x.HeadBytes.Span), "x-amz-source-expected-bucket-owner"u8)) continue;
            if (!Ascii.Equals(field.Value.Of(x.HeadBytes.Span), source.OwnerId)) throw DeniedException("/" + bucket);
        }
    }

    /// <summary>Checks that the caller may read a copy source (s3:GetObject on it, its object ACL's READ).</summary>
    private static void AuthorizeCopySource(S3Exchange x, RequestContext c, BucketAccess source, string bucket, string key, string? versionId,
        ObjectMetadata metadata)
    {
        var principal = c.Caller;
        if (principal == null) throw DeniedException("/" + bucket + "/" + key);
        if (principal.IsAdmin) return;
        if (metadata.Attributes.Acl == null && source.Policy == null && IsOwner(principal, source.OwnerId)) return;
        CheckObject(x, c, source, AccessRight.ObjectRead, versionId == null ? "s3:GetObject" : "s3:GetObjectVersion", bucket, key, metadata);
    }

    /// <summary>
    /// Whether a NoSuchKey may be told to the caller: S3 answers AccessDenied instead to whoever may not list the
    /// bucket, so a missing key and a forbidden one look alike to them.
    /// </summary>
    private static bool MayLearnMissingKeys(S3Exchange x, RequestContext c)
    {
        var principal = c.Caller;
        var entry = c.Bucket;
        if (principal == null || entry == null || entry.Damaged) return principal?.IsAdmin == true;
        if (principal.IsAdmin) return true;
        if ((entry.PermissionsOf(principal) & AclRights.Read) != 0) return true;
        return entry.Policy != null && entry.PolicyAllowCountsFor(principal)
            && Evaluate(entry.Policy, x, c, "s3:ListBucket", c.Route.GetBucketString(), null, null) == AccessDecision.Allow;
    }

    private static AccessDecision Evaluate(IAccessPolicy policy, S3Exchange x, RequestContext c, string action, string bucket, string? key,
        ObjectMetadata? existing)
    {
        try
        {
            var request = new AccessRequest
            {
                Principal = c.Caller!,
                Action = action,
                Bucket = bucket,
                Key = key,
                Conditions = new RequestConditionKeys(x, c.Route, c.Auth, c.Caller!) { Existing = existing },
            };
            return policy.Evaluate(request);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return AccessDecision.ExplicitDeny; // an evaluation that fails denies: access never fails open
        }
    }

    private static string ActionOf(S3OperationInfo row, RequestContext c) =>
        row.VersionAction != null && c.Route.Query.Has(S3QueryParameter.VersionId) ? row.VersionAction : row.Action;

    private static bool IsOwner(AccessPrincipal principal, string ownerId) =>
        !principal.IsAnonymous && string.Equals(principal.CanonicalId, ownerId, StringComparison.Ordinal);

    private static S3Error Denied(string resource) => new(S3ErrorCode.AccessDenied, "Access Denied") { Resource = resource };

    private static S3RequestException DeniedException(string resource) => new(Denied(resource));

    /// <summary>The Owner element for a canonical id, with the user's current display name.</summary>
    private S3Owner OwnerOf(string canonicalId) => new() { Id = canonicalId, DisplayName = Users.DisplayNameOf(canonicalId) };

    /// <summary>Who started an upload: the owner its ACL names (another user's write), else the bucket owner.</summary>
    private S3Owner UploaderOf(RequestContext c, ObjectAttributes attributes) =>
        OwnerOf(attributes.Acl?.OwnerId ?? c.Bucket?.OwnerId ?? Users.LegacyOwner);

    /// <summary>The request's bucket owner as an Owner element (the addressed bucket's, as the stage found it).</summary>
    private S3Owner BucketOwnerOf(RequestContext c) => OwnerOf(c.Bucket?.OwnerId ?? Users.LegacyOwner);
}
