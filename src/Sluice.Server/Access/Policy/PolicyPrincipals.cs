using System.Text.RegularExpressions;

namespace Sluice.Server.Access.Policy;

/// <summary>
/// A statement's Principal (or NotPrincipal): everyone (<c>"*"</c> or <c>{"AWS": "*"}</c>, anonymous included),
/// accounts (a 12-digit id or <c>arn:aws:iam::ID:root</c>: every user of the account), users by ARN, and canonical
/// user ids. Service and federated principals are accepted (policies written for AWS carry them) and match no
/// request here: no request comes from an AWS service.
/// </summary>
internal sealed partial class PolicyPrincipals
{
    private const string Invalid = "Invalid principal in policy";

    private readonly HashSet<string> _accounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _arns = new(StringComparer.Ordinal);
    private readonly HashSet<string> _canonical = new(StringComparer.Ordinal);

    /// <summary>True when the element names everyone.</summary>
    public bool Everyone { get; private set; }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex("^arn:aws:iam::([0-9]{12}):(root|user/[\\w+=,.@/-]+|role/[\\w+=,.@/-]+)$")]
    private static partial Regex IamArn();

    [GeneratedRegex("^arn:aws:sts::([0-9]{12}):assumed-role/[\\w+=,.@/-]+$")]
    private static partial Regex StsArn();

    public static PolicyPrincipals Parse(System.Text.Json.JsonElement element, Func<string, bool>? principalExists)
    {
        var principals = new PolicyPrincipals();
        switch (element.ValueKind)
        {
            case System.Text.Json.JsonValueKind.String when element.GetString() == "*":
                principals.Everyone = true;
                return principals;
            case System.Text.Json.JsonValueKind.Object:
                break;
            default:
                throw new BucketPolicyException(Invalid);
        }
        bool any = false;
        foreach (var property in element.EnumerateObject())
        {
            var values = BucketPolicy.StringOrArray(property.Value, Invalid);
            if (values.Count == 0) throw new BucketPolicyException(Invalid);
            any = true;
            switch (property.Name)
            {
                case "AWS":
                    foreach (string v in values) principals.AddAws(v, principalExists);
                    break;
                case "CanonicalUser":
                    foreach (string v in values)
                    {
                        if (v.Length == 0 || v.Contains('*') || (principalExists != null && !principalExists(v)))
                            throw new BucketPolicyException(Invalid);
                        principals._canonical.Add(v);
                    }
                    break;
                case "Service":
                case "Federated":
                    foreach (string v in values)
                        if (v.Length == 0 || v.Contains('*')) throw new BucketPolicyException(Invalid);
                    break;
                default:
                    throw new BucketPolicyException(Invalid);
            }
        }
        if (!any) throw new BucketPolicyException(Invalid);
        return principals;
    }

    private void AddAws(string value, Func<string, bool>? principalExists)
    {
        if (value == "*")
        {
            Everyone = true;
            return;
        }
        if (AccountId().IsMatch(value))
        {
            if (principalExists != null && !principalExists(value)) throw new BucketPolicyException(Invalid);
            _accounts.Add(value);
            return;
        }
        var iam = IamArn().Match(value);
        if (iam.Success)
        {
            if (principalExists != null && !principalExists(value)) throw new BucketPolicyException(Invalid);
            if (iam.Groups[2].Value == "root") _accounts.Add(iam.Groups[1].Value);
            else _arns.Add(value);
            return;
        }
        if (StsArn().IsMatch(value))
        {
            _arns.Add(value); // no request carries an assumed role here; kept so the document reads back as written
            return;
        }
        throw new BucketPolicyException(Invalid);
    }

    public bool Matches(AccessPrincipal principal)
    {
        if (Everyone) return true;
        if (principal.IsAnonymous) return false;
        return _accounts.Contains(principal.AccountId) || _arns.Contains(principal.Arn) || _canonical.Contains(principal.CanonicalId);
    }
}
