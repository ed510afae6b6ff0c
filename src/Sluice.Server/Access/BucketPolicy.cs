using System.Text.Json;
using Sluice.Server.Access.Policy;

namespace Sluice.Server.Access;

/// <summary>
/// A bucket policy (PutBucketPolicy's JSON document) parsed, validated as S3 validates it, and ready to judge requests:
/// the policy engine. <see cref="Parse"/> refuses what S3 refuses with S3's MalformedPolicy messages;
/// <see cref="Evaluate"/> follows IAM's evaluation logic — a statement applies when principal, action, resource and
/// every condition match; any applying Deny is <see cref="AccessDecision.ExplicitDeny"/>, else any applying Allow is
/// <see cref="AccessDecision.Allow"/>, else <see cref="AccessDecision.NotApplicable"/>; an evaluation that fails
/// denies. Immutable and thread-safe; parse once per stored document (<see cref="BucketPolicyCache"/>).
/// </summary>
public sealed class BucketPolicy : IAccessPolicy
{
    /// <summary>S3's bucket policy size limit (20 KB).</summary>
    public const int MaxDocumentBytes = 20 * 1024;

    public const string Version2012 = "2012-10-17";
    public const string Version2008 = "2008-10-17";

    private readonly PolicyStatement[] _statements;

    private BucketPolicy(string version, string? id, PolicyStatement[] statements)
    {
        Version = version;
        Id = id;
        _statements = statements;
        IsPublic = statements.Any(s => s.IsPublic);
    }

    /// <summary>The document's Version (2008-10-17 when it names none, as S3 reads it).</summary>
    public string Version { get; }

    public string? Id { get; }

    public int StatementCount => _statements.Length;

    /// <inheritdoc/>
    public bool IsPublic { get; }

