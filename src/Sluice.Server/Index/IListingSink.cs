namespace Sluice.Server.Index;

/// <summary>Receives a listing page from <see cref="ListingWalker"/>, items and common prefixes in merged key order.</summary>
/// <typeparam name="T">The item type.</typeparam>
public interface IListingSink<in T>
{
    /// <summary>An item listed on its own.</summary>
    void OnItem(T item);

    /// <summary>A common prefix (a slice of an item's key, ending with the delimiter) standing for all keys under it.</summary>
    void OnCommonPrefix(ReadOnlyMemory<byte> prefix);
}
