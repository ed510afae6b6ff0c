namespace Sluice.S3.Naming;

/// <summary>
/// S3's key order for .NET strings: the order of the keys' UTF-8 bytes, which is Unicode code point order. .NET's
/// ordinal order compares UTF-16 code units instead and differs once a surrogate pair meets a character from U+E000
/// to U+FFFF (U+FF5E sorts before U+1F600 in S3, after it ordinally). Compares without encoding or allocating.
/// </summary>
public sealed class S3KeyComparer : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static readonly S3KeyComparer Instance = new();

    private S3KeyComparer()
    {
    }

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        return Compare(x.AsSpan(), y.AsSpan());
    }

    /// <summary>Negative, zero or positive as <paramref name="x"/> sorts before, with or after <paramref name="y"/> in S3.</summary>
    public static int Compare(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        int common = x.CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }

        return Rank(x[common]).CompareTo(Rank(y[common]));
    }

    // The first differing code units decide, once surrogates (which stand for code points above U+FFFF) are moved
    // above U+E000..U+FFFF: that is code point order, and code point order is UTF-8 byte order.
    private static int Rank(char c) => c switch
    {
        >= '\uD800' and <= '\uDFFF' => c + 0x2000,
        >= '\uE000' => c - 0x800,
        _ => c,
    };
}
