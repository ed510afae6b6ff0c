namespace Sluice.Server.Storage;

/// <summary>
/// What the disk store tells its key index about a write, under the key's commit stripe (the one lock a write
/// takes): a version just before it becomes visible, and — should the publication then fail — that the index must
/// describe what the store holds again. A record that throws stops the write with nothing changed.
/// </summary>
internal interface IPublishJournal
{
    /// <summary>Records <paramref name="metadata"/> as the key's version, durably, before the rename publishes it.</summary>
    ValueTask RecordPutAsync(ObjectMetadata metadata);

    /// <summary>Records the key's removal, durably, before the unlink.</summary>
    ValueTask RecordDeleteAsync(string key);

    /// <summary>After a recorded write failed to publish: makes the key's record match the store (never throws).</summary>
    ValueTask ResyncAsync(string key);

    /// <summary>The bucket's versioning state (cached; read on every write to decide what it does).</summary>
    VersioningState Versioning { get; }

    /// <summary>The bucket's version index (noncurrent versions and delete markers).</summary>
    Index.BucketIndex Versions { get; }

    /// <summary>
    /// Records a versioned change of <paramref name="key"/>, durably, before any file moves: its current version
    /// (<paramref name="current"/>, null: none), versions entering the version index and entries leaving it.
    /// </summary>
    ValueTask RecordVersionsAsync(string key, ObjectMetadata? current, IReadOnlyList<ObjectMetadata> versionPuts,
        IReadOnlyList<Index.IndexEntry> versionDeletes);
}
