namespace Sluice.IO.Files;

/// <summary>
/// The flags of sync_file_range(2): start writeback of a range's dirty pages (<see cref="Write"/>) and/or wait for
/// writeback already under way (<see cref="WaitBefore"/>, <see cref="WaitAfter"/>). None of them makes data durable
/// (no metadata, no disk cache flush): they only move the disk writes earlier; durability still needs a flush.
/// </summary>
[Flags]
public enum SyncRangeMode : uint
{
    None = 0,

    /// <summary>SYNC_FILE_RANGE_WAIT_BEFORE: wait for writeback of the range's pages already being written.</summary>
    WaitBefore = 1,

    /// <summary>SYNC_FILE_RANGE_WRITE: start writeback of the range's dirty pages (does not wait for it).</summary>
    Write = 2,

    /// <summary>SYNC_FILE_RANGE_WAIT_AFTER: wait for the writeback this call started.</summary>
    WaitAfter = 4,
}
