using System.Text;
using Sluice.S3.Naming;

namespace Sluice.S3.Tests.Naming;

/// <summary>Key naming helpers against known vectors: MD5 prefixes (RFC 1321's "abc" and "" vectors, and values from
/// a separate MD5 implementation), reversed ids and timestamps, and every inverse.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "MD5 is the scheme under test, computed independently.")]
public sealed class KeyNamingTests
{
    [Theory]
    [InlineData("abc", 4, HashPrefixEncoding.Hex, "9001/abc")]
    [InlineData("abc", 32, HashPrefixEncoding.Hex, "900150983cd24fb0d6963f7d28e17f72/abc")]
    [InlineData("", 2, HashPrefixEncoding.Hex, "d4/")]
    [InlineData("abc", 3, HashPrefixEncoding.Base64Url, "kAF/abc")]
    [InlineData("abc", 22, HashPrefixEncoding.Base64Url, "kAFQmDzST7DWlj99KOF_cg/abc")]
    [InlineData("photos/2024/img-0001.jpg", 2, HashPrefixEncoding.Hex, "79/photos/2024/img-0001.jpg")]
    [InlineData("photos/2024/img-0001.jpg", 4, HashPrefixEncoding.Base64Url, "eQJ4/photos/2024/img-0001.jpg")]
    [InlineData("obj-0000000042", 1, HashPrefixEncoding.Hex, "5/obj-0000000042")]
    public void Hash_prefix_known_vectors(string key, int length, HashPrefixEncoding encoding, string expected)
    {
        Assert.Equal(expected, KeyNaming.AddHashPrefix(key, length, encoding));
        Assert.Equal(expected[..length], KeyNaming.HashPrefix(key, length, encoding));
        Span<char> buffer = stackalloc char[64];
        Assert.True(KeyNaming.TryAddHashPrefix(key, length, encoding, buffer, out int written));
        Assert.Equal(expected, buffer[..written].ToString());
        Assert.True(KeyNaming.TryStripHashPrefix(expected, length, encoding, out string? back));
        Assert.Equal(key, back);
    }

