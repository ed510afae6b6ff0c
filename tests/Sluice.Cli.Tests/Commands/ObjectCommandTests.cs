using System.Text;
using Sluice.Client;
using Sluice.Client.Model;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// s5cmd's conveniences through the real executable against the embedded server: cat, stat, du, key patterns in
/// cp/mv/rm/du, mv in every direction (the source goes only after its copy), the overwrite conditions of cp and mv,
/// and sync --exact-timestamps.
/// </summary>
public sealed class ObjectCommandTests() : ServerCommandTests("AKIDOBJECTS", "objects/secret", "objects")
{
    private static string[] Lines(SluiceProcess.Result r) => r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();

    private S3Client NewClient() => new(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    private string Text(string relative, string content)
    {
        string path = Local(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private bool Exists(string url) => Sluice("stat", url).ExitCode == 0;

    [Fact]
    public void Cat_writes_one_object_to_stdout()
    {
        Ok(Sluice("mb", "s3://cat"));
        // Text, so the captured stdout can be compared; 21 MiB so it is fetched in parts and written in order.
        var random = new Random(5);
        var text = new StringBuilder(21 << 20);
        while (text.Length < 21 << 20) text.Append((char)('a' + random.Next(26)));
        string file = Text("cat.txt", text.ToString());
        Ok(Sluice("cp", "--part-size", "5MiB", file, "s3://cat/cat.txt"));
        var cat = Ok(Sluice("cat", "s3://cat/cat.txt"));
        Assert.Equal(text.ToString(), cat.StdOut);
        Assert.Equal("", cat.StdErr);

        OneLineError(Sluice("cat", "s3://cat/missing.txt"), 1, "^sluice: download of s3://cat/missing.txt failed: NoSuchKey");
        OneLineError(Sluice("cat", "s3://cat/"), 2, "^sluice: cat: s3://cat/ is not an object");
        OneLineError(Sluice("cat", "cat.txt"), 2, "^sluice: cat: 'cat.txt' is not an s3:// location");
    }

    [Fact]
    public void Stdout_and_stdin_that_are_regular_files_are_used_at_the_descriptors_offset()
    {
        // The shell opens one file for the whole group: sluice must write at the offset the echo left and move it,
        // or the next echo lands on top of the object (a FileStream over descriptor 1 writes with pwrite at a
        // position of its own). 11 MiB in 5 MiB parts, so several part buffers are written in turn.
        Ok(Sluice("mb", "s3://stdio"));
        var random = new Random(9);
        var text = new StringBuilder(11 << 20);
        while (text.Length < 11 << 20) text.Append((char)('a' + random.Next(26)));
        string source = Text("stdio-src.txt", text.ToString());
        Ok(Sluice("cp", "--part-size", "5MiB", source, "s3://stdio/o.txt"));
        string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        string output = Local("stdio-out.txt");
        Ok(SluiceProcess.RunExecutable("bash", Environment(), null, "-c",
            "{ echo header; dotnet \"$0\" cp s3://stdio/o.txt -; echo footer; } > \"$1\"", dll, output));
        Assert.Equal("header\n" + text + "footer\n", File.ReadAllText(output));
        Ok(SluiceProcess.RunExecutable("bash", Environment(), null, "-c",
            "{ echo header; dotnet \"$0\" cat s3://stdio/o.txt; echo footer; } > \"$1\"", dll, output));
        Assert.Equal("header\n" + text + "footer\n", File.ReadAllText(output));

        // Standard input: read from where the shell's read left it (after the first line), and leave the offset at
        // the end, so the next reader of the same descriptor sees nothing more.
        string input = Text("stdio-in.txt", "skip me\n" + text);
        var upload = Ok(SluiceProcess.RunExecutable("bash", Environment(), null, "-c",
            "{ read -r first; dotnet \"$0\" cp - s3://stdio/in.txt >&2; wc -c; } < \"$1\"", dll, input));
        Assert.Equal("0", upload.StdOut.Trim());
        Assert.Equal(text.ToString(), Ok(Sluice("cat", "s3://stdio/in.txt")).StdOut);
    }

    [Fact]
    public async Task Stat_shows_size_etag_time_type_class_checksum_and_metadata()
    {
        Ok(Sluice("mb", "s3://stat"));
        Ok(Sluice("cp", "--content-type", "text/plain", Text("s.txt", "hello"), "s3://stat/s.txt"));
        var stat = Ok(Sluice("stat", "s3://stat/s.txt"));
        Assert.Matches(
            "^Name:          s3://stat/s.txt\nSize:          5\nETag:          \"5d41402abc4b2a76b9719d911017c592\"\n" +
            "Last-Modified: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\nContent-Type:  text/plain\nStorage-Class: STANDARD\n" +
            "Checksum:      CRC64NVME [A-Za-z0-9+/=]{12} \\(FULL_OBJECT\\)\n$", stat.StdOut);

        await using (var client = NewClient())
        {
            await client.PutObjectAsync(new PutObjectRequest("stat", "m.bin")
            {
                Metadata = new Dictionary<string, string> { ["owner"] = "ops", ["batch"] = "7" },
            }, new byte[3]);
        }
        var meta = Ok(Sluice("stat", "s3://stat/m.bin"));
        Assert.Contains("Size:          3\n", meta.StdOut);
        Assert.EndsWith("Metadata:      batch=7\nMetadata:      owner=ops\n", meta.StdOut);

        OneLineError(Sluice("stat", "s3://stat/nope"), 1, "^sluice: NoSuchKey: .*\\(HTTP 404\\)$");
        OneLineError(Sluice("stat", "s3://stat"), 2, "is not an object");
    }

    [Fact]
    public void Du_totals_a_prefix_or_a_pattern()
    {
        Ok(Sluice("mb", "s3://du-b"));
        Ok(Sluice("mb", "s3://du-empty"));
        NewFile("du/logs/2024-01.gz", 1000, 1);
        NewFile("du/logs/2024-02.gz", 2000, 2);
        NewFile("du/logs/2023-12.gz", 500, 3);
        NewFile("du/other/x.bin", 3 << 20, 4);
        Ok(Sluice("cp", "-r", Local("du"), "s3://du-b/"));

        Assert.Equal($"{3500 + (3 << 20)} bytes in 4 objects: s3://du-b/\n", Ok(Sluice("du", "s3://du-b")).StdOut);
        Assert.Equal("3500 bytes in 3 objects: s3://du-b/logs/\n", Ok(Sluice("du", "s3://du-b/logs/")).StdOut);
        Assert.Equal("3000 bytes in 2 objects: s3://du-b/logs/2024-*\n", Ok(Sluice("du", "s3://du-b/logs/2024-*")).StdOut);
        Assert.Equal("3MiB in 1 objects: s3://du-b/other/\n", Ok(Sluice("du", "-H", "s3://du-b/other/")).StdOut);
        Assert.Equal("0 bytes in 0 objects: s3://du-empty/\n", Ok(Sluice("du", "s3://du-empty")).StdOut);
        OneLineError(Sluice("du", "s3://du-b/logs/1999-*"), 1, "^sluice: du: no object matches s3://du-b/logs/1999-\\*$");
        OneLineError(Sluice("du", "s3://du-b/nothing/"), 1, "^sluice: du: nothing matches s3://du-b/nothing/$");
        OneLineError(Sluice("du", "s3://no-such-bucket"), 1, "^sluice: NoSuchBucket: ");
    }

    [Fact]
    public void Patterns_select_source_keys_for_cp_mv_and_rm()
    {
        Ok(Sluice("mb", "s3://pat"));
        foreach (string name in new[] { "2024-01.gz", "2024-02.gz", "2024-x/deep.gz", "2023-12.gz", "2024-01.txt" })
            Ok(Sluice("cp", Text("src/" + name, "content of " + name), "s3://pat/logs/" + name));

        // * crosses '/', and a match keeps its path below logs/.
        string dir = Local("down");
        var cp = Ok(Sluice("cp", "s3://pat/logs/2024-*.gz", dir + "/"));
        Assert.Equal(new[]
        {
            $"download: s3://pat/logs/2024-01.gz to {Path.Combine(dir, "2024-01.gz")}",
            $"download: s3://pat/logs/2024-02.gz to {Path.Combine(dir, "2024-02.gz")}",
            $"download: s3://pat/logs/2024-x/deep.gz to {Path.Combine(dir, "2024-x/deep.gz")}",
        }, Lines(cp));
        Assert.Equal("content of 2024-x/deep.gz", File.ReadAllText(Path.Combine(dir, "2024-x", "deep.gz")));
        Assert.Equal(3, Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Length);

        // ? is one character; s3 → s3; the filters narrow a pattern's matches.
        var copy = Ok(Sluice("cp", "--exclude", "*.txt", "s3://pat/logs/202?-0?.*", "s3://pat/copy/"));
        Assert.Equal(new[] { "copy: s3://pat/logs/2024-01.gz to s3://pat/copy/2024-01.gz", "copy: s3://pat/logs/2024-02.gz to s3://pat/copy/2024-02.gz" }, Lines(copy));

        OneLineError(Sluice("cp", "s3://pat/logs/1999-*", dir), 1, "^sluice: cp: no object matches s3://pat/logs/1999-\\*$");
        OneLineError(Sluice("cp", "-r", "s3://pat/logs/*", dir), 2, "a pattern selects the objects itself; drop -r");
        OneLineError(Sluice("cp", "s3://pat/logs/*", "-"), 2, "cannot be written to '-'");

        // --raw: a key that holds a '*' is taken as written.
        Ok(Sluice("cp", Text("star.txt", "star"), "s3://pat/odd/a*b"));
        Ok(Sluice("cp", "--raw", "s3://pat/odd/a*b", Local("star.back")));
        Assert.Equal("star", File.ReadAllText(Local("star.back")));

        var dry = Ok(Sluice("rm", "--dryrun", "s3://pat/copy/*"));
        Assert.Equal(new[] { "(dryrun) delete: s3://pat/copy/2024-01.gz", "(dryrun) delete: s3://pat/copy/2024-02.gz" }, Lines(dry));
        var rm = Ok(Sluice("rm", "s3://pat/logs/2023-*"));
        Assert.Equal(new[] { "delete: s3://pat/logs/2023-12.gz" }, Lines(rm));
        Assert.False(Exists("s3://pat/logs/2023-12.gz"));
        Assert.True(Exists("s3://pat/logs/2024-01.gz"));
        OneLineError(Sluice("rm", "s3://pat/logs/2023-*"), 1, "^sluice: rm: no object matches s3://pat/logs/2023-\\*$");
        OneLineError(Sluice("rm", "-r", "s3://pat/logs/*"), 2, "drop -r");

        var mv = Ok(Sluice("mv", "s3://pat/copy/*", "s3://pat/moved/"));
        Assert.Equal(new[] { "move: s3://pat/copy/2024-01.gz to s3://pat/moved/2024-01.gz", "move: s3://pat/copy/2024-02.gz to s3://pat/moved/2024-02.gz" }, Lines(mv));
        OneLineError(Sluice("ls", "s3://pat/copy/"), 1, "nothing matches");
    }

    [Fact]
    public void Mv_deletes_each_source_only_after_its_copy()
    {
        Ok(Sluice("mb", "s3://mv-b"));
        string up = Text("mv/up.txt", "up");
        Assert.Equal($"move: {up} to s3://mv-b/a/up.txt\n", Ok(Sluice("mv", up, "s3://mv-b/a/")).StdOut);
        Assert.False(File.Exists(up));
        Assert.True(Exists("s3://mv-b/a/up.txt"));

        Assert.Equal("move: s3://mv-b/a/up.txt to s3://mv-b/b/up.txt\n", Ok(Sluice("mv", "s3://mv-b/a/up.txt", "s3://mv-b/b/up.txt")).StdOut);
        Assert.False(Exists("s3://mv-b/a/up.txt"));

        string down = Local("mv/down.txt");
        Ok(Sluice("mv", "s3://mv-b/b/up.txt", down));
        Assert.Equal("up", File.ReadAllText(down));
        Assert.False(Exists("s3://mv-b/b/up.txt"));

        // -r: a directory up, then the prefix down again.
        Text("tree/x.txt", "x");
        Text("tree/sub/y.txt", "y");
        var tree = Ok(Sluice("mv", "-r", Local("tree"), "s3://mv-b/tree/"));
        Assert.Equal(2, Lines(tree).Length);
        Assert.Empty(Directory.GetFiles(Local("tree"), "*", SearchOption.AllDirectories));
        Ok(Sluice("mv", "-r", "s3://mv-b/tree/", Local("back")));
        Assert.Equal("y", File.ReadAllText(Local("back/sub/y.txt")));
        OneLineError(Sluice("ls", "s3://mv-b/tree/"), 1, "nothing matches");

        // A copy that fails keeps its source: the download cannot create its directory (a file is in the way).
        Ok(Sluice("cp", Text("keep.txt", "keep"), "s3://mv-b/keep.txt"));
        Text("blocker", "a file, not a directory");
        var failed = Sluice("mv", "s3://mv-b/keep.txt", Local("blocker/keep.txt"));
        Assert.Equal(1, failed.ExitCode);
        Assert.True(Exists("s3://mv-b/keep.txt"));
        OneLineError(Sluice("mv", "s3://mv-b/missing.txt", Local("missing.txt")), 1, "^sluice: .*(NoSuchKey|404)");

        // Onto itself, or '-': refused, nothing deleted.
        OneLineError(Sluice("mv", "s3://mv-b/keep.txt", "s3://mv-b/keep.txt"), 2, "would be moved onto itself");
        Assert.True(Exists("s3://mv-b/keep.txt"));
        OneLineError(Sluice("mv", "-", "s3://mv-b/stdin"), 2, "^sluice: mv: '-' cannot be moved$");
        OneLineError(Sluice("mv", "s3://mv-b/keep.txt", "-"), 2, "^sluice: mv: '-' cannot be moved$");
        OneLineError(Sluice("mv", "nope.txt", "s3://mv-b/"), 1, "^sluice: mv: nope.txt: no such file$");
    }

    [Fact]
    public void Overwrite_conditions_decide_as_s5cmds()
    {
        Ok(Sluice("mb", "s3://cond"));
        string old = Text("c/a.txt", "first");
        File.SetLastWriteTimeUtc(old, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Ok(Sluice("cp", old, "s3://cond/a.txt"));
        string Stored() => Ok(Sluice("cat", "s3://cond/a.txt")).StdOut;

        // -n: never over an existing object; a missing one is copied.
        File.WriteAllText(old, "other");
        File.SetLastWriteTimeUtc(old, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal("", Ok(Sluice("cp", "-n", old, "s3://cond/a.txt")).StdOut);
        Assert.Equal("first", Stored());
        Assert.Contains("upload:", Ok(Sluice("cp", "--no-clobber", old, "s3://cond/new.txt")).StdOut);

        // -s: same size (5 bytes each) is skipped; another size is copied.
        Assert.Equal("", Ok(Sluice("cp", "--if-size-differ", old, "s3://cond/a.txt")).StdOut);
        Assert.Equal("first", Stored());
        // -u: the file (2001) is older than the object: skipped; -s after -n decides over it, as in s5cmd.
        File.WriteAllText(old, "longer!");
        File.SetLastWriteTimeUtc(old, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal("", Ok(Sluice("cp", "-u", old, "s3://cond/a.txt")).StdOut);
        Assert.Equal("first", Stored());
        Ok(Sluice("cp", "-n", "-s", old, "s3://cond/a.txt"));
        Assert.Equal("longer!", Stored());
        File.WriteAllText(old, "newest!");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(1));
        Ok(Sluice("cp", "-u", old, "s3://cond/a.txt"));
        Assert.Equal("newest!", Stored());

        // s3 → local: -n keeps the file; -r -n copies only what is missing.
        string local = Text("d/a.txt", "mine");
        Assert.Equal("", Ok(Sluice("cp", "-n", "s3://cond/a.txt", local)).StdOut);
        Assert.Equal("mine", File.ReadAllText(local));
        var tree = Ok(Sluice("cp", "-r", "-n", "s3://cond/", Local("d")));
        Assert.Equal(new[] { $"download: s3://cond/new.txt to {Path.Combine(Local("d"), "new.txt")}" }, Lines(tree));
        Assert.Equal("mine", File.ReadAllText(local));

        // mv -n over an existing destination moves nothing: the source stays.
        Assert.Equal("", Ok(Sluice("mv", "-n", "s3://cond/new.txt", "s3://cond/a.txt")).StdOut);
        Assert.True(Exists("s3://cond/new.txt"));
        Assert.Equal("newest!", Stored());

        OneLineError(Sluice("cp", "-n", "-", "s3://cond/x"), 2, "compare with an existing destination, not '-'");
        OneLineError(Sluice("cp", "-u", "s3://cond/missing", Local("m")), 1, "(NoSuchKey|no such file or object)");
    }

    [Fact]
    public void Sync_exact_timestamps_keeps_a_same_size_file_only_when_its_time_is_the_objects()
    {
        Ok(Sluice("mb", "s3://exact"));
        Ok(Sluice("cp", Text("e/a.txt", "aaaa"), "s3://exact/p/a.txt"));
        string mirror = Local("mirror"), copy = Path.Combine(mirror, "a.txt");
        Assert.Single(Lines(Ok(Sluice("sync", "--exact-timestamps", "s3://exact/p/", mirror))));
        var stamp = File.GetLastWriteTimeUtc(copy);

        // Same size, other bytes, the object's time: --exact-timestamps keeps it (the default compares content).
        File.WriteAllText(copy, "bbbb");
        File.SetLastWriteTimeUtc(copy, stamp);
        Assert.Equal("", Ok(Sluice("sync", "--exact-timestamps", "s3://exact/p/", mirror)).StdOut);
        Assert.Equal("bbbb", File.ReadAllText(copy));
        Assert.Single(Lines(Ok(Sluice("sync", "--dryrun", "s3://exact/p/", mirror))));

        // Same bytes, another time (later or earlier): copied again.
        File.WriteAllText(copy, "aaaa");
        File.SetLastWriteTimeUtc(copy, stamp.AddHours(1));
        Assert.Equal("", Ok(Sluice("sync", "s3://exact/p/", mirror)).StdOut);
        Assert.Equal($"download: s3://exact/p/a.txt to {copy}\n", Ok(Sluice("sync", "--exact-timestamps", "s3://exact/p/", mirror)).StdOut);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));

        OneLineError(Sluice("sync", "--exact-timestamps", Local("e"), "s3://exact/p/"), 2, "--exact-timestamps applies to s3:// → local directory");
        OneLineError(Sluice("sync", "--exact-timestamps", "--size-only", "s3://exact/p/", mirror), 2, "--exact-timestamps excludes");
    }
}
