using System.Buffers;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Xml;
using Sluice.Server.Access;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

// ACLs: canned (x-amz-acl) and header grants (x-amz-grant-*) on CreateBucket, PutObject, CopyObject and
// CreateMultipartUpload; Get/PutBucketAcl and Get/PutObjectAcl with AccessControlPolicy XML.
public sealed partial class S3RequestHandler
{
    /// <summary>S3 accepts at most 100 grants in one ACL.</summary>
    private const int MaxGrants = 100;

    private static readonly (string Header, AclRights Rights)[] GrantHeaders =
    [
        ("x-amz-grant-read", AclRights.Read),
        ("x-amz-grant-write", AclRights.Write),
        ("x-amz-grant-read-acp", AclRights.ReadAcp),
        ("x-amz-grant-write-acp", AclRights.WriteAcp),
        ("x-amz-grant-full-control", AclRights.FullControl),
    ];

    /// <summary>
    /// The ACL a request's headers ask for — a canned ACL (x-amz-acl) or header grants (x-amz-grant-*), never both
    /// (InvalidRequest) — for a resource <paramref name="ownerId"/> owns in a bucket <paramref name="bucketOwnerId"/>
    /// owns; null when the request names none.
    /// </summary>
    private AccessControlList? ReadRequestAcl(S3Exchange x, string ownerId, string bucketOwnerId, bool forBucket)
    {
        var head = x.HeadBytes.Span;
        string? canned = Header(x, KnownHeader.XAmzAcl)?.Trim();
        List<AclGrant>? grants = null;
        foreach (var field in x.Request.Headers.Fields)
        {
            if (field.Header != KnownHeader.Unknown) continue;
            var name = field.Name.Of(head);
            if (name.Length < 12 || !Ascii.EqualsIgnoreCase(name[..12], "x-amz-grant-"u8)) continue;
            var rights = AclRights.None;
            foreach (var (header, r) in GrantHeaders)
                if (Ascii.EqualsIgnoreCase(name, header)) rights = r;
            if (rights == AclRights.None) continue; // not a grant header S3 defines
            grants ??= [];
            foreach (var (type, value) in ParseGrantHeader(Encoding.UTF8.GetString(field.Value.Of(head)), Encoding.ASCII.GetString(name)))
                grants.Add(ResolveGrantee(type, value, rights));
        }
        if (canned != null && grants != null)
            ThrowProblem(S3ErrorCode.InvalidRequest, "Specifying both Canned ACLs and Header Grants is not allowed");
        if (grants != null)
        {
            if (grants.Count > MaxGrants) ThrowProblem(S3ErrorCode.MalformedACLError, "The request has too many grants.");
            return new AccessControlList(ownerId, grants);
        }
        if (canned == null) return null;
        if (canned == "aws-exec-read") // grants to EC2, an account this server has not
            throw new S3RequestException(new S3Error(S3ErrorCode.NotImplemented,
                "A header you provided implies functionality that is not implemented.").WithDetail("Header", "x-amz-acl"));
        // bucket-owner-* name the bucket owner beside an object's writer; on a bucket they are the owner's own ACL.
        return AccessControlList.Canned(canned, ownerId, forBucket ? ownerId : bucketOwnerId)
            ?? throw new S3RequestException(S3Problem.InvalidArgument("Invalid canned ACL.", "x-amz-acl", canned).ToError());
    }

