namespace Sluice.Client;

/// <summary>
/// One condition of a POST upload's policy: the form field <see cref="Field"/> (without '$') must equal
/// <see cref="Value"/> (<see cref="Eq"/>) or start with it (<see cref="StartsWith"/>; an empty prefix allows any value).
/// </summary>
public sealed record PostPolicyCondition(string Operation, string Field, string Value)
{
    /// <summary>The field must be exactly <paramref name="value"/>.</summary>
    public static PostPolicyCondition Eq(string field, string value) => new("eq", field, value);

    /// <summary>The field must start with <paramref name="prefix"/> ("" allows anything).</summary>
    public static PostPolicyCondition StartsWith(string field, string prefix) => new("starts-with", field, prefix);
}
