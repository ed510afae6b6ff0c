namespace Sluice.S3.Conditions;

/// <summary>The outcome of a request's preconditions.</summary>
public enum ConditionResult
{
    /// <summary>Carry on with the request.</summary>
    Proceed,

    /// <summary>304 Not Modified (GET/HEAD only).</summary>
    NotModified,

    /// <summary>412 PreconditionFailed.</summary>
    PreconditionFailed,

    /// <summary>404 NoSuchKey: If-Match on a write whose target does not exist.</summary>
    NoSuchKey,

    /// <summary>501 NotImplemented: If-None-Match on a write with anything but "*".</summary>
    NotImplemented,
}
