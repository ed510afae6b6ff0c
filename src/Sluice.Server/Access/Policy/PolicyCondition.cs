using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Server.Access.Policy;

/// <summary>
/// One operator × key test of a statement's Condition block with its values (any value matching satisfies a
/// positive operator; a negated one is satisfied when none matches). Values are parsed when the document is, so a
/// request only parses its own values; a request value of the wrong type is an evaluation error (the policy then
/// denies: access never fails open).
/// </summary>
internal sealed class PolicyCondition
{
    private readonly PolicyPattern[] _patterns;
    private readonly decimal[] _numbers;
    private readonly DateTimeOffset[] _dates;
    private readonly IpRange[] _ranges;

    private PolicyCondition(string op, string key, ConditionType type, ConditionComparison comparison, bool negated,
        bool ifExists, ConditionQualifier qualifier, PolicyPattern[] patterns, decimal[] numbers, DateTimeOffset[] dates,
        IpRange[] ranges, bool nullExpected)
    {
        Operator = op;
        Key = key;
        Type = type;
        Comparison = comparison;
        Negated = negated;
        IfExists = ifExists;
        Qualifier = qualifier;
        _patterns = patterns;
        _numbers = numbers;
        _dates = dates;
        _ranges = ranges;
        NullExpected = nullExpected;
    }

    public string Operator { get; }
    public string Key { get; }
    public ConditionType Type { get; }
    public ConditionComparison Comparison { get; }
    public bool Negated { get; }
    public bool IfExists { get; }
    public ConditionQualifier Qualifier { get; }
    public bool NullExpected { get; }
    public IReadOnlyList<PolicyPattern> Values => _patterns;
    public IReadOnlyList<IpRange> Ranges => _ranges;

