namespace Sluice.Cli.Bench;

/// <summary>What finished during second <see cref="Second"/> of a run (1-based: the slot ending at that second).</summary>
public sealed record TimelinePoint(int Second, long Operations, long Bytes, long Errors);
