using System.Collections.Frozen;

namespace Sluice.Server.Access;

/// <summary>
/// The server's users as the authorization stage looks them up: access key → principal (an authenticated request's
/// caller), canonical id → user (Owner display names, grant validation), e-mail → user (AmazonCustomerByEmail grants).
/// Immutable once built.
/// </summary>
internal sealed class ServerUsers
{
    private readonly FrozenDictionary<string, AccessPrincipal> _byAccessKey;
    private readonly FrozenDictionary<string, AccessPrincipal> _byId;
    private readonly FrozenDictionary<string, ServerUser> _byEmail;
    private readonly AccessPrincipal _defaultPrincipal;

    /// <param name="users">The users in the order given (the first owns buckets created before owners were recorded).</param>
    /// <param name="accessKeys">Every access key the server accepts; those no user names act as <see cref="ServerUser.Default"/>.</param>
    public ServerUsers(IReadOnlyList<ServerUser>? users, IEnumerable<string> accessKeys)
    {
        var list = users is { Count: > 0 } ? users : [ServerUser.Default];
        var byId = new Dictionary<string, AccessPrincipal>(StringComparer.Ordinal);
        var byKey = new Dictionary<string, AccessPrincipal>(StringComparer.Ordinal);
        var byEmail = new Dictionary<string, ServerUser>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in list)
        {
            if (byId.ContainsKey(user.CanonicalId)) throw new ArgumentException($"two users have the canonical id {user.CanonicalId}");
            var principal = new AccessPrincipal(user.CanonicalId, user.Name, user.AccountId, isAnonymous: false, isAdmin: user.IsAdmin);
            byId[user.CanonicalId] = principal;
            foreach (string key in user.AccessKeys)
                if (!byKey.TryAdd(key, principal)) throw new ArgumentException($"access key {key} names two users");
            if (user.Email is { Length: > 0 } email && !byEmail.TryAdd(email, user))
                throw new ArgumentException($"two users have the e-mail address {email}");
        }
        if (!byId.TryGetValue(ServerUser.Default.CanonicalId, out var fallback))
        {
            fallback = new AccessPrincipal(ServerUser.Default.CanonicalId, ServerUser.Default.Name, ServerUser.Default.AccountId);
            if (accessKeys.Any(k => !byKey.ContainsKey(k))) byId[fallback.CanonicalId] = fallback;
        }
        foreach (string key in accessKeys) byKey.TryAdd(key, fallback);
        _defaultPrincipal = fallback;
        _byAccessKey = byKey.ToFrozenDictionary(StringComparer.Ordinal);
        _byId = byId.ToFrozenDictionary(StringComparer.Ordinal);
        _byEmail = byEmail.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        LegacyOwner = list[0].CanonicalId;
        var legacy = _byId[LegacyOwner];
        DevelopmentPrincipal = new AccessPrincipal(legacy.CanonicalId, legacy.UserName, legacy.AccountId, isAnonymous: false, isAdmin: true);
    }

    /// <summary>The owner of buckets whose owner was never recorded (data directories of earlier versions).</summary>
    public string LegacyOwner { get; }

    /// <summary>Who unsigned requests act as with <see cref="SluiceServerOptions.AnonymousFullAccess"/>: the legacy owner, as an administrator.</summary>
    public AccessPrincipal DevelopmentPrincipal { get; }

    /// <summary>The principal an authenticated access key acts as (a key the credential store knows always has one).</summary>
    public AccessPrincipal OfAccessKey(string accessKey) =>
        _byAccessKey.TryGetValue(accessKey, out var principal) ? principal : _defaultPrincipal;

    /// <summary>The user with canonical id <paramref name="id"/>, or null.</summary>
    public AccessPrincipal? OfId(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The user with e-mail address <paramref name="email"/>, or null.</summary>
    public ServerUser? OfEmail(string email) => _byEmail.GetValueOrDefault(email);

    /// <summary>The display name of canonical id <paramref name="id"/> (the id itself for an unknown one).</summary>
    public string DisplayNameOf(string id) => _byId.TryGetValue(id, out var p) ? p.UserName : id;
}
