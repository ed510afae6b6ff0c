namespace Sluice.Server.Index;

/// <summary>
/// A forward cursor over items ordered by UTF-8 key, with seeking: what <see cref="ListingWalker"/> needs to list
/// objects, and later multipart uploads, with S3's prefix/delimiter/marker rules. Several items may share a key
/// (uploads of one key); the cursor decides what "after a key" means for its items.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public interface IKeyCursor<T>
{
    /// <summary>The current item's key; valid until the next move.</summary>
    ReadOnlyMemory<byte> CurrentKey { get; }

    /// <summary>The current item.</summary>
    T Current { get; }

    /// <summary>Moves to the first item whose key is &gt;= <paramref name="bound"/> (inclusive) or &gt; it; false at the end.</summary>
    bool Seek(ReadOnlySpan<byte> bound, bool inclusive);

    /// <summary>Moves to the next item; false at the end.</summary>
    bool MoveNext();
}
