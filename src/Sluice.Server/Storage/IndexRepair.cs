namespace Sluice.Server.Storage;

/// <summary>
/// What reconciling the key indexes with the object store changed at start (see <see cref="BucketIndexes"/>).
/// All zero after a clean stop, when <see cref="Reconciled"/> is false.
/// </summary>
/// <param name="Reconciled">True when the last run did not stop cleanly and at least one bucket's index was checked.</param>
/// <param name="Added">Objects on disk the index lacked (a write committed, not yet recorded, at the crash).</param>
/// <param name="Updated">Entries that described an older version than the file on disk.</param>
/// <param name="Removed">Entries whose object was gone (a delete committed, not yet recorded).</param>
public readonly record struct IndexRepair(bool Reconciled, int Added, int Updated, int Removed)
{
    /// <summary>Sums two repairs (over buckets).</summary>
    public static IndexRepair operator +(IndexRepair a, IndexRepair b) =>
        new(a.Reconciled || b.Reconciled, a.Added + b.Added, a.Updated + b.Updated, a.Removed + b.Removed);

    /// <summary>Sums two repairs (the named form of the + operator).</summary>
    public static IndexRepair Add(IndexRepair a, IndexRepair b) => a + b;
}
