namespace Sluice.Server.Index;

/// <summary>
/// S3's key order: ordinal comparison of the keys' UTF-8 bytes. This differs from .NET's ordinal string order,
/// which compares UTF-16 code units: U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8, but after it
/// in UTF-16 (0xFF5E &gt; 0xD83D). Keys are therefore kept and compared as bytes throughout the index.
/// </summary>
public sealed class Utf8KeyComparer : IComparer<byte[]>
{
    /// <summary>The one instance.</summary>
    public static readonly Utf8KeyComparer Instance = new();

    private Utf8KeyComparer()
    {
    }

    /// <inheritdoc/>
    public int Compare(byte[]? x, byte[]? y) => Compare(x.AsSpan(), y.AsSpan());

    /// <summary>Negative, zero or positive as <paramref name="x"/> sorts before, with or after <paramref name="y"/>.</summary>
    public static int Compare(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) => x.SequenceCompareTo(y);

    /// <summary>
    /// Writes the smallest key greater than every key that starts with <paramref name="prefix"/> (drop trailing
    /// 0xFF bytes, add one to the last byte). False when no such key exists (empty or all-0xFF prefix): every key
    /// after the prefix's first one starts with it. This is how listing seeks past a whole common prefix.
    /// </summary>
    public static bool TryGetPrefixUpperBound(ReadOnlySpan<byte> prefix, Span<byte> destination, out int written)
    {
        int end = prefix.Length;
        while (end > 0 && prefix[end - 1] == 0xFF)
        {
            end--;
        }

        if (end == 0 || destination.Length < end)
        {
            written = 0;
            return false;
        }

        prefix[..end].CopyTo(destination);
        destination[end - 1]++;
        written = end;
        return true;
    }
}
