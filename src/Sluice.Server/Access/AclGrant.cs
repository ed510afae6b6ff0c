namespace Sluice.Server.Access;

/// <summary>
/// One grant of an <see cref="AccessControlList"/>: a grantee — a user by canonical id, or a group by URI
/// (<see cref="AccessControlList.AllUsers"/>, <see cref="AccessControlList.AuthenticatedUsers"/>,
/// <see cref="AccessControlList.LogDelivery"/>) — and one permission. E-mail grantees are resolved to the user's id
/// when the ACL is set, as S3 stores them.
/// </summary>
public readonly record struct AclGrant(bool IsGroup, string Grantee, AclRights Rights);
