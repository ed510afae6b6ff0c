namespace Sluice.Server.Access;

/// <summary>
/// What one access source (a bucket policy, an ACL, the owner's implicit rights) says of a request. Sources are
/// combined as AWS does: any <see cref="ExplicitDeny"/> wins, else any <see cref="Allow"/>, else the request is
/// denied (implicit deny). An evaluation that fails is an <see cref="ExplicitDeny"/>: access never fails open.
/// </summary>
public enum AccessDecision
{
    /// <summary>The source has nothing to say about the request.</summary>
    NotApplicable,

    /// <summary>The source grants the request.</summary>
    Allow,

    /// <summary>The source refuses the request; nothing else can grant it.</summary>
    ExplicitDeny,
}
