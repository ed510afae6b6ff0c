namespace Sluice.Server.Access;

/// <summary>
/// Who makes a request: a user named in the server's credentials file, or the anonymous principal (an unsigned
/// request). Users are distinct owners: buckets and objects are owned by a principal's <see cref="CanonicalId"/>.
/// </summary>
public sealed class AccessPrincipal
{
    /// <summary>The principal of every unsigned request.</summary>
    public static AccessPrincipal Anonymous { get; } = new("*", "anonymous", "", isAnonymous: true, isAdmin: false);

    public AccessPrincipal(string canonicalId, string userName, string accountId, bool isAnonymous = false, bool isAdmin = false)
    {
        CanonicalId = canonicalId;
        UserName = userName;
        AccountId = accountId;
        IsAnonymous = isAnonymous;
        IsAdmin = isAdmin;
    }

    /// <summary>S3's canonical user id (the Owner ID in listings and ACLs); "*" for anonymous.</summary>
    public string CanonicalId { get; }

    /// <summary>The user's name (Owner DisplayName, aws:username).</summary>
    public string UserName { get; }

    /// <summary>The 12-digit account id a policy's Principal may name (arn:aws:iam::ACCOUNT:root / :user/NAME).</summary>
    public string AccountId { get; }

    public bool IsAnonymous { get; }

    /// <summary>The server's administrator (named in the credentials file), allowed everything as its owner would be.</summary>
    public bool IsAdmin { get; }

    /// <summary>The user's ARN, as a policy's Principal names it: arn:aws:iam::ACCOUNT:user/NAME ("*" for anonymous).</summary>
    public string Arn => IsAnonymous ? "*" : $"arn:aws:iam::{AccountId}:user/{UserName}";
}