    /// <summary>
    /// Parses and validates a policy for <paramref name="bucket"/>: every Resource must name the bucket or objects in
    /// it. <paramref name="principalExists"/>, when given, is asked about each principal the document names (an
    /// account id, a user ARN, a canonical id): S3 refuses a policy naming a principal that does not exist.
    /// </summary>
    /// <exception cref="BucketPolicyException">The document is not one S3 accepts (Code and message as S3 answers).</exception>
    public static BucketPolicy Parse(ReadOnlySpan<byte> json, string bucket, Func<string, bool>? principalExists = null)
    {
        if (json.Length > MaxDocumentBytes)
            throw new BucketPolicyException("Policy exceeds the maximum allowed document size.", BucketPolicyException.PolicyTooLarge);
        if (json.IsEmpty || json[0] != (byte)'{')
            throw new BucketPolicyException("Policies must be valid JSON and the first byte must be '{'");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            throw new BucketPolicyException("This policy contains invalid Json");
        }
        using (document)
        {
            return Read(document.RootElement, bucket, principalExists);
        }
    }

    private static BucketPolicy Read(JsonElement root, string bucket, Func<string, bool>? principalExists)
    {
        string version = Version2008;
        string? id = null;
        JsonElement? statement = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name)) throw new BucketPolicyException("This policy contains invalid Json");
            switch (property.Name)
            {
                case "Version":
                    version = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : "";
                    if (version is not (Version2012 or Version2008))
                        throw new BucketPolicyException("The policy must contain a valid version string");
                    break;
                case "Id":
                    if (property.Value.ValueKind != JsonValueKind.String) throw new BucketPolicyException("This policy contains invalid Json");
                    id = property.Value.GetString();
                    break;
                case "Statement":
                    statement = property.Value;
                    break;
                default:
                    throw new BucketPolicyException("Unknown field " + property.Name);
            }
        }
        if (statement is not { } list) throw new BucketPolicyException("Missing required field Statement");
        bool variables = version == Version2012;
        var statements = new List<PolicyStatement>();
        switch (list.ValueKind)
        {
            case JsonValueKind.Object:
                statements.Add(ReadStatement(list, bucket, variables, principalExists));
                break;
            case JsonValueKind.Array:
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object) throw new BucketPolicyException("This policy contains invalid Json");
                    statements.Add(ReadStatement(item, bucket, variables, principalExists));
                }
                break;
            default:
                throw new BucketPolicyException("This policy contains invalid Json");
        }
        if (statements.Count == 0) throw new BucketPolicyException("Could not parse the policy: Statement is empty!");
        var sids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in statements)
            if (s.Sid is { Length: > 0 } sid && !sids.Add(sid))
                throw new BucketPolicyException("Statement IDs (SID) in a single policy must be unique.");
        return new BucketPolicy(version, id, [.. statements]);
    }

    private static PolicyStatement ReadStatement(JsonElement element, string bucket, bool variables, Func<string, bool>? principalExists)
    {
        string? sid = null, effect = null;
        JsonElement? principal = null, notPrincipal = null, action = null, notAction = null, resource = null, notResource = null, condition = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name)) throw new BucketPolicyException("This policy contains invalid Json");
            switch (property.Name)
            {
                case "Sid":
                    if (property.Value.ValueKind != JsonValueKind.String) throw new BucketPolicyException("This policy contains invalid Json");
                    sid = property.Value.GetString();
                    break;
                case "Effect":
                    effect = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                    break;
                case "Principal": principal = property.Value; break;
                case "NotPrincipal": notPrincipal = property.Value; break;
                case "Action": action = property.Value; break;
                case "NotAction": notAction = property.Value; break;
                case "Resource": resource = property.Value; break;
                case "NotResource": notResource = property.Value; break;
                case "Condition": condition = property.Value; break;
                default: throw new BucketPolicyException("Unknown field " + property.Name);
            }
        }
        if (effect == null) throw new BucketPolicyException("Missing required field Effect");
        if (effect is not ("Allow" or "Deny")) throw new BucketPolicyException("Invalid effect: " + effect);
        if (principal == null && notPrincipal == null) throw new BucketPolicyException("Missing required field Principal");
        if (principal != null && notPrincipal != null) throw new BucketPolicyException("Invalid principal in policy");
        if (action == null && notAction == null) throw new BucketPolicyException("Missing required field Action");
        if (action != null && notAction != null) throw new BucketPolicyException("Policy has invalid action");
        if (resource == null && notResource == null) throw new BucketPolicyException("Missing required field Resource");
        if (resource != null && notResource != null) throw new BucketPolicyException("Policy has invalid resource");

        var principals = PolicyPrincipals.Parse((principal ?? notPrincipal)!.Value, principalExists);
        var actions = ReadActions((action ?? notAction)!.Value);
        var resources = ReadResources((resource ?? notResource)!.Value, bucket, variables);
        if (action != null) CheckActionsApply(actions, resources, bucket);
        var conditions = condition is { } c ? ReadConditions(c, variables) : [];
        return new PolicyStatement
        {
            Sid = sid,
            Deny = effect == "Deny",
            Principals = principals,
            NotPrincipal = notPrincipal != null,
            Actions = actions,
            NotAction = notAction != null,
            Resources = resources,
            NotResource = notResource != null,
            Conditions = conditions,
        };
    }

    private static PolicyPattern[] ReadActions(JsonElement element)
    {
        const string Invalid = "Policy has invalid action";
        var names = StringOrArray(element, Invalid);
        if (names.Count == 0) throw new BucketPolicyException(Invalid);
        var patterns = new PolicyPattern[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            string name = names[i];
            var pattern = PolicyPattern.Compile(name, variables: false);
            bool known = name == "*"
                || (name.StartsWith("s3:", StringComparison.OrdinalIgnoreCase)
                    && (pattern.HasWildcards
                        ? S3Actions.All.Keys.Any(a => pattern.Like(a, null, ignoreCase: true))
                        : S3Actions.All.ContainsKey(name)));
            if (!known) throw new BucketPolicyException(Invalid);
            patterns[i] = pattern;
        }
        return patterns;
    }

    private static PolicyPattern[] ReadResources(JsonElement element, string bucket, bool variables)
    {
        const string Invalid = "Policy has invalid resource";
        var names = StringOrArray(element, Invalid);
        if (names.Count == 0) throw new BucketPolicyException(Invalid);
        string bucketArn = "arn:aws:s3:::" + bucket;
        var patterns = new PolicyPattern[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            var pattern = PolicyPattern.Compile(names[i], variables);
            // A bucket policy's resources are the bucket and its objects: anything else is refused.
            if (names[i].Length == 0 || !(pattern.CouldMatch(bucketArn) || pattern.CanMatchWithPrefix(bucketArn + "/")))
                throw new BucketPolicyException(Invalid);
            patterns[i] = pattern;
        }
        return patterns;
    }

    /// <summary>S3 refuses a statement naming an action none of its resources can be the target of (an object
    /// action with only the bucket's ARN, ListBucket with only objects). Wildcard actions are not checked.</summary>
    private static void CheckActionsApply(PolicyPattern[] actions, PolicyPattern[] resources, string bucket)
    {
        string bucketArn = "arn:aws:s3:::" + bucket;
        bool bucketResource = resources.Any(r => r.CouldMatch(bucketArn));
        bool objectResource = resources.Any(r => r.CanMatchWithPrefix(bucketArn + "/"));
        bool anyResource = resources.Any(r => r.Source == "*");
        foreach (var action in actions)
        {
            if (action.HasWildcards) continue;
            bool applies = S3Actions.All[action.Source] switch
            {
                S3ActionScope.Object => objectResource,
                S3ActionScope.Bucket => bucketResource,
                _ => anyResource,
            };
            if (!applies) throw new BucketPolicyException("Action does not apply to any resource(s) in statement");
        }
    }

    private static PolicyCondition[] ReadConditions(JsonElement element, bool variables)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new BucketPolicyException("This policy contains invalid Json");
        var conditions = new List<PolicyCondition>();
        foreach (var op in element.EnumerateObject())
        {
            if (!PolicyCondition.TryParseOperator(op.Name, out _, out _, out _, out _, out _))
                throw new BucketPolicyException("Invalid Condition type : " + op.Name);
            if (op.Value.ValueKind != JsonValueKind.Object) throw new BucketPolicyException("This policy contains invalid Json");
            foreach (var key in op.Value.EnumerateObject())
            {
                if (!ConditionKeyCatalog.IsKnown(key.Name)) throw new BucketPolicyException("Policy has an invalid condition key");
                var values = ConditionValues(key.Value);
                conditions.Add(PolicyCondition.Create(op.Name, key.Name, values, variables));
            }
        }
        return [.. conditions];
    }

    /// <summary>A condition's values: a string, number or boolean, or an array of them.</summary>
    private static List<string> ConditionValues(JsonElement element)
    {
        var values = new List<string>();
        void Add(JsonElement v)
        {
            switch (v.ValueKind)
            {
                case JsonValueKind.String: values.Add(v.GetString()!); break;
                case JsonValueKind.Number: values.Add(v.GetRawText()); break;
                case JsonValueKind.True: values.Add("true"); break;
                case JsonValueKind.False: values.Add("false"); break;
                default: throw new BucketPolicyException("This policy contains invalid Json");
            }
        }
        if (element.ValueKind == JsonValueKind.Array)
            foreach (var v in element.EnumerateArray()) Add(v);
        else
            Add(element);
        return values;
    }

    /// <summary>An element written as one string or an array of strings.</summary>
    internal static List<string> StringOrArray(JsonElement element, string invalid)
    {
        var values = new List<string>();
        if (element.ValueKind == JsonValueKind.String)
        {
            values.Add(element.GetString()!);
            return values;
        }
        if (element.ValueKind != JsonValueKind.Array) throw new BucketPolicyException(invalid);
        foreach (var v in element.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.String) throw new BucketPolicyException(invalid);
            values.Add(v.GetString()!);
        }
        return values;
    }

    /// <inheritdoc/>
    public AccessDecision Evaluate(AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var context = new PolicyContext(request);
            bool allowed = false;
            foreach (var statement in _statements)
            {
                if (!statement.Applies(context)) continue;
                if (statement.Deny) return AccessDecision.ExplicitDeny;
                allowed = true;
            }
            return allowed ? AccessDecision.Allow : AccessDecision.NotApplicable;
        }
        catch (Exception)
        {
            // Never fail open: a request the policy cannot judge (a malformed request value, a failing key source)
            // is denied.
            return AccessDecision.ExplicitDeny;
        }
    }
}
