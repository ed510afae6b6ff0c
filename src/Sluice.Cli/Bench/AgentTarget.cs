namespace Sluice.Cli.Bench;

/// <summary>
/// The S3 service an agent drives and how to sign for it, as the driver sends it (credentials included: an agent's
/// port must only be reachable by its driver, as warp warns for its clients).
/// </summary>
public sealed record AgentTarget
{
    public required string Endpoint { get; init; }
    public required string AccessKeyId { get; init; }
    public required string SecretAccessKey { get; init; }
    public string? SessionToken { get; init; }
    public required string Region { get; init; }
    public bool? ForcePathStyle { get; init; }
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The client I/O engine (uring, managed) or null for the agent's default.</summary>
    public string? Io { get; init; }
}