    [Fact]
    public void Hash_is_of_the_utf8_bytes()
    {
        string key = "clé/ü/😀";
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(key)))[..6];
        Assert.Equal(expected + "/" + key, KeyNaming.AddHashPrefix(key, 6));
    }

    [Fact]
    public void Long_keys_hash_the_same_as_short_ones_do()
    {
        string key = new('ü', 1500);
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(key)))[..4];
        Assert.Equal(expected, KeyNaming.HashPrefix(key));
    }

    [Theory]
    [InlineData("9002/abc")] // wrong hash
    [InlineData("9001abc")] // no separator
    [InlineData("9001")] // too short
    [InlineData("900/abc")] // prefix shorter than asked
    [InlineData("")]
    public void Strip_rejects_what_is_not_the_keys_own_prefix(string text)
    {
        Assert.False(KeyNaming.TryStripHashPrefix(text, 4, HashPrefixEncoding.Hex, out string? key));
        Assert.Null(key);
        Assert.False(KeyNaming.TryStripHashPrefix(text.AsSpan(), 4, HashPrefixEncoding.Hex, out ReadOnlySpan<char> span));
        Assert.True(span.IsEmpty);
    }

    [Fact]
    public void Span_forms_report_short_destinations_and_bad_lengths()
    {
        Span<char> small = stackalloc char[5];
        Assert.False(KeyNaming.TryAddHashPrefix("abc", 4, HashPrefixEncoding.Hex, small, out int written));
        Assert.Equal(0, written);
        Assert.False(KeyNaming.TryWriteHashPrefix("abc", 6, HashPrefixEncoding.Hex, small, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.AddHashPrefix("abc", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.AddHashPrefix("abc", 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.AddHashPrefix("abc", 23, HashPrefixEncoding.Base64Url));
    }

    [Fact]
    public void All_hash_prefixes_are_the_alphabet_in_key_order()
    {
        var hex1 = KeyNaming.AllHashPrefixes(1);
        Assert.Equal("0123456789abcdef".Select(c => c.ToString()), hex1);
        var hex2 = KeyNaming.AllHashPrefixes(2);
        Assert.Equal(256, hex2.Count);
        Assert.Equal("00", hex2[0]);
        Assert.Equal("ff", hex2[^1]);
        var b64 = KeyNaming.AllHashPrefixes(1, HashPrefixEncoding.Base64Url);
        Assert.Equal(64, b64.Count);
        Assert.Equal("-", b64[0]); // 0x2D sorts first, '_' (0x5F) between 'Z' and 'a'
        Assert.Equal("z", b64[^1]);
        Assert.Equal(b64.OrderBy(p => Encoding.UTF8.GetBytes(p), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))), b64);
        // Every key's prefix is one of them.
        for (int i = 0; i < 200; i++)
        {
            Assert.Contains(KeyNaming.HashPrefix($"k{i}", 1, HashPrefixEncoding.Base64Url), b64);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.AllHashPrefixes(5));
    }

    [Theory]
    [InlineData(12345UL, 10, "5432100000")]
    [InlineData(0UL, 3, "000")]
    [InlineData(7UL, 1, "7")]
    [InlineData(1000UL, 4, "0001")]
    [InlineData(ulong.MaxValue, 20, "51615590737044764481")]
    public void Reversed_id_known_vectors(ulong id, int width, string expected)
    {
        Assert.Equal(expected, KeyNaming.ReverseId(id, width));
        Span<char> buffer = stackalloc char[20];
        Assert.True(KeyNaming.TryFormatReversedId(id, width, buffer, out int written));
        Assert.Equal(expected, buffer[..written].ToString());
        Assert.True(KeyNaming.TryParseReversedId(expected, out ulong back));
        Assert.Equal(id, back);
    }

    [Fact]
    public void Reversed_ids_reject_what_does_not_fit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.ReverseId(12345, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.ReverseId(1, 21));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.ReverseId(1, 0));
        Assert.False(KeyNaming.TryFormatReversedId(12345, 10, stackalloc char[9], out _));
        Assert.False(KeyNaming.TryParseReversedId("", out _));
        Assert.False(KeyNaming.TryParseReversedId("12a", out _));
        Assert.False(KeyNaming.TryParseReversedId("61615590737044764481", out _)); // ulong.MaxValue + 1, reversed
        Assert.False(KeyNaming.TryParseReversedId("000000000000000000001", out _)); // 21 digits
    }

    [Fact]
    public void Consecutive_ids_lead_with_different_digits()
    {
        var firsts = Enumerable.Range(1000, 10).Select(i => KeyNaming.ReverseId((ulong)i, 10)[0]).Distinct().Count();
        Assert.Equal(10, firsts);
    }

    [Fact]
    public void Reversed_timestamp_known_vectors_at_seconds_precision()
    {
        var time = new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal("0008866971", KeyNaming.ReverseTimestamp(time)); // 1796688000
        Assert.Equal("0008866971", KeyNaming.ReverseTimestamp(time.AddMilliseconds(999).ToOffset(TimeSpan.FromHours(5))));
        Assert.Equal("0000000000", KeyNaming.ReverseTimestamp(DateTimeOffset.UnixEpoch));
        Span<char> buffer = stackalloc char[10];
        Assert.True(KeyNaming.TryFormatReversedTimestamp(time.AddSeconds(1), buffer, out int written));
        Assert.Equal("1008866971", buffer[..written].ToString());
        Assert.True(KeyNaming.TryParseReversedTimestamp("0008866971", out var back));
        Assert.Equal(time, back);
        Assert.Equal(TimeSpan.Zero, back.Offset);
        Assert.False(KeyNaming.TryParseReversedTimestamp("000886697", out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.ReverseTimestamp(DateTimeOffset.UnixEpoch.AddSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyNaming.ReverseTimestamp(new DateTimeOffset(2287, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Span_forms_do_not_allocate()
    {
        Span<char> buffer = stackalloc char[64];
        KeyNaming.TryAddHashPrefix("warm/up", 4, HashPrefixEncoding.Base64Url, buffer, out _);
        KeyNaming.TryStripHashPrefix("9001/abc".AsSpan(), 4, HashPrefixEncoding.Hex, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            KeyNaming.TryAddHashPrefix("photos/2024/img-0001.jpg", 4, HashPrefixEncoding.Hex, buffer, out _);
            KeyNaming.TryAddHashPrefix("photos/2024/img-0001.jpg", 4, HashPrefixEncoding.Base64Url, buffer, out _);
            KeyNaming.TryStripHashPrefix("9001/abc".AsSpan(), 4, HashPrefixEncoding.Hex, out _);
            KeyNaming.TryFormatReversedId((ulong)i, 10, buffer, out _);
            _ = KeyNaming.TryParseReversedId("5432100000", out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
