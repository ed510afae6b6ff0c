namespace Sluice.Server.Index;

/// <summary>
/// The mutable heart of a partition: its current sorted run and the lock its writers take. Writes to keys in
/// different cells never wait for each other; the bucket-wide lock they also take is shared (see
/// <see cref="BucketIndex"/>), so only a map change that replaces many cells (a policy split or merge, a compaction's
/// journal rotation, a recovery) excludes them.
/// </summary>
/// <remarks>A cell outlives the <see cref="KeyPartition"/> that first held it when an emptied neighbour merges into it
/// (the merged range keeps this cell, so writers already inside it lose nothing); a split or a policy merge moves the
/// run into new cells and retires this one, and a writer that finds its cell retired looks its key up again.</remarks>
internal sealed class PartitionCell
{
    private PartitionData _data;
    private volatile bool _retired;

    public PartitionCell(PartitionData data) => _data = data;

    /// <summary>Held by a writer from reading the current entry to publishing the new run (and journaling it).</summary>
    public Lock Gate { get; } = new();

    public PartitionData Data => Volatile.Read(ref _data);

    /// <summary>The run moved to other cells: a writer holding <see cref="Gate"/> must find its key's cell again.</summary>
    public bool Retired => _retired;

    /// <summary>Replaces the run; callers hold <see cref="Gate"/> (or the bucket's gate closed).</summary>
    public void Publish(PartitionData data) => Volatile.Write(ref _data, data);

    /// <summary>Marks the cell replaced; callers hold <see cref="Gate"/> or the bucket's gate closed.</summary>
    public void Retire() => _retired = true;
}
