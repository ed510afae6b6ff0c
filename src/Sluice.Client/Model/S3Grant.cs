namespace Sluice.Client.Model;

/// <summary>
/// One grant of an ACL: a grantee — a user by canonical <see cref="Id"/>, a group by <see cref="Uri"/>, or (when
/// setting) a user by <see cref="EmailAddress"/> — and a permission: READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL.
/// </summary>
public sealed record S3Grant(string GranteeType, string Permission)
{
    /// <summary>The CanonicalUser grantee type.</summary>
    public const string CanonicalUser = "CanonicalUser";

    /// <summary>The Group grantee type.</summary>
    public const string Group = "Group";

    /// <summary>The AmazonCustomerByEmail grantee type (a server stores it as the user's id).</summary>
    public const string ByEmail = "AmazonCustomerByEmail";

    /// <summary>Everyone, signed or not.</summary>
    public const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";

    /// <summary>Every signed request.</summary>
    public const string AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

    /// <summary>S3's log delivery group.</summary>
    public const string LogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery";

    public string? Id { get; init; }
    public string? DisplayName { get; init; }
    public string? Uri { get; init; }
    public string? EmailAddress { get; init; }

    /// <summary>A grant to the user with canonical id <paramref name="id"/>.</summary>
    public static S3Grant ToUser(string id, string permission) => new(CanonicalUser, permission) { Id = id };

    /// <summary>A grant to the group <paramref name="uri"/> (<see cref="AllUsers"/>...).</summary>
    public static S3Grant ToGroup(string uri, string permission) => new(Group, permission) { Uri = uri };
}
