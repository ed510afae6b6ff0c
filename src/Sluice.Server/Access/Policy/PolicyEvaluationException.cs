namespace Sluice.Server.Access.Policy;

/// <summary>A request value a condition cannot read (a non-numeric value for a Numeric operator...): the policy's
/// answer is then <see cref="AccessDecision.ExplicitDeny"/>.</summary>
internal sealed class PolicyEvaluationException(string message) : Exception(message);
