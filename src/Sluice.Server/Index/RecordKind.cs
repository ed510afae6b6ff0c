namespace Sluice.Server.Index;

/// <summary>The first payload byte of every persisted index record.</summary>
internal enum RecordKind : byte
{
    Put = 1,
    Delete = 2,
    JournalHeader = 3,
    SnapshotHeader = 4,
    Boundary = 5,
    SnapshotEnd = 6,
}