    private static readonly Dictionary<string, (ConditionType Type, ConditionComparison Comparison, bool Negated)> Operators =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["StringEquals"] = (ConditionType.String, ConditionComparison.Equals, false),
            ["StringNotEquals"] = (ConditionType.String, ConditionComparison.Equals, true),
            ["StringEqualsIgnoreCase"] = (ConditionType.StringIgnoreCase, ConditionComparison.Equals, false),
            ["StringNotEqualsIgnoreCase"] = (ConditionType.StringIgnoreCase, ConditionComparison.Equals, true),
            ["StringLike"] = (ConditionType.StringLike, ConditionComparison.Equals, false),
            ["StringNotLike"] = (ConditionType.StringLike, ConditionComparison.Equals, true),
            ["NumericEquals"] = (ConditionType.Numeric, ConditionComparison.Equals, false),
            ["NumericNotEquals"] = (ConditionType.Numeric, ConditionComparison.Equals, true),
            ["NumericLessThan"] = (ConditionType.Numeric, ConditionComparison.LessThan, false),
            ["NumericLessThanEquals"] = (ConditionType.Numeric, ConditionComparison.LessThanEquals, false),
            ["NumericGreaterThan"] = (ConditionType.Numeric, ConditionComparison.GreaterThan, false),
            ["NumericGreaterThanEquals"] = (ConditionType.Numeric, ConditionComparison.GreaterThanEquals, false),
            ["DateEquals"] = (ConditionType.Date, ConditionComparison.Equals, false),
            ["DateNotEquals"] = (ConditionType.Date, ConditionComparison.Equals, true),
            ["DateLessThan"] = (ConditionType.Date, ConditionComparison.LessThan, false),
            ["DateLessThanEquals"] = (ConditionType.Date, ConditionComparison.LessThanEquals, false),
            ["DateGreaterThan"] = (ConditionType.Date, ConditionComparison.GreaterThan, false),
            ["DateGreaterThanEquals"] = (ConditionType.Date, ConditionComparison.GreaterThanEquals, false),
            ["Bool"] = (ConditionType.Bool, ConditionComparison.Equals, false),
            ["IpAddress"] = (ConditionType.IpAddress, ConditionComparison.Equals, false),
            ["NotIpAddress"] = (ConditionType.IpAddress, ConditionComparison.Equals, true),
            ["ArnEquals"] = (ConditionType.Arn, ConditionComparison.Equals, false),
            ["ArnLike"] = (ConditionType.Arn, ConditionComparison.Equals, false),
            ["ArnNotEquals"] = (ConditionType.Arn, ConditionComparison.Equals, true),
            ["ArnNotLike"] = (ConditionType.Arn, ConditionComparison.Equals, true),
            ["Null"] = (ConditionType.Null, ConditionComparison.Equals, false),
        };

    /// <summary>Reads an operator name (<c>ForAnyValue:StringLikeIfExists</c>...); false for anything IAM lacks.</summary>
    public static bool TryParseOperator(string name, out ConditionType type, out ConditionComparison comparison,
        out bool negated, out bool ifExists, out ConditionQualifier qualifier)
    {
        string rest = name;
        qualifier = ConditionQualifier.None;
        if (rest.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = ConditionQualifier.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }
        else if (rest.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = ConditionQualifier.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        ifExists = rest.EndsWith("IfExists", StringComparison.OrdinalIgnoreCase);
        if (ifExists) rest = rest[..^"IfExists".Length];
        type = default;
        comparison = default;
        negated = false;
        if (!Operators.TryGetValue(rest, out var entry)) return false;
        (type, comparison, negated) = entry;
        // Null takes neither a qualifier nor IfExists: it is the test of existence itself.
        return type != ConditionType.Null || (!ifExists && qualifier == ConditionQualifier.None);
    }

    /// <summary>Builds the test; a value its operator cannot read is MalformedPolicy.</summary>
    public static PolicyCondition Create(string op, string key, IReadOnlyList<string> values, bool variables)
    {
        if (!TryParseOperator(op, out var type, out var comparison, out bool negated, out bool ifExists, out var qualifier))
            throw new BucketPolicyException("Invalid Condition type : " + op);
        var patterns = values.Select(v => PolicyPattern.Compile(v, variables && type is ConditionType.String
            or ConditionType.StringIgnoreCase or ConditionType.StringLike or ConditionType.Arn)).ToArray();
        decimal[] numbers = [];
        DateTimeOffset[] dates = [];
        IpRange[] ranges = [];
        bool nullExpected = false;
        switch (type)
        {
            case ConditionType.Numeric:
                numbers = values.Select(v => TryNumber(v, out decimal d) ? d
                    : throw new BucketPolicyException("Invalid numeric value in Conditions")).ToArray();
                break;
            case ConditionType.Date:
                dates = values.Select(v => TryDate(v, out var d) ? d
                    : throw new BucketPolicyException("Invalid date value in Conditions")).ToArray();
                break;
            case ConditionType.Bool:
                foreach (string v in values)
                    if (!v.Equals("true", StringComparison.OrdinalIgnoreCase) && !v.Equals("false", StringComparison.OrdinalIgnoreCase))
                        throw new BucketPolicyException("Invalid boolean value in Conditions");
                break;
            case ConditionType.IpAddress:
                ranges = values.Select(v => IpRange.TryParse(v, out var r) ? r
                    : throw new BucketPolicyException("Invalid IP address in Conditions")).ToArray();
                break;
            case ConditionType.Null:
                if (values.Count != 1 || !(values[0].Equals("true", StringComparison.OrdinalIgnoreCase)
                    || values[0].Equals("false", StringComparison.OrdinalIgnoreCase)))
                    throw new BucketPolicyException("Invalid boolean value in Conditions");
                nullExpected = values[0].Equals("true", StringComparison.OrdinalIgnoreCase);
                break;
        }
        return new PolicyCondition(op, key, type, comparison, negated, ifExists, qualifier, patterns, numbers, dates, ranges, nullExpected);
    }

    /// <summary>Whether the request satisfies this test.</summary>
    public bool Evaluate(PolicyContext context)
    {
        bool present = context.TryGetValues(Key, out var requestValues) && requestValues.Count > 0;
        if (Type == ConditionType.Null) return NullExpected != present;
        if (!present)
        {
            if (IfExists) return true;
            return Qualifier switch
            {
                ConditionQualifier.ForAllValues => true, // every value of an empty set matches
                ConditionQualifier.ForAnyValue => false,
                _ => Negated, // a negated operator on a missing key is true, as IAM evaluates it
            };
        }
        if (Qualifier == ConditionQualifier.ForAllValues)
        {
            foreach (string v in requestValues)
                if (!Satisfies(v, context)) return false;
            return true;
        }
        if (Qualifier == ConditionQualifier.ForAnyValue || !Negated)
        {
            foreach (string v in requestValues)
                if (Satisfies(v, context)) return true;
            return false;
        }
        // A negated operator on a (single-valued) key: satisfied only when no request value matches a policy value.
        foreach (string v in requestValues)
            if (!Satisfies(v, context)) return false;
        return true;
    }

    /// <summary>One request value against the policy's values: matches any of them (positive operator) or none of
    /// them (negated).</summary>
    private bool Satisfies(string value, PolicyContext context)
    {
        bool any = false;
        switch (Type)
        {
            case ConditionType.String:
            case ConditionType.StringIgnoreCase:
                foreach (var p in _patterns)
                    if (p.EqualsValue(value, context, ignoreCase: Type == ConditionType.StringIgnoreCase)) { any = true; break; }
                break;
            case ConditionType.StringLike:
                foreach (var p in _patterns)
                    if (p.Like(value, context)) { any = true; break; }
                break;
            case ConditionType.Numeric:
                if (!TryNumber(value, out decimal n)) throw new PolicyEvaluationException($"{Key}: '{value}' is not a number");
                foreach (decimal d in _numbers)
                    if (Compare(n.CompareTo(d))) { any = true; break; }
                break;
            case ConditionType.Date:
                if (!TryDate(value, out var t)) throw new PolicyEvaluationException($"{Key}: '{value}' is not a date");
                foreach (var d in _dates)
                    if (Compare(t.CompareTo(d))) { any = true; break; }
                break;
            case ConditionType.Bool:
                foreach (var p in _patterns)
                    if (p.Source.Equals(value, StringComparison.OrdinalIgnoreCase)) { any = true; break; }
                break;
            case ConditionType.IpAddress:
                if (!IPAddress.TryParse(value, out var address)) throw new PolicyEvaluationException($"{Key}: '{value}' is not an IP address");
                foreach (var r in _ranges)
                    if (r.Contains(address)) { any = true; break; }
                break;
            case ConditionType.Arn:
                foreach (var p in _patterns)
                    if (ArnLike(p, value, context)) { any = true; break; }
                break;
        }
        return any != Negated;
    }

    private bool Compare(int order) => Comparison switch
    {
        ConditionComparison.Equals => order == 0,
        ConditionComparison.LessThan => order < 0,
        ConditionComparison.LessThanEquals => order <= 0,
        ConditionComparison.GreaterThan => order > 0,
        _ => order >= 0,
    };

    /// <summary>ArnEquals and ArnLike alike (IAM treats them the same): the six colon-separated parts match part by
    /// part, wildcards never crossing a colon before the resource part.</summary>
    private static bool ArnLike(PolicyPattern pattern, string value, PolicyContext context)
    {
        string? resolved = pattern.Resolve(context);
        if (resolved == null) return false;
        string[] want = resolved.Split(':', 6), have = value.Split(':', 6);
        if (want.Length != 6 || have.Length != 6) return false;
        for (int i = 0; i < 6; i++)
            if (!PolicyPattern.Compile(want[i], variables: false).Like(have[i], context)) return false;
        return true;
    }

    private static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>An ISO 8601 date or time (UTC unless it says otherwise) or POSIX epoch seconds, as IAM reads dates.</summary>
    internal static bool TryDate(string text, out DateTimeOffset value)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch))
        {
            try
            {
                value = DateTimeOffset.FromUnixTimeSeconds(epoch);
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
            }
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
