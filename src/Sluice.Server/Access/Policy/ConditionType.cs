namespace Sluice.Server.Access.Policy;

/// <summary>The value type a condition operator compares.</summary>
internal enum ConditionType : byte { String, StringIgnoreCase, StringLike, Numeric, Date, Bool, IpAddress, Arn, Null }

/// <summary>How an operator compares one value with another of its type.</summary>
internal enum ConditionComparison : byte { Equals, LessThan, LessThanEquals, GreaterThan, GreaterThanEquals }

/// <summary>A set qualifier: how a multi-valued key's values combine.</summary>
internal enum ConditionQualifier : byte { None, ForAllValues, ForAnyValue }
