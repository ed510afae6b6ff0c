using System.Text.Json;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice cp|cat|stat` of one version of an object (`s3://b/k?versionId=ID` or `--version-id ID`) through the real
/// executable against the embedded server: the older version's bytes come back, also when the download is several
/// ranged GETs (each pinned to the first one's ETag, so one GET without the version would fail the download), and
/// when copied server-side; misuse is one line and exit 2, an unknown version one line and exit 1.
/// </summary>
public class VersionIdReadTests() : ServerCommandTests("AKIDVRD", "vrd/secret", "version-read")
{
    /// <summary>The version ids of <paramref name="key"/>, oldest first.</summary>
    private List<string> VersionIds(string bucket, string key) =>
        Ok(Sluice("ls", "--versions", "-r", "--json", $"s3://{bucket}")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "version" && e.GetProperty("key").GetString() == key)
            .Select(e => e.GetProperty("versionId").GetString()!).Reverse().ToList();

    [Fact]
    public void Cp_of_an_older_version_in_ranged_parts_gives_its_bytes_by_suffix_option_and_server_side_copy()
    {
        Ok(Sluice("mb", "s3://vbig"));
        Ok(Sluice("versioning", "enable", "s3://vbig"));
        const int size = 13 << 20; // three 5 MiB parts: several ranged GETs
        string one = NewFile("one.bin", size, 1), two = NewFile("two.bin", size, 2);
        Ok(Sluice("cp", one, "s3://vbig/k.bin"));
        Ok(Sluice("cp", two, "s3://vbig/k.bin"));
        var ids = VersionIds("vbig", "k.bin");
        Assert.Equal(2, ids.Count);

        Ok(Sluice("cp", "--part-size", "5MiB", $"s3://vbig/k.bin?versionId={ids[0]}", Local("got-suffix.bin")));
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(Local("got-suffix.bin")));
        Ok(Sluice("cp", "--part-size", "5MiB", "--version-id", ids[0], "s3://vbig/k.bin", Local("got-option.bin")));
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(Local("got-option.bin")));
        // Without a version: the current one.
        Ok(Sluice("cp", "--part-size", "5MiB", "s3://vbig/k.bin", Local("got-current.bin")));
        Assert.Equal(File.ReadAllBytes(two), File.ReadAllBytes(Local("got-current.bin")));
        // Into a directory: the file is named after the key, not the suffix.
        Directory.CreateDirectory(Local("dir"));
        Ok(Sluice("cp", $"s3://vbig/k.bin?versionId={ids[0]}", Local("dir") + "/"));
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(Local("dir/k.bin")));

        // s3 → s3: a single CopyObject and a multipart copy (UploadPartCopy ranges) both read the named version.
        Ok(Sluice("cp", $"s3://vbig/k.bin?versionId={ids[0]}", "s3://vbig/copy.bin"));
        Ok(Sluice("cp", "s3://vbig/copy.bin", Local("copy.bin")));
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(Local("copy.bin")));
    }

    [Fact]
    public void Cat_and_stat_read_the_named_version()
    {
        Ok(Sluice("mb", "s3://vsmall"));
        Ok(Sluice("versioning", "enable", "s3://vsmall"));
        File.WriteAllText(Local("a.txt"), "version one\n");
        File.WriteAllText(Local("b.txt"), "the second version\n");
        Ok(Sluice("cp", Local("a.txt"), "s3://vsmall/t.txt"));
        Ok(Sluice("cp", Local("b.txt"), "s3://vsmall/t.txt"));
        var ids = VersionIds("vsmall", "t.txt");

        Assert.Equal("version one\n", Ok(Sluice("cat", $"s3://vsmall/t.txt?versionId={ids[0]}")).StdOut);
        Assert.Equal("version one\n", Ok(Sluice("cat", "--version-id", ids[0], "s3://vsmall/t.txt")).StdOut);
        Assert.Equal("the second version\n", Ok(Sluice("cat", "s3://vsmall/t.txt")).StdOut);

        string stat = Ok(Sluice("stat", $"s3://vsmall/t.txt?versionId={ids[0]}")).StdOut;
        Assert.Matches(@"(?m)^Size: +12$", stat);
        Assert.Matches($@"(?m)^Version-Id: +{ids[0]}$", stat);
        Assert.Matches(@"(?m)^Size: +19$", Ok(Sluice("stat", "--version-id", ids[1], "s3://vsmall/t.txt")).StdOut);
    }

    [Fact]
    public void A_version_id_outside_one_source_object_is_a_usage_error_and_an_unknown_one_fails()
    {
        Ok(Sluice("mb", "s3://vuse"));
        Ok(Sluice("versioning", "enable", "s3://vuse"));
        string file = NewFile("f.bin", 100, 3);
        Ok(Sluice("cp", file, "s3://vuse/dir/k.bin"));
        string id = VersionIds("vuse", "dir/k.bin")[0];

        OneLineError(Sluice("cp", "-r", $"s3://vuse/dir/?versionId={id}", Local("r")), 2, "^sluice: cp: .*version id.*--recursive");
        OneLineError(Sluice("cp", "--version-id", id, "-r", "s3://vuse/dir/", Local("r")), 2, "^sluice: cp: .*version id.*--recursive");
        OneLineError(Sluice("cp", $"s3://vuse/dir/?versionId={id}", Local("p")), 2, "^sluice: cp: .*version id.*prefix");
        OneLineError(Sluice("cp", $"s3://vuse/dir/k*?versionId={id}", Local("p")), 2, "^sluice: cp: .*version id.*pattern");
        OneLineError(Sluice("cp", file, $"s3://vuse/dir/k.bin?versionId={id}"), 2, "^sluice: cp: .*version id.*destination");
        OneLineError(Sluice("cp", "--version-id", id, file, "s3://vuse/x.bin"), 2, "^sluice: cp: .*version id.*not an s3:// object");
        OneLineError(Sluice("cp", "-n", $"s3://vuse/dir/k.bin?versionId={id}", Local("n.bin")), 2, "^sluice: cp: .*version id.*-n/-s/-u");
        OneLineError(Sluice("mv", $"s3://vuse/dir/k.bin?versionId={id}", Local("m.bin")), 2, "^sluice: mv: .*version id");
        OneLineError(Sluice("cp", "s3://vuse/dir/k.bin?versionId=", Local("e.bin")), 2, "^sluice: cp: .*no version id");
        OneLineError(Sluice("cat", "--version-id", "", "s3://vuse/dir/k.bin"), 2, "^sluice: cat: --version-id needs a version id");
        // A folder once the suffix is split off: as `cat s3://vuse/dir/` is, a usage error, not a HEAD of "dir/".
        OneLineError(Sluice("cat", $"s3://vuse/dir/?versionId={id}"), 2, "^sluice: cat: .*is not an object");
        OneLineError(Sluice("stat", $"s3://vuse/dir/?versionId={id}"), 2, "^sluice: stat: .*is not an object");
        Assert.False(File.Exists(Local("n.bin")) || File.Exists(Local("m.bin")) || File.Exists(Local("e.bin")));
        Ok(Sluice("stat", "s3://vuse/dir/k.bin")); // mv did not delete its source

        // A version that is not there: the server's NoSuchVersion, one line, exit 1, no file left behind.
        string unknown = id[..^1] + (id[^1] == 'A' ? 'B' : 'A');
        var missing = Sluice("cp", $"s3://vuse/dir/k.bin?versionId={unknown}", Local("u.bin"));
        OneLineError(missing, 1, "NoSuchVersion");
        Assert.DoesNotContain("partial download is kept", missing.StdErr); // nothing was downloaded, so nothing is kept
        OneLineError(Sluice("cat", "--version-id", unknown, "s3://vuse/dir/k.bin"), 1, "NoSuchVersion");
        OneLineError(Sluice("stat", "--version-id", unknown, "s3://vuse/dir/k.bin"), 1, "NoSuchVersion");
        OneLineError(Sluice("cp", $"s3://vuse/dir/k.bin?versionId={unknown}", "s3://vuse/c.bin"), 1, "NoSuchVersion");
        Assert.False(File.Exists(Local("u.bin")));
    }
}
