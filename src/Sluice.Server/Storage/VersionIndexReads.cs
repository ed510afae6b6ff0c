using Sluice.Server.Index;

namespace Sluice.Server.Storage;

/// <summary>Lookups of one key's versions in a bucket's version index (<see cref="VersionKeys"/>), for both stores.</summary>
internal static class VersionIndexReads
{
    /// <summary>The key's newest noncurrent version or delete marker, or null (one seek).</summary>
    public static IndexEntry? Newest(BucketIndex versions, byte[] prefix)
    {
        var cursor = versions.CreateCursor();
        return cursor.Seek(prefix, inclusive: true) && cursor.CurrentKey.Span.StartsWith(prefix) ? cursor.Current : null;
    }

    /// <summary>The key's noncurrent versions and delete markers, newest first.</summary>
    public static List<IndexEntry> OfKey(BucketIndex versions, byte[] prefix)
    {
        var found = new List<IndexEntry>();
        var cursor = versions.CreateCursor();
        for (bool more = cursor.Seek(prefix, inclusive: true); more && cursor.CurrentKey.Span.StartsWith(prefix); more = cursor.MoveNext())
            found.Add(cursor.Current);
        return found;
    }

    /// <summary>The key's version named <paramref name="versionId"/> ("null" or an id) in the version index, or null.</summary>
    public static IndexEntry? Find(BucketIndex versions, string key, string versionId)
    {
        if (versionId == VersionIds.Null)
        {
            foreach (var entry in OfKey(versions, VersionKeys.PrefixOf(key)))
                if (entry.IsNullVersion) return entry;
            return null;
        }
        // A null version's id only orders it: it is named "null", never by that id.
        return versions.TryGet(VersionKeys.Of(key, versionId), out var found) && !found.IsNullVersion ? found : null;
    }

    /// <summary>True when <paramref name="metadata"/> (a current version) is the one <paramref name="versionId"/> names.</summary>
    public static bool Names(ObjectMetadata metadata, string versionId) =>
        versionId == VersionIds.Null ? metadata.IsNull : !metadata.IsNull && metadata.VersionId == versionId;
}
