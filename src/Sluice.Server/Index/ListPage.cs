namespace Sluice.Server.Index;

/// <summary>
/// One page of a bucket listing: the objects and common prefixes (each sorted; together they are the merged
/// walk), whether more follow, and what the next request starts after. Entries and prefixes reference the
/// index's immutable key bytes; nothing is copied.
/// </summary>
public sealed class ListPage : IListingSink<IndexEntry>
{
    /// <summary>Objects listed on their own, in key order.</summary>
    public List<IndexEntry> Contents { get; } = [];

    /// <summary>Common prefixes (UTF-8), in order.</summary>
    public List<ReadOnlyMemory<byte>> CommonPrefixes { get; } = [];

    /// <summary>More keys or prefixes follow.</summary>
    public bool IsTruncated { get; private set; }

    /// <summary>The last key or common prefix returned; empty for an empty page.</summary>
    public ReadOnlyMemory<byte> LastItem { get; private set; }

    /// <summary>Whether the request had a delimiter (decides V1's NextMarker).</summary>
    public bool HasDelimiter { get; private set; }

    /// <summary>V2 KeyCount: keys plus common prefixes.</summary>
    public int KeyCount => Contents.Count + CommonPrefixes.Count;

    /// <summary>V2 NextContinuationToken: set only when truncated.</summary>
    public string? NextContinuationToken => IsTruncated ? ContinuationToken.Encode(LastItem.Span) : null;

    /// <summary>
    /// V1 NextMarker: S3 returns it only when the request had a delimiter and the page is truncated; otherwise a
    /// client continues from the last Key. Null when absent.
    /// </summary>
    public ReadOnlyMemory<byte>? NextMarker => IsTruncated && HasDelimiter ? LastItem : (ReadOnlyMemory<byte>?)null;

    /// <summary>Empties the page for reuse.</summary>
    public void Clear()
    {
        Contents.Clear();
        CommonPrefixes.Clear();
        IsTruncated = false;
        LastItem = default;
        HasDelimiter = false;
    }

    void IListingSink<IndexEntry>.OnItem(IndexEntry item) => Contents.Add(item);

    void IListingSink<IndexEntry>.OnCommonPrefix(ReadOnlyMemory<byte> prefix) => CommonPrefixes.Add(prefix);

    internal void Complete(WalkResult result, bool hasDelimiter)
    {
        IsTruncated = result.IsTruncated;
        LastItem = result.LastItem;
        HasDelimiter = hasDelimiter;
    }
}
