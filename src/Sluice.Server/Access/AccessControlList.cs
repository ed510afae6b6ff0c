using System.Text;

namespace Sluice.Server.Access;

/// <summary>
/// A bucket's or an object's ACL: its owner and its grants, in order. Immutable. Stored (a bucket's as its
/// <see cref="Storage.BucketSetting.Acl"/> document, an object's with the version) in a compact text form — one
/// line "owner ID", then one line per grant "PERMISSION id|uri GRANTEE" — and answered as AccessControlPolicy XML with
/// the users' current display names.
/// </summary>
public sealed class AccessControlList
{
    public const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    public const string AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    public const string LogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery";

    /// <summary>The canned ACL names S3 accepts in x-amz-acl (aws-exec-read grants to EC2, which this server has not).</summary>
    public static readonly IReadOnlyList<string> CannedNames =
        ["private", "public-read", "public-read-write", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"];

    public AccessControlList(string ownerId, IReadOnlyList<AclGrant> grants)
    {
        OwnerId = ownerId;
        Grants = grants;
        foreach (var g in grants)
        {
            if (g.IsGroup) continue;
            if (g.Grantee == ownerId) _ownerRights |= g.Rights;
        }
        IsOwnerFullControlOnly = grants.Count == 1 && !grants[0].IsGroup && grants[0].Grantee == ownerId
            && grants[0].Rights == AclRights.FullControl;
    }

    /// <summary>The canonical id of the resource's owner.</summary>
    public string OwnerId { get; }

    public IReadOnlyList<AclGrant> Grants { get; }

    private readonly AclRights _ownerRights;

    /// <summary>True for the default ACL (the owner's FULL_CONTROL and nothing else): as if none were stored.</summary>
    public bool IsOwnerFullControlOnly { get; }

    /// <summary>The default ACL of a resource <paramref name="ownerId"/> owns.</summary>
    public static AccessControlList Private(string ownerId) => new(ownerId, [new AclGrant(false, ownerId, AclRights.FullControl)]);

    /// <summary>
    /// The canned ACL <paramref name="name"/> for a resource <paramref name="ownerId"/> owns in a bucket
    /// <paramref name="bucketOwnerId"/> owns (for a bucket, the same); null for a name S3 does not know.
    /// </summary>
    public static AccessControlList? Canned(string name, string ownerId, string bucketOwnerId)
    {
        var grants = new List<AclGrant> { new(false, ownerId, AclRights.FullControl) };
        switch (name)
        {
            case "private":
                break;
            case "public-read":
                grants.Add(new(true, AllUsers, AclRights.Read));
                break;
            case "public-read-write":
                grants.Add(new(true, AllUsers, AclRights.Read));
                grants.Add(new(true, AllUsers, AclRights.Write));
                break;
            case "authenticated-read":
                grants.Add(new(true, AuthenticatedUsers, AclRights.Read));
                break;
            case "bucket-owner-read":
                if (bucketOwnerId != ownerId) grants.Add(new(false, bucketOwnerId, AclRights.Read));
                break;
            case "bucket-owner-full-control":
                if (bucketOwnerId != ownerId) grants.Add(new(false, bucketOwnerId, AclRights.FullControl));
                break;
            case "log-delivery-write":
                grants.Add(new(true, LogDelivery, AclRights.Write));
                grants.Add(new(true, LogDelivery, AclRights.ReadAcp));
                break;
            default:
                return null;
        }
        return new AccessControlList(ownerId, grants);
    }

    /// <summary>What the ACL grants <paramref name="principal"/>, directly or through a group it belongs to; with
    /// <paramref name="ignorePublic"/> (the public access block's IgnorePublicAcls) grants to AllUsers and
    /// AuthenticatedUsers count for nothing.</summary>
    public AclRights PermissionsOf(AccessPrincipal principal, bool ignorePublic = false)
    {
        AclRights rights = AclRights.None;
        foreach (var g in Grants)
        {
            bool applies = g.IsGroup
                ? !ignorePublic && (g.Grantee == AllUsers || (g.Grantee == AuthenticatedUsers && !principal.IsAnonymous))
                : !principal.IsAnonymous && g.Grantee == principal.CanonicalId;
            if (applies) rights |= g.Rights;
        }
        return rights;
    }

    /// <summary>True when anything is granted to everyone or to every authenticated user (a "public" ACL).</summary>
    public bool IsPublic => Grants.Any(g => g.IsGroup && g.Grantee is AllUsers or AuthenticatedUsers);

    /// <summary>The permission's wire name (READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL).</summary>
    public static string NameOf(AclRights permission) => permission switch
    {
        AclRights.Read => "READ",
        AclRights.Write => "WRITE",
        AclRights.ReadAcp => "READ_ACP",
        AclRights.WriteAcp => "WRITE_ACP",
        AclRights.FullControl => "FULL_CONTROL",
        _ => throw new ArgumentOutOfRangeException(nameof(permission)),
    };

    /// <summary>The permission a wire name names; None for an unknown name.</summary>
    public static AclRights PermissionOf(string? name) => name switch
    {
        "READ" => AclRights.Read,
        "WRITE" => AclRights.Write,
        "READ_ACP" => AclRights.ReadAcp,
        "WRITE_ACP" => AclRights.WriteAcp,
        "FULL_CONTROL" => AclRights.FullControl,
        _ => AclRights.None,
    };

    /// <summary>The stored form (see the type's summary).</summary>
    public string Serialize()
    {
        var text = new StringBuilder("owner ").Append(OwnerId).Append('\n');
        foreach (var g in Grants)
            text.Append(NameOf(g.Rights)).Append(g.IsGroup ? " uri " : " id ").Append(g.Grantee).Append('\n');
        return text.ToString();
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(Serialize());

    /// <summary>Reads the stored form; a damaged document throws <see cref="FormatException"/> (callers deny access).</summary>
    public static AccessControlList Parse(string stored)
    {
        string? owner = null;
        var grants = new List<AclGrant>();
        foreach (string line in stored.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split(' ', 3);
            if (owner == null)
            {
                if (fields.Length != 2 || fields[0] != "owner") throw new FormatException("ACL without its owner line");
                owner = fields[1];
                continue;
            }
            var permission = PermissionOf(fields[0]);
            if (fields.Length != 3 || permission == AclRights.None || fields[1] is not ("id" or "uri"))
                throw new FormatException($"bad ACL grant line '{line}'");
            grants.Add(new AclGrant(fields[1] == "uri", fields[2], permission));
        }
        return new AccessControlList(owner ?? throw new FormatException("empty ACL"), grants);
    }

    public static AccessControlList Parse(ReadOnlySpan<byte> stored) => Parse(Encoding.UTF8.GetString(stored));

    /// <summary>What the owner's own grants give it (an owner may revoke its own data access, as on S3).</summary>
    internal AclRights OwnerRights => _ownerRights;
}
