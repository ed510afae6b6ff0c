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
}
