using System.Text;
using Sluice.S3.Errors;
using Sluice.Server.Index;
using static Sluice.Server.Tests.Index.IndexTestData;

namespace Sluice.Server.Tests.Index;

public class ListingTests
{
    // Few distinct pieces so prefixes and delimiters collide often; includes multi-byte UTF-8 whose UTF-16
    // order differs from UTF-8 order (U+FF5E vs U+1F600) and 0x7F/0xC3 byte neighbours.
    private static readonly string[] Pieces = ["a", "b", "/", "-", "é", "\uFF5E", "\U0001F600", "a/", "z", "\u007F"];
    private static readonly string[] Delimiters = ["", "/", "-", "a/", "é", "\uFF5E", "/b"];

    [Fact]
    public void Random_pages_match_the_reference()
    {
        var random = new Random(20240501);
        int cases = 0;
        for (int set = 0; set < 40; set++)
        {
            HashSet<string> keys = RandomKeys(random, random.Next(0, 300));
            using BucketIndex index = Build(keys, splitKeyCount: 2 + random.Next(30));
            for (int q = 0; q < 100; q++, cases++)
            {
                string prefix = RandomPrefix(random, keys);
                string delimiter = Delimiters[random.Next(Delimiters.Length)];
                string after = random.Next(3) switch
                {
                    0 => string.Empty,
                    1 when keys.Count > 0 => keys.ElementAt(random.Next(keys.Count))[..],
                    _ => RandomKey(random),
                };
                int maxKeys = random.Next(4) == 0 ? 1000 : random.Next(0, 12);
                Assert.True(ListQuery.TryCreateV1(prefix, delimiter, maxKeys, after, out ListQuery query, out _));
                ListPage page = index.List(query);
                (List<(string Item, bool IsPrefix)> expected, bool truncated) = ListingReference.List(keys, prefix, delimiter, after, maxKeys);
                AssertPage(expected, truncated, page, $"set {set} prefix '{prefix}' delimiter '{delimiter}' after '{after}' max {maxKeys}");
            }
        }

        Assert.Equal(4000, cases);
    }

    [Fact]
    public void Paging_v2_and_v1_through_every_page_equals_the_full_listing()
    {
        var random = new Random(77);
        for (int set = 0; set < 30; set++)
        {
            HashSet<string> keys = RandomKeys(random, random.Next(1, 400));
            using BucketIndex index = Build(keys, splitKeyCount: 2 + random.Next(20));
            for (int q = 0; q < 20; q++)
            {
                string prefix = RandomPrefix(random, keys);
                string delimiter = Delimiters[random.Next(Delimiters.Length)];
                int maxKeys = 1 + random.Next(7);
                List<(string, bool)> full = ListingReference.Full(keys, prefix, delimiter);

                var viaToken = new List<(string, bool)>();
                string? token = null;
                for (int pages = 0; ; pages++)
                {
                    Assert.True(pages <= full.Count, "paging does not terminate");
                    Assert.True(ListQuery.TryCreateV2(prefix, delimiter, maxKeys, null, token, out ListQuery query, out _));
                    ListPage page = index.List(query);
                    viaToken.AddRange(Merged(page));
                    if (!page.IsTruncated)
                    {
                        Assert.Null(page.NextContinuationToken);
                        break;
                    }

                    Assert.Equal(maxKeys, page.KeyCount);
                    token = page.NextContinuationToken;
                }

                Assert.Equal(full, viaToken);

                // V1: NextMarker when there is a delimiter, else the last Key, as clients do.
                var viaMarker = new List<(string, bool)>();
                string marker = string.Empty;
                while (true)
                {
                    Assert.True(ListQuery.TryCreateV1(prefix, delimiter, maxKeys, marker, out ListQuery query, out _));
                    ListPage page = index.List(query);
                    viaMarker.AddRange(Merged(page));
                    if (!page.IsTruncated)
                    {
                        Assert.Null(page.NextMarker);
                        break;
                    }

                    if (delimiter.Length > 0)
                    {
                        Assert.NotNull(page.NextMarker);
                        marker = Text(page.NextMarker!.Value);
                    }
                    else
                    {
                        Assert.Null(page.NextMarker);
                        marker = page.Contents[^1].GetKeyString();
                    }
                }

                Assert.Equal(full, viaMarker);
            }
        }
    }

