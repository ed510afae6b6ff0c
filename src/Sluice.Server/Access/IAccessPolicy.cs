namespace Sluice.Server.Access;

/// <summary>A parsed access document (a bucket policy) that judges requests. Implementations are immutable and thread-safe.</summary>
public interface IAccessPolicy
{
    /// <summary>What the document says of <paramref name="request"/>; an evaluation error is <see cref="AccessDecision.ExplicitDeny"/>.</summary>
    AccessDecision Evaluate(AccessRequest request);

    /// <summary>Whether the document grants anything to everyone (GetBucketPolicyStatus's IsPublic; the public access block's RestrictPublicBuckets).</summary>
    bool IsPublic { get; }
}
