namespace Sluice.Server.Access;

/// <summary>
/// A request's policy condition keys, resolved only when a policy asks (an object's existing tags are read from the
/// store only for a condition on <c>s3:ExistingObjectTag/…</c>). Key names compare case-insensitively, as IAM's do.
/// </summary>
public interface IConditionKeys
{
    /// <summary>The key's values for this request; false when the request has no such key (what IAM's Null operator and
    /// the <c>…IfExists</c> forms test).</summary>
    bool TryGetValues(string key, out IReadOnlyList<string> values);
}