    [Fact]
    public void More_than_1000_keys_page_at_the_default_max_keys()
    {
        var keys = Enumerable.Range(0, 2500).Select(i => $"photos/{i:D5}.jpg").ToHashSet();
        using BucketIndex index = Build(keys, KeyIndexOptions.DefaultSplitKeyCount);
        var seen = new List<string>();
        string? token = null;
        var sizes = new List<int>();
        do
        {
            Assert.True(ListQuery.TryCreateV2("photos/", null, ListQuery.DefaultMaxKeys, null, token, out ListQuery query, out _));
            ListPage page = index.List(query);
            sizes.Add(page.KeyCount);
            seen.AddRange(page.Contents.Select(e => e.GetKeyString()));
            token = page.NextContinuationToken;
        }
        while (token is not null);

        Assert.Equal([1000, 1000, 500], sizes);
        Assert.Equal(keys.Order(StringComparer.Ordinal), seen);

        // max-keys above 1000 is capped, as S3 does.
        Assert.True(ListQuery.TryCreateV2(null, null, 5000, null, null, out ListQuery big, out _));
        Assert.Equal(1000, index.List(big).KeyCount);
    }

    [Fact]
    public void Keys_sort_in_utf8_byte_order_not_utf16_order()
    {
        // U+FF5E is EF BD 9E in UTF-8, U+1F600 is F0 9F 98 80: UTF-8 puts U+FF5E first. In UTF-16 U+1F600 is
        // the surrogate pair D83D DE00, which ordinal string comparison puts before FF5E.
        const string Tilde = "\uFF5E";
        const string Smiley = "\U0001F600";
        Assert.True(string.CompareOrdinal(Smiley, Tilde) < 0);
        using BucketIndex index = Build([Smiley, Tilde, "z", "\u00E9", "\uE000"], 2);
        Assert.True(ListQuery.TryCreateV2(null, null, 1000, null, null, out ListQuery query, out _));
        string[] listed = index.List(query).Contents.Select(e => e.GetKeyString()).ToArray();
        Assert.Equal(["z", "\u00E9", "\uE000", Tilde, Smiley], listed);
        Assert.True(Utf8KeyComparer.Instance.Compare(Encoding.UTF8.GetBytes(Tilde), Encoding.UTF8.GetBytes(Smiley)) < 0);

        // Start-after between them works in byte order too.
        Assert.True(ListQuery.TryCreateV2(null, null, 1000, Tilde, null, out query, out _));
        Assert.Equal([Smiley], index.List(query).Contents.Select(e => e.GetKeyString()));
    }

    [Fact]
    public void Common_prefixes_roll_up_and_count_once_toward_max_keys()
    {
        using BucketIndex index = Build(["a/1", "a/2", "a/3", "b", "c/x/1", "c/y", "d"], 3);
        Assert.True(ListQuery.TryCreateV1(null, "/", 2, null, out ListQuery query, out _));
        ListPage page = index.List(query);
        Assert.Equal(["b"], page.Contents.Select(e => e.GetKeyString()));
        Assert.Equal(["a/"], page.CommonPrefixes.Select(Text));
        Assert.True(page.IsTruncated);
        Assert.Equal("b", Text(page.NextMarker!.Value));

        // A marker equal to a common prefix (a NextMarker) does not repeat it; nor does one inside it.
        Assert.True(ListQuery.TryCreateV1(null, "/", 10, "a/", out query, out _));
        page = index.List(query);
        Assert.Equal(["b", "d"], page.Contents.Select(e => e.GetKeyString()));
        Assert.Equal(["c/"], page.CommonPrefixes.Select(Text));
        Assert.False(page.IsTruncated);
        Assert.Null(page.NextMarker);

        Assert.True(ListQuery.TryCreateV1("c/", "/", 10, null, out query, out _));
        page = index.List(query);
        Assert.Equal(["c/y"], page.Contents.Select(e => e.GetKeyString()));
        Assert.Equal(["c/x/"], page.CommonPrefixes.Select(Text));
    }

