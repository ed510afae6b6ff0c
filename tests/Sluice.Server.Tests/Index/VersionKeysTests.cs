using System.Text;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Index;

/// <summary>
/// Version index keys keep S3's key order, keep each key's versions together even for keys holding NUL or 0x01 bytes,
/// and order a key's versions newest first; version ids are well formed and sort newest first as bytes.
/// </summary>
public class VersionKeysTests
{
    [Fact]
    public void Version_keys_group_each_keys_versions_in_key_order_newest_first()
    {
        string[] keys = ["a", "a\u0000", "a\u0000b", "a\u0001", "a\u0001\u0000", "a\u0002", "ab", "b", "\u00e9"];
        var ids = Enumerable.Range(0, 4).Select(_ => VersionIds.New()).ToList(); // issued in order: newest last
        var composite = new List<(byte[] Bytes, string Key, int Age)>();
        foreach (string key in keys)
            for (int i = 0; i < ids.Count; i++) composite.Add((VersionKeys.Of(key, ids[i]), key, i));
        composite.Sort((x, y) => x.Bytes.AsSpan().SequenceCompareTo(y.Bytes));

        // Keys in S3's order (raw UTF-8 bytes), each key's versions adjacent and newest (highest age) first.
        var expectedKeys = keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToList();
        var expected = expectedKeys.SelectMany(k => Enumerable.Range(0, ids.Count).Reverse().Select(age => (k, age))).ToList();
        Assert.Equal(expected, composite.Select(c => (c.Key, c.Age)).ToList());
        foreach (var c in composite) Assert.Equal(c.Key, VersionKeys.KeyOf(c.Bytes));
        Assert.All(composite, c => Assert.True(c.Bytes.AsSpan().StartsWith(VersionKeys.PrefixOf(c.Key))));
    }

    [Fact]
    public void Version_ids_are_well_formed_and_carry_their_sequence()
    {
        string a = VersionIds.New(), b = VersionIds.New();
        Assert.Equal(VersionIds.Length, a.Length);
        Assert.True(VersionIds.IsWellFormed(a));
        Assert.True(VersionIds.SequenceOf(b) > VersionIds.SequenceOf(a));
        Assert.True(string.CompareOrdinal(b, a) < 0); // newer sorts first
        string later = VersionIds.New(VersionIds.SequenceOf(b) + 1_000_000);
        Assert.Equal(VersionIds.SequenceOf(b) + 1_000_000, VersionIds.SequenceOf(later));
        Assert.False(VersionIds.IsWellFormed("null"));
        Assert.True(VersionIds.IsValidRequestId("null"));
        Assert.False(VersionIds.IsValidRequestId(a[..^1]));
        Assert.False(VersionIds.IsValidRequestId(a[..^1] + "-"));
        Assert.False(VersionIds.IsValidRequestId("W" + a[1..])); // the first character holds only 4 bits
    }

    [Fact]
    public void Ids_issued_after_a_stored_id_is_observed_sort_newer_than_it_whatever_the_clock()
    {
        // A stored id from a clock ten seconds ahead of this one (a restart before the clock was corrected).
        string ahead = VersionIds.ForOlderVersion(DateTimeOffset.UtcNow.AddSeconds(10));
        Assert.True(string.CompareOrdinal(VersionIds.New(), ahead) > 0); // without Observe: older than the stored one
        VersionIds.Observe(ahead);
        string next = VersionIds.New();
        Assert.True(VersionIds.SequenceOf(next) > VersionIds.SequenceOf(ahead));
        Assert.True(string.CompareOrdinal(next, ahead) < 0); // newest first in byte order
        VersionIds.Observe(null); // ids that carry no sequence change nothing
        VersionIds.Observe("null");
        Assert.True(VersionIds.SequenceOf(VersionIds.New()) > VersionIds.SequenceOf(next));
    }
}
