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

    /// <summary>The partition policy split a range at the record's key (journal only; a snapshot keeps boundaries).</summary>
    Split = 7,

    /// <summary>The partition policy merged the range starting at the record's key into its left neighbour.</summary>
    Merge = 8,
}