    [Fact]
    public void Max_keys_zero_is_an_empty_untruncated_page_and_negative_is_invalid()
    {
        using BucketIndex index = Build(["a", "b"], 4);
        Assert.True(ListQuery.TryCreateV2(null, null, 0, null, null, out ListQuery query, out _));
        ListPage page = index.List(query);
        Assert.Equal(0, page.KeyCount);
        Assert.False(page.IsTruncated);
        Assert.Null(page.NextContinuationToken);

        Assert.False(ListQuery.TryCreateV2(null, null, -1, null, null, out _, out S3Error? error));
        Assert.Equal(S3ErrorCode.InvalidArgument, error!.Code);
        Assert.False(ListQuery.TryCreateV1(null, null, -5, null, out _, out error));
        Assert.Equal(400, error!.HttpStatus);
    }

    [Fact]
    public void Continuation_tokens_round_trip_and_bad_ones_are_invalid_argument()
    {
        byte[] key = Encoding.UTF8.GetBytes("dir/\U0001F600 file");
        string token = ContinuationToken.Encode(key);
        Assert.DoesNotContain('+', token);
        Assert.DoesNotContain('/', token);
        Assert.True(ContinuationToken.TryDecode(token, out byte[] decoded));
        Assert.Equal(key, decoded);

        char[] tampered = token.ToCharArray();
        tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
        foreach (string bad in new[] { "", "not a token!", "AAAA", new string(tampered), token[..^2], Convert.ToBase64String(key) })
        {
            Assert.False(ContinuationToken.TryDecode(bad, out _), bad);
            Assert.False(ListQuery.TryCreateV2(null, null, 10, null, bad, out _, out S3Error? error));
            Assert.Equal(S3ErrorCode.InvalidArgument, error!.Code);
            Assert.Equal("continuation-token", error.GetDetail("ArgumentName"));
        }
    }

    [Fact]
    public void Continuation_token_wins_over_start_after()
    {
        using BucketIndex index = Build(["a", "b", "c", "d"], 2);
        Assert.True(ListQuery.TryCreateV2(null, null, 10, "c", ContinuationToken.Encode("a"u8), out ListQuery query, out _));
        Assert.Equal(["b", "c", "d"], index.List(query).Contents.Select(e => e.GetKeyString()));
    }

    [Fact]
    public void Start_after_before_the_prefix_and_after_the_prefix_range()
    {
        using BucketIndex index = Build(["a1", "b1", "b2", "c1"], 2);
        Assert.True(ListQuery.TryCreateV2("b", null, 10, "a9", null, out ListQuery query, out _));
        Assert.Equal(["b1", "b2"], index.List(query).Contents.Select(e => e.GetKeyString()));
        Assert.True(ListQuery.TryCreateV2("b", null, 10, "b9", null, out query, out _));
        Assert.Equal(0, index.List(query).KeyCount);
    }

    [Fact]
    public void Walker_skips_a_whole_common_prefix_with_one_seek()
    {
        // 100,000 keys under a/, then b: the delimiter listing must not step through a/'s keys.
        var keys = new List<byte[]>();
        for (int i = 0; i < 100_000; i++)
        {
            keys.Add(Encoding.UTF8.GetBytes($"a/{i:D6}"));
        }

        keys.Add("b"u8.ToArray());
        keys.Add("c/1"u8.ToArray());
        keys.Add("c/2"u8.ToArray());
        var cursor = new CountingCursor(keys);
        var sink = new CollectingSink();
        WalkResult result = ListingWalker.Walk<CountingCursor, byte[], CollectingSink>(ref cursor, default, "/"u8, default, 1000, sink);
        Assert.Equal(["a/", "b", "c/"], sink.Results);
        Assert.False(result.IsTruncated);
        Assert.True(cursor.Steps <= 6, $"walker took {cursor.Steps} cursor steps");

        // The same shape through the real index.
        using BucketIndex index = BucketIndex.CreateInMemory(new KeyIndexOptions { SplitKeyCount = 512 });
        foreach (byte[] key in keys)
        {
            index.Put(new IndexEntry(key, 1, "\"e\"", Epoch));
        }

        Assert.True(ListQuery.TryCreateV1(null, "/", 1000, null, out ListQuery query, out _));
        ListPage page = index.List(query);
        Assert.Equal(["a/", "c/"], page.CommonPrefixes.Select(Text));
        Assert.Equal(["b"], page.Contents.Select(e => e.GetKeyString()));
        Assert.True(index.GetPartitionMap().Count > 100);
    }

