namespace Sluice.Server.Index;

/// <summary>
/// S3's listing rules over any ordered key cursor (objects now, multipart uploads later): keys under
/// <c>prefix</c>, rolled up into common prefixes at the first <c>delimiter</c> after the prefix, only results
/// (keys or common prefixes) that sort after <c>after</c> (marker / start-after / continuation token), at most
/// <c>maxItems</c> of them, where a common prefix counts once.
/// </summary>
/// <remarks>
/// A common prefix is never walked key by key: after emitting (or passing) it, the walker seeks to the prefix's
/// upper bound, so a million keys under <c>a/</c> cost one seek. "Sorts after <c>after</c>" applies to the common
/// prefix itself, so a marker inside a rolled-up prefix (or equal to it, as a NextMarker is) does not repeat it.
/// IsTruncated is exact: it is set only when another result exists.
/// </remarks>
public static class ListingWalker
{
    /// <summary>Walks one page.</summary>
    /// <param name="cursor">Any cursor; it is repositioned.</param>
    /// <param name="prefix">Only keys starting with these bytes; empty for all.</param>
    /// <param name="delimiter">Roll-up delimiter; empty for none.</param>
    /// <param name="after">Results must sort strictly after this; empty for no bound.</param>
    /// <param name="maxItems">Most results to return; 0 returns an empty, untruncated page as S3 does.</param>
    /// <param name="sink">Receives the results.</param>
    public static WalkResult Walk<TCursor, T, TSink>(ref TCursor cursor, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> delimiter, ReadOnlySpan<byte> after, int maxItems, TSink sink)
        where TCursor : struct, IKeyCursor<T>
        where TSink : IListingSink<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxItems);
        if (maxItems == 0)
        {
            return default;
        }

        bool hasAfter = !after.IsEmpty;
        bool more = hasAfter && after.SequenceCompareTo(prefix) >= 0
            ? cursor.Seek(after, inclusive: false)
            : cursor.Seek(prefix, inclusive: true);
        Span<byte> bound = stackalloc byte[IndexEntry.MaxKeyLength];
        int count = 0;
        ReadOnlyMemory<byte> last = default;
        while (more)
        {
            ReadOnlyMemory<byte> keyMemory = cursor.CurrentKey;
            ReadOnlySpan<byte> key = keyMemory.Span;
            if (!key.StartsWith(prefix))
            {
                // Sorted input: the first key past the prefix range ends it.
                break;
            }

            int rolled = delimiter.IsEmpty ? -1 : key[prefix.Length..].IndexOf(delimiter);
            if (rolled < 0)
            {
                if (count == maxItems)
                {
                    return new WalkResult(count, true, last);
                }

                sink.OnItem(cursor.Current);
                last = keyMemory;
                count++;
                more = cursor.MoveNext();
                continue;
            }

            ReadOnlyMemory<byte> common = keyMemory[..(prefix.Length + rolled + delimiter.Length)];
            if (!hasAfter || common.Span.SequenceCompareTo(after) > 0)
            {
                if (count == maxItems)
                {
                    return new WalkResult(count, true, last);
                }

                sink.OnCommonPrefix(common);
                last = common;
                count++;
            }

            more = SeekPast<TCursor, T>(ref cursor, common.Span, bound);
        }

        return new WalkResult(count, false, last);
    }

    private static bool SeekPast<TCursor, T>(ref TCursor cursor, ReadOnlySpan<byte> common, Span<byte> scratch)
        where TCursor : struct, IKeyCursor<T>
    {
        if (common.Length > scratch.Length)
        {
            // Keys longer than S3 allows only reach here from cursors over other data; not a hot path.
            scratch = new byte[common.Length];
        }

        // No upper bound (all 0xFF bytes) means no key can follow the prefix's keys.
        return Utf8KeyComparer.TryGetPrefixUpperBound(common, scratch, out int length)
            && cursor.Seek(scratch[..length], inclusive: true);
    }
}
