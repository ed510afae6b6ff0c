namespace Sluice.Server.Access.Policy;

/// <summary>
/// One statement of a bucket policy, parsed and validated. It applies to a request when the principal, the action,
/// the resource and every condition match (Not* elements inverting their match).
/// </summary>
internal sealed class PolicyStatement
{
    public required string? Sid { get; init; }
    public required bool Deny { get; init; }
    public required PolicyPrincipals Principals { get; init; }
    public required bool NotPrincipal { get; init; }
    public required PolicyPattern[] Actions { get; init; }
    public required bool NotAction { get; init; }
    public required PolicyPattern[] Resources { get; init; }
    public required bool NotResource { get; init; }
    public required PolicyCondition[] Conditions { get; init; }

    public bool Applies(PolicyContext context)
    {
        var request = context.Request;
        if (Principals.Matches(request.Principal) == NotPrincipal) return false;
        if (AnyAction(request.Action) == NotAction) return false;
        if (AnyResource(context) == NotResource) return false;
        foreach (var condition in Conditions)
            if (!condition.Evaluate(context)) return false;
        return true;
    }

    private bool AnyAction(string action)
    {
        foreach (var pattern in Actions)
            if (pattern.Like(action, null, ignoreCase: true)) return true;
        return false;
    }

    private bool AnyResource(PolicyContext context)
    {
        foreach (var pattern in Resources)
            if (pattern.Like(context.Resource, context)) return true;
        return false;
    }

    /// <summary>
    /// Whether the statement grants anything to everyone, per S3's meaning of "public": an Allow to every principal
    /// that no condition narrows to a fixed set of source addresses (aws:SourceIp with IpAddress, no /0 range) or a
    /// fixed value of aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, aws:userid or
    /// s3:x-amz-server-side-encryption-aws-kms-key-id.
    /// </summary>
    public bool IsPublic
    {
        get
        {
            if (Deny) return false;
            if (!(NotPrincipal || Principals.Everyone)) return false;
            foreach (var condition in Conditions)
                if (Restricts(condition)) return false;
            return true;
        }
    }

    private static readonly string[] FixedKeys =
    [
        "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceOwner", "aws:SourceAccount", "aws:userid",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    ];

    private static bool Restricts(PolicyCondition c)
    {
        // An absent key passes IfExists and ForAllValues tests: they narrow nothing for a caller who omits it.
        if (c.IfExists || c.Qualifier == ConditionQualifier.ForAllValues || c.Negated || c.Values.Count == 0) return false;
        if (c.Key.Equals("aws:SourceIp", StringComparison.OrdinalIgnoreCase))
            return c.Type == ConditionType.IpAddress && c.Ranges.All(r => r.Prefix > 0);
        if (!FixedKeys.Any(k => k.Equals(c.Key, StringComparison.OrdinalIgnoreCase))) return false;
        if (c.Type is not (ConditionType.String or ConditionType.StringIgnoreCase or ConditionType.StringLike or ConditionType.Arn))
            return false;
        return c.Values.All(v => !v.HasWildcards && !v.HasVariables);
    }
}
