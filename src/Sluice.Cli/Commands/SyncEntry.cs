namespace Sluice.Cli.Commands;

/// <summary>
/// One file or object seen by <c>sluice sync</c>: its path relative to the synced directory or prefix (always with
/// '/'), its size and modification time, and for objects the ETag as listed (quotes included).
/// </summary>
internal sealed record SyncEntry(string Relative, long Size, DateTimeOffset LastModified, string? ETag);