    [Fact]
    public void Prefix_upper_bound_handles_ff_bytes()
    {
        Span<byte> bound = stackalloc byte[8];
        Assert.True(Utf8KeyComparer.TryGetPrefixUpperBound("a/"u8, bound, out int n));
        Assert.Equal("a0"u8.ToArray(), bound[..n].ToArray());
        Assert.True(Utf8KeyComparer.TryGetPrefixUpperBound([0x61, 0xFF, 0xFF], bound, out n));
        Assert.Equal(new byte[] { 0x62 }, bound[..n].ToArray());
        Assert.False(Utf8KeyComparer.TryGetPrefixUpperBound([0xFF, 0xFF], bound, out _));
        Assert.False(Utf8KeyComparer.TryGetPrefixUpperBound([], bound, out _));
    }

    internal static BucketIndex Build(IEnumerable<string> keys, int splitKeyCount)
    {
        BucketIndex index = BucketIndex.CreateInMemory(new KeyIndexOptions { SplitKeyCount = splitKeyCount });
        int v = 0;
        foreach (string key in keys)
        {
            index.Put(Entry(key, v++));
        }

        return index;
    }

    private static void AssertPage(List<(string Item, bool IsPrefix)> expected, bool truncated, ListPage page, string context)
    {
        Assert.True(truncated == page.IsTruncated, $"{context}: IsTruncated {page.IsTruncated}, expected {truncated}");
        Assert.True(expected.SequenceEqual(Merged(page)), $"{context}: expected [{string.Join(", ", expected)}] got [{string.Join(", ", Merged(page))}]");
        if (expected.Count > 0)
        {
            Assert.Equal(expected[^1].Item, Text(page.LastItem));
        }
    }

    private static List<(string Item, bool IsPrefix)> Merged(ListPage page) =>
        page.Contents.Select(e => (e.GetKeyString(), false))
            .Concat(page.CommonPrefixes.Select(p => (Text(p), true)))
            .OrderBy(r => r.Item1, Comparer<string>.Create(ListingReference.CompareUtf8))
            .ToList();

    private static HashSet<string> RandomKeys(Random random, int count)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (keys.Count < count)
        {
            keys.Add(RandomKey(random));
        }

        return keys;
    }

    private static string RandomKey(Random random)
    {
        var sb = new StringBuilder();
        int pieces = 1 + random.Next(6);
        for (int i = 0; i < pieces; i++)
        {
            sb.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return sb.ToString();
    }

    private static string RandomPrefix(Random random, HashSet<string> keys)
    {
        int choice = random.Next(4);
        if (choice == 0 || keys.Count == 0)
        {
            return string.Empty;
        }

        if (choice == 1)
        {
            return Pieces[random.Next(Pieces.Length)];
        }

        // A leading piece of an existing key, cut on a text element boundary.
        string key = keys.ElementAt(random.Next(keys.Count));
        var elements = System.Globalization.StringInfo.ParseCombiningCharacters(key);
        int cut = elements[random.Next(elements.Length)];
        return key[..Math.Max(cut, 0)];
    }

    private struct CountingCursor(List<byte[]> keys) : IKeyCursor<byte[]>
    {
        private int _position;

        public int Steps { get; private set; }

        public readonly ReadOnlyMemory<byte> CurrentKey => keys[_position];

        public readonly byte[] Current => keys[_position];

        public bool Seek(ReadOnlySpan<byte> bound, bool inclusive)
        {
            Steps++;
            int lo = 0, hi = keys.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                int c = keys[mid].AsSpan().SequenceCompareTo(bound);
                if (inclusive ? c >= 0 : c > 0)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            _position = lo;
            return _position < keys.Count;
        }

        public bool MoveNext()
        {
            Steps++;
            return ++_position < keys.Count;
        }
    }

    private sealed class CollectingSink : IListingSink<byte[]>
    {
        public List<string> Results { get; } = [];

        public void OnItem(byte[] item) => Results.Add(Encoding.UTF8.GetString(item));

        public void OnCommonPrefix(ReadOnlyMemory<byte> prefix) => Results.Add(Text(prefix));
    }
}
