using System.Text;
using Sluice.S3.Checksums;
using Sluice.Server.Index;

namespace Sluice.Server.Tests.Index;

internal static class IndexTestData
{
    public static readonly DateTimeOffset Epoch = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static IndexEntry Entry(string key, int version = 0) => new(
        key,
        size: key.Length * 10 + version,
        eTag: $"\"{version:x32}\"",
        lastModified: Epoch.AddSeconds(version),
        storageClass: version % 3 == 0 ? "STANDARD" : "STANDARD_IA",
        checksumAlgorithm: version % 2 == 0 ? ChecksumAlgorithm.Crc32C : ChecksumAlgorithm.None,
        checksumType: version % 2 == 0 ? ObjectChecksumType.FullObject : ObjectChecksumType.None,
        locator: (ulong)(version * 7919));

    public static string Text(ReadOnlyMemory<byte> utf8) => Encoding.UTF8.GetString(utf8.Span);

    public static List<IndexEntry> All(BucketIndex index)
    {
        var all = new List<IndexEntry>();
        string? token = null;
        while (true)
        {
            Assert.True(ListQuery.TryCreateV2(null, null, 1000, null, token, out ListQuery q, out _));
            ListPage page = index.List(q);
            all.AddRange(page.Contents);
            if (!page.IsTruncated)
            {
                return all;
            }

            token = page.NextContinuationToken;
        }
    }

    public static void AssertSameEntries(IReadOnlyList<IndexEntry> expected, IReadOnlyList<IndexEntry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].ContentEquals(actual[i]), $"entry {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "sluice-index-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
