using System.Text;
using Sluice.S3.Naming;

namespace Sluice.S3.Tests.Naming;

/// <summary>S3's key order for strings is the order of their UTF-8 bytes, also where UTF-16 ordinal order differs.</summary>
public sealed class S3KeyComparerTests
{
    [Fact]
    public void Supplementary_characters_sort_after_the_top_of_the_basic_plane()
    {
        Assert.True(string.CompareOrdinal("\uFF5E", "😀") > 0); // UTF-16 order
        Assert.True(S3KeyComparer.Compare("\uFF5E", "😀") < 0); // UTF-8 order: EF BD 9E < F0 9F 98 80
        Assert.True(S3KeyComparer.Compare("a", "ab") < 0);
        Assert.Equal(0, S3KeyComparer.Compare("same", "same"));
        Assert.True(S3KeyComparer.Instance.Compare(null, "a") < 0);
    }

    [Fact]
    public void Agrees_with_utf8_byte_order_on_mixed_keys()
    {
        string[] pieces = ["a", "z", "/", "\u007F", "é", "\u0800", "\uD7FF", "\uE000", "\uFF5E", "\uFFFF", "😀", "𐀀", "", "0"];
        var random = new Random(17);
        var keys = Enumerable.Range(0, 2000).Select(_ => string.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => pieces[random.Next(pieces.Length)]))).ToList();
        var byBytes = keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToList();
        var byComparer = keys.OrderBy(k => k, S3KeyComparer.Instance).ToList();
        Assert.Equal(byBytes, byComparer);
    }
}
