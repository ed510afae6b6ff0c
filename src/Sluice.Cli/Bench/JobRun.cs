namespace Sluice.Cli.Bench;

/// <summary>How a job's run went: measured seconds, whether --autoterm ended it, its cost, and (when asked) every request.</summary>
public sealed record JobRun(double Seconds, bool AutoTerminated, ResourceUsage Usage, IReadOnlyList<OpRecord>? Records);
