namespace Sluice.Server.Access.Policy;

/// <summary>
/// One evaluation's view of the request: its condition keys (the authorization stage's <see cref="IConditionKeys"/>
/// first, then the keys the principal itself answers — aws:username, aws:userid, aws:PrincipalArn,
/// aws:PrincipalAccount, aws:PrincipalType) and the policy variables resolved from them.
/// </summary>
internal sealed class PolicyContext
{
    private readonly AccessRequest _request;

    public PolicyContext(AccessRequest request)
    {
        _request = request;
        Resource = request.Resource;
    }

    public AccessRequest Request => _request;

    /// <summary>The resource ARN, built once per evaluation.</summary>
    public string Resource { get; }

    public bool TryGetValues(string key, out IReadOnlyList<string> values)
    {
        if (_request.Conditions.TryGetValues(key, out values)) return true;
        var principal = _request.Principal;
        string? value = null;
        if (key.Equals("aws:PrincipalType", StringComparison.OrdinalIgnoreCase))
            value = principal.IsAnonymous ? "Anonymous" : "User";
        else if (!principal.IsAnonymous)
        {
            if (key.Equals("aws:username", StringComparison.OrdinalIgnoreCase)) value = principal.UserName;
            else if (key.Equals("aws:userid", StringComparison.OrdinalIgnoreCase)) value = principal.CanonicalId;
            else if (key.Equals("aws:PrincipalArn", StringComparison.OrdinalIgnoreCase)) value = principal.Arn;
            else if (key.Equals("aws:PrincipalAccount", StringComparison.OrdinalIgnoreCase)) value = principal.AccountId;
        }
        if (value == null)
        {
            values = [];
            return false;
        }
        values = [value];
        return true;
    }

    /// <summary>A variable's value: the key's first value, or the default in <c>${key, 'default'}</c>; false when
    /// neither exists (the element then matches nothing, as IAM does).</summary>
    public bool TryGetVariable(string name, out string value)
    {
        string key = name;
        string? fallback = null;
        int comma = name.IndexOf(',');
        if (comma > 0)
        {
            key = name[..comma].Trim();
            string rest = name[(comma + 1)..].Trim();
            if (rest.Length >= 2 && rest[0] == '\'' && rest[^1] == '\'') fallback = rest[1..^1];
        }
        if (TryGetValues(key, out var values) && values.Count > 0)
        {
            value = values[0];
            return true;
        }
        value = fallback ?? "";
        return fallback != null;
    }
}