    /// <summary>A grant header's grantees: <c>id="…", uri="…", emailAddress="…"</c>, comma-separated.</summary>
    private static List<(string Type, string Value)> ParseGrantHeader(string value, string header)
    {
        var result = new List<(string, string)>();
        foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new S3RequestException(S3Problem.InvalidArgument("Invalid grant header value.", header, value).ToError());
            string type = part[..eq].Trim();
            string grantee = part[(eq + 1)..].Trim();
            if (grantee.Length >= 2 && grantee[0] == '"' && grantee[^1] == '"') grantee = grantee[1..^1];
            result.Add((type, grantee));
        }
        if (result.Count == 0) throw new S3RequestException(S3Problem.InvalidArgument("Invalid grant header value.", header, value).ToError());
        return result;
    }

    /// <summary>A grantee named by type and value checked against the server's users and S3's groups.</summary>
    private AclGrant ResolveGrantee(string type, string value, AclRights rights)
    {
        switch (type.ToLowerInvariant())
        {
            case "id":
            case "canonicaluser":
                if (Users.OfId(value) == null)
                    throw new S3RequestException(S3Problem.InvalidArgument("Invalid id", "CanonicalUser/ID", value).ToError());
                return new AclGrant(false, value, rights);
            case "uri":
            case "group":
                if (value is not (AccessControlList.AllUsers or AccessControlList.AuthenticatedUsers or AccessControlList.LogDelivery))
                    throw new S3RequestException(S3Problem.InvalidArgument("Invalid group uri", "Group/URI", value).ToError());
                return new AclGrant(true, value, rights);
            case "emailaddress":
            case "amazoncustomerbyemail":
                // Stored as the user's id, as S3 does: a later change of address does not change the grant.
                var user = Users.OfEmail(value)
                    ?? throw new S3RequestException(new S3Error(S3ErrorCode.UnresolvableGrantByEmailAddress).WithDetail("EmailAddress", value));
                return new AclGrant(false, user.CanonicalId, rights);
            default:
                throw new S3RequestException(S3Problem.InvalidArgument("Invalid grantee type.", "Grantee", type).ToError());
        }
    }

    /// <summary>
    /// The ACL a new object version gets: the request's, or — when someone other than the bucket owner writes it —
    /// the writer's default (the writer owns what it writes). Null (nothing stored) for the bucket owner's plain write.
    /// </summary>
    private AccessControlList? ObjectAclFor(S3Exchange x, RequestContext c)
    {
        var caller = c.Caller ?? throw DeniedException(c.Route.GetResource());
        string bucketOwner = c.Bucket?.OwnerId ?? Users.LegacyOwner;
        // The development principal (unsigned, full access) and administrators write as the bucket owner.
        string writer = caller.IsAdmin ? bucketOwner : caller.CanonicalId;
        if (c.Bucket?.AclsDisabled == true)
        {
            // ACLs disabled: the bucket owner owns what anyone writes; only an ACL that says just that is taken (and an
            // ACL S3 could not even read is refused as an ACL first).
            AccessControlList? asked;
            try
            {
                asked = ReadRequestAcl(x, bucketOwner, bucketOwner, forBucket: false);
            }
            catch (S3RequestException e) when (IsAclReadError(e))
            {
                throw new S3RequestException(new S3Error(S3ErrorCode.AccessControlListNotSupported));
            }
            if (asked != null) RequireBucketOwnerOnly(asked, bucketOwner);
            return null;
        }
        var acl = ReadRequestAcl(x, writer, bucketOwner, forBucket: false);
        if (c.Bucket?.Ownership == ObjectOwnership.BucketOwnerPreferred && Header(x, KnownHeader.XAmzAcl)?.Trim() == "bucket-owner-full-control")
            return null; // the writer hands the object to the bucket owner
        CheckPublicAclAllowed(c, acl);
        acl ??= writer == bucketOwner ? null : AccessControlList.Private(writer);
        return acl != null && acl.IsOwnerFullControlOnly && acl.OwnerId == bucketOwner ? null : acl;
    }

    /// <summary>On a bucket with ACLs disabled (BucketOwnerEnforced) an ACL is taken only when it grants the bucket
    /// owner FULL_CONTROL and nothing else (bucket-owner-full-control or its equivalent); anything else is 400
    /// AccessControlListNotSupported, as S3 answers.</summary>
    private static void RequireBucketOwnerOnly(AccessControlList acl, string bucketOwner)
    {
        if (!(acl.IsOwnerFullControlOnly && acl.OwnerId == bucketOwner)) ThrowProblem(S3ErrorCode.AccessControlListNotSupported);
    }

    /// <summary>On a bucket with ACLs disabled an ACL the request names badly (unknown grantee, both a canned ACL and
    /// grants, …) is refused as what it is, an ACL: AccessControlListNotSupported.</summary>
    /// <remarks>No closure here: this sits on every write's path, which must not allocate.</remarks>
    private static bool IsAclReadError(S3RequestException e) =>
        e.Error.Code is S3ErrorCode.InvalidArgument or S3ErrorCode.MalformedACLError or S3ErrorCode.UnresolvableGrantByEmailAddress
            or S3ErrorCode.InvalidRequest or S3ErrorCode.NotImplemented;

    /// <summary>The attributes of a new object version with the request's ACL (see <see cref="ObjectAclFor"/>).</summary>
    private ObjectAttributes WithRequestAcl(S3Exchange x, RequestContext c, ObjectAttributes attributes)
    {
        var acl = ObjectAclFor(x, c);
        return acl == null ? attributes : attributes with { Acl = acl };
    }

    // ---------------------------------------------------------------- GetBucketAcl / PutBucketAcl

    internal async ValueTask GetBucketAclAsync(S3Exchange x, RequestContext c)
    {
        var entry = c.Bucket ?? throw DeniedException(c.Route.GetResource());
        await SendAclAsync(x, entry.Acl ?? AccessControlList.Private(entry.OwnerId), null);
    }

    internal async ValueTask PutBucketAclAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        var entry = c.Bucket ?? throw DeniedException(c.Route.GetResource());
        AccessControlList acl;
        try
        {
            acl = await ReadAclRequestAsync(x, c, auth, entry.OwnerId, entry.OwnerId, forBucket: true);
        }
        catch (S3RequestException e) when (entry.AclsDisabled && IsAclReadError(e))
        {
            throw new S3RequestException(new S3Error(S3ErrorCode.AccessControlListNotSupported));
        }
        if (entry.AclsDisabled) RequireBucketOwnerOnly(acl, entry.OwnerId); // the only ACL a bucket without ACLs takes
        CheckPublicAclAllowed(c, acl);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Acl, acl.IsOwnerFullControlOnly ? null : acl.ToBytes());
        AccessCache.Invalidate(bucket);
        await SendEmptyAsync(x, 200);
    }

    // ---------------------------------------------------------------- GetObjectAcl / PutObjectAcl

    internal async ValueTask GetObjectAclAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        var metadata = await _objects.HeadAsync(bucket, key, VersionIdOf(c));
        AuthorizeObject(x, c, metadata);
        string bucketOwner = c.Bucket?.OwnerId ?? Users.LegacyOwner;
        var acl = c.Bucket?.AclsDisabled == true ? null : metadata.Attributes.Acl; // ACLs disabled: the bucket owner's
        await SendAclAsync(x, acl ?? AccessControlList.Private(bucketOwner), metadata.VersionIdHeader);
    }

    internal async ValueTask PutObjectAclAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        string? versionId = VersionIdOf(c);
        string bucketOwner = c.Bucket?.OwnerId ?? Users.LegacyOwner;
        // Judged and read against the version as it is now; the update below re-checks that it is the same owner's.
        var current = await _objects.HeadAsync(bucket, key, versionId);
        AuthorizeObject(x, c, current);
        if (c.Bucket?.AclsDisabled == true)
        {
            // ACLs disabled: the object is the bucket owner's with FULL_CONTROL already; only that ACL is accepted,
            // and setting it changes nothing.
            AccessControlList asked;
            try
            {
                asked = await ReadAclRequestAsync(x, c, auth, bucketOwner, bucketOwner, forBucket: false);
            }
            catch (S3RequestException e) when (IsAclReadError(e))
            {
                throw new S3RequestException(new S3Error(S3ErrorCode.AccessControlListNotSupported));
            }
            RequireBucketOwnerOnly(asked, bucketOwner);
            x.SetStatus(200);
            AddHeader(x, KnownHeader.XAmzVersionId, current.VersionIdHeader);
            await x.SendAsync(ReadOnlyMemory<byte>.Empty);
            return;
        }
        string owner = current.Attributes.Acl?.OwnerId ?? bucketOwner;
        var acl = await ReadAclRequestAsync(x, c, auth, owner, bucketOwner, forBucket: false);
        CheckPublicAclAllowed(c, acl);
        var stored = acl.IsOwnerFullControlOnly && owner == bucketOwner ? null : acl;
        var metadata = await _objects.UpdateAttributesAsync(bucket, key, versionId, m =>
        {
            if ((m.Attributes.Acl?.OwnerId ?? bucketOwner) != owner) ThrowProblem(S3ErrorCode.OperationAborted);
            return m.Attributes with { Acl = stored };
        });
        x.SetStatus(200);
        AddHeader(x, KnownHeader.XAmzVersionId, metadata.VersionIdHeader);
        await x.SendAsync(ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>
    /// The ACL a PutBucketAcl / PutObjectAcl sets: the AccessControlPolicy body, or a canned ACL or header grants —
    /// one of them (InvalidRequest for both, MissingSecurityHeader for none, as S3 answers).
    /// </summary>
    private async ValueTask<AccessControlList> ReadAclRequestAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth, string ownerId,
        string bucketOwnerId, bool forBucket)
    {
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth);
        var fromHeaders = ReadRequestAcl(x, ownerId, bucketOwnerId, forBucket);
        bool hasBody = xml.AsSpan().Trim(" \t\r\n"u8).Length > 0;
        if (hasBody && fromHeaders != null)
            ThrowProblem(S3ErrorCode.UnexpectedContent, "This request does not support content");
        if (fromHeaders != null) return fromHeaders;
        if (!hasBody) ThrowProblem(S3ErrorCode.MissingSecurityHeader, "Your request was missing a required header");
        var policy = AccessControlPolicy.Read(xml);
        if (!policy.IsSuccess) ThrowProblem(S3ErrorCode.MalformedACLError);
        var document = policy.Value!;
        if (document.Owner?.Id is not { Length: > 0 } owner) ThrowProblem(S3ErrorCode.MalformedACLError);
        else if (owner != ownerId) throw DeniedException(c.Route.GetResource()); // an ACL cannot change the owner
        if (document.Grants.Count > MaxGrants) ThrowProblem(S3ErrorCode.MalformedACLError);
        var grants = new List<AclGrant>(document.Grants.Count);
        foreach (var g in document.Grants)
        {
            var rights = AccessControlList.PermissionOf(g.Permission);
            if (rights == AclRights.None) ThrowProblem(S3ErrorCode.MalformedACLError);
            switch (g.Type)
            {
                case "CanonicalUser":
                    if (string.IsNullOrEmpty(g.Id)) ThrowProblem(S3ErrorCode.MalformedACLError);
                    grants.Add(ResolveGrantee("id", g.Id!, rights));
                    break;
                case "Group":
                    if (string.IsNullOrEmpty(g.Uri)) ThrowProblem(S3ErrorCode.MalformedACLError);
                    grants.Add(ResolveGrantee("uri", g.Uri!, rights));
                    break;
                case "AmazonCustomerByEmail":
                    if (string.IsNullOrEmpty(g.EmailAddress)) ThrowProblem(S3ErrorCode.MalformedACLError);
                    grants.Add(ResolveGrantee("emailAddress", g.EmailAddress!, rights));
                    break;
                default:
                    ThrowProblem(S3ErrorCode.MalformedACLError);
                    break;
            }
        }
        return new AccessControlList(ownerId, grants);
    }

    /// <summary>Answers an ACL as AccessControlPolicy XML, with the users' display names.</summary>
    private ValueTask SendAclAsync(S3Exchange x, AccessControlList acl, string? versionId)
    {
        var document = new AccessControlPolicy { Owner = OwnerOf(acl.OwnerId) };
        foreach (var g in acl.Grants)
        {
            document.Grants.Add(g.IsGroup
                ? new AclGrantXml { Type = "Group", Uri = g.Grantee, Permission = AccessControlList.NameOf(g.Rights) }
                : new AclGrantXml
                {
                    Type = "CanonicalUser", Id = g.Grantee, DisplayName = Users.DisplayNameOf(g.Grantee),
                    Permission = AccessControlList.NameOf(g.Rights),
                });
        }
        var body = new ArrayBufferWriter<byte>(512);
        document.WriteTo(body);
        x.SetStatus(200);
        AddHeader(x, KnownHeader.XAmzVersionId, versionId);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        return x.SendAsync(body.WrittenMemory);
    }
}
