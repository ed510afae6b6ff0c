namespace Sluice.Server.Index;

/// <summary>What a snapshot file holds: its generation, the next journal sequence, partition boundaries and entries.</summary>
internal sealed record SnapshotContents(long Generation, long NextSequence, List<byte[]> Boundaries, List<IndexEntry> Entries);
