using Sluice.Client.Transfer;
using Sluice.S3.Checksums;

namespace Sluice.Client.Tests.Transfer;

public class TransferPiecesTests
{
    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32C)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme)]
    public void Part_checksums_combine_to_the_whole_object_value(ChecksumAlgorithm algorithm)
    {
        var data = new byte[(5 << 20) * 2 + 12345];
        new Random(1).NextBytes(data);
        var plan = PartPlanner.Plan(data.Length, new TransferOptions { PartSize = 5 << 20 });
        var sums = new PartChecksums(algorithm, plan);
        for (int i = plan.PartCount - 1; i >= 0; i--) // any order
            sums.Set(i, PartChecksums.Compute(algorithm, data.AsSpan((int)plan.OffsetOf(i), (int)plan.LengthOf(i))));
        Assert.Equal(PartChecksums.Compute(algorithm, data), sums.Combine());
        ulong appended = PartChecksums.Append(algorithm, PartChecksums.Compute(algorithm, data.AsSpan(0, 100)), data.AsSpan(100));
        Assert.Equal(PartChecksums.Compute(algorithm, data), appended);

        string b64 = PartChecksums.ToBase64(algorithm, sums.Combine());
        Assert.True(PartChecksums.TryParseBase64(algorithm, b64, out ulong back));
        Assert.Equal(sums.Combine(), back);
        Assert.False(PartChecksums.TryParseBase64(algorithm, "not base64!", out _));
        Assert.EndsWith("-3", sums.Composite());
    }

    [Theory]
    [InlineData("*.txt", "a.txt", true)]
    [InlineData("*.txt", "dir/a.txt", false)]
    [InlineData("**/*.txt", "dir/sub/a.txt", true)]
    [InlineData("**/*.txt", "a.txt", true)]
    [InlineData("logs/**", "logs/2024/x.log", true)]
    [InlineData("logs/**", "other/x.log", false)]
    [InlineData("file?.bin", "file1.bin", true)]
    [InlineData("file?.bin", "file10.bin", false)]
    [InlineData("[ab]*.c", "b.c", true)]
    [InlineData("[!ab]*.c", "b.c", false)]
    [InlineData("a+b(1).txt", "a+b(1).txt", true)]
    public void Globs_match_relative_paths(string glob, string path, bool expected) =>
        Assert.Equal(expected, GlobFilter.ToRegex(glob).IsMatch(path));

    [Fact]
    public void Glob_filter_applies_include_then_exclude()
    {
        var f = new GlobFilter(["**/*.dat"], ["tmp/**"]);
        Assert.True(f.IsMatch("x/y.dat"));
        Assert.False(f.IsMatch("tmp/y.dat"));
        Assert.False(f.IsMatch("x/y.txt"));
        Assert.True(GlobFilter.All.IsMatch("anything"));
        Assert.Throws<ArgumentException>(() => new GlobFilter(["[abc"]));
    }

    [Theory]
    [InlineData("*.jpg", "d/sub/x.jpg", true)]   // * crosses '/'
    [InlineData("dir/*", "dir/sub/x", true)]
    [InlineData("?.txt", "a.txt", true)]
    [InlineData("a?b", "a/b", true)]             // ? is any one character, '/' too
    [InlineData("x[!1].dat", "x1.dat", false)]
    [InlineData("x[!1].dat", "x2.dat", true)]
    [InlineData("[^a]", "^", true)]              // fnmatch takes a leading ^ literally
    [InlineData("[^a]", "b", false)]
    [InlineData("[]]", "]", true)]
    [InlineData("a[b", "a[b", true)]             // an unclosed [ is itself
    [InlineData("a.b", "aXb", false)]
    [InlineData("A.jpg", "a.jpg", false)]        // case-sensitive, as on POSIX
    public void Fnmatch_patterns_match_as_awscli_matches_them(string pattern, string path, bool expected) =>
        Assert.Equal(expected, GlobFilter.FnmatchRegex(pattern).IsMatch(path));

    [Fact]
    public void Ordered_filters_take_everything_unless_the_last_matching_rule_excludes_it()
    {
        var jpgOnly = GlobFilter.Ordered([(false, "*"), (true, "*.jpg")]);
        Assert.True(jpgOnly.IsMatch("a.jpg"));
        Assert.True(jpgOnly.IsMatch("d/e/b.jpg"));
        Assert.False(jpgOnly.IsMatch("c.txt"));
        var includeAlone = GlobFilter.Ordered([(true, "*.jpg")]);
        Assert.True(includeAlone.IsMatch("c.txt"));
        var laterWins = GlobFilter.Ordered([(true, "*.jpg"), (false, "*")]);
        Assert.False(laterWins.IsMatch("a.jpg"));
        var subtree = GlobFilter.Ordered([(false, "dir00/*")]);
        Assert.False(subtree.IsMatch("dir00/sub/x"));
        Assert.True(subtree.IsMatch("dir01/x"));
    }

    [Fact]
    public void Download_state_round_trips_and_damage_is_reported()
    {
        string dir = Directory.CreateTempSubdirectory("sluice-state-").FullName;
        try
        {
            string path = DownloadState.SidecarPath(Path.Combine(dir, "f"));
            Assert.Null(DownloadState.Load(path));
            var state = new DownloadState
            {
                Bucket = "b", Key = "k/ü", ETag = "\"abc\"", Size = 123, PartSize = 5 << 20,
                Algorithm = ChecksumAlgorithm.Crc64Nvme, Parts = { [0] = ulong.MaxValue, [3] = 7 },
            };
            state.Save(path);
            var back = DownloadState.Load(path)!;
            Assert.Equal("k/ü", back.Key);
            Assert.Equal("\"abc\"", back.ETag);
            Assert.Equal(ulong.MaxValue, back.Parts[0]);
            Assert.Equal(7UL, back.Parts[3]);
            Assert.Equal(ChecksumAlgorithm.Crc64Nvme, back.Algorithm);
            File.WriteAllText(path, "{\"version\":1,");
            Assert.Throws<InvalidDataException>(() => DownloadState.Load(path));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Progress_reports_rate_and_eta()
    {
        var p = new TransferProgress("x", 50, 100, 1, 2, TimeSpan.FromSeconds(1), false);
        Assert.Equal(50, p.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(1), p.Eta);
        Assert.Null((p with { TotalBytes = -1 }).Eta);
    }
}
