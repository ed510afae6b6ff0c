
namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice sync` as a user runs it: the real executable against the embedded server (in this process, real loopback
/// sockets), with real files — what changed is copied, nothing else, in every direction.
/// </summary>
public sealed class SyncCommandTests() : ServerCommandTests("AKIDSYNC", "sync/secret", "sync")
{
    private static readonly DateTime LongAgo = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static string[] Lines(SluiceProcess.Result r) => r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();


    // Same size, different bytes, and a modification time in the past: only a content comparison can see the change.
    private static void Rewrite(string path, int seed)
    {
        var bytes = new byte[new FileInfo(path).Length];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, LongAgo);
    }

    [Fact]
    public void Uploads_copy_only_what_changed_and_delete_only_within_the_globs()
    {
        Ok(Sluice("mb", "s3://upl"));
        string src = Local("src");
        string a = NewFile("src/a.txt", 100, 1), b = NewFile("src/sub/b.txt", 200, 2);
        NewFile("src/skip.tmp", 50, 3);

        var first = Ok(Sluice("sync", "--exclude", "*.tmp", src, "s3://upl/p"));
        Assert.Equal(new[] { $"upload: {a} to s3://upl/p/a.txt", $"upload: {b} to s3://upl/p/sub/b.txt" }, Lines(first));
        Assert.Equal("", first.StdErr);
        Assert.Equal("", Ok(Sluice("sync", "--exclude", "*.tmp", src, "s3://upl/p")).StdOut);

        Rewrite(a, 10);
        Assert.Equal($"upload: {a} to s3://upl/p/a.txt\n", Ok(Sluice("sync", "--exclude", "*.tmp", src, "s3://upl/p")).StdOut);
        Ok(Sluice("cp", "s3://upl/p/a.txt", Local("a.back")));
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(Local("a.back")));
        Assert.Equal("", Ok(Sluice("sync", "--exclude", "*.tmp", src, "s3://upl/p")).StdOut);

        // An excluded object is outside the synced set: --delete leaves it alone.
        Ok(Sluice("cp", Local("src/skip.tmp"), "s3://upl/p/keep.tmp"));
        string c = NewFile("src/c.txt", 30, 4);
        File.Delete(b);
        var dry = Ok(Sluice("sync", "--delete", "--dryrun", "--exclude", "*.tmp", src, "s3://upl/p/"));
        Assert.Equal(new[] { $"(dryrun) delete: s3://upl/p/sub/b.txt", $"(dryrun) upload: {c} to s3://upl/p/c.txt" }, Lines(dry));
        var listed = Ok(Sluice("ls", "-r", "s3://upl")).StdOut;
        Assert.Contains("p/sub/b.txt", listed);
        Assert.DoesNotContain("p/c.txt", listed);

        var sync = Ok(Sluice("sync", "--delete", "--exclude", "*.tmp", src, "s3://upl/p/"));
        Assert.Equal(new[] { "delete: s3://upl/p/sub/b.txt", $"upload: {c} to s3://upl/p/c.txt" }, Lines(sync));
        listed = Ok(Sluice("ls", "-r", "s3://upl")).StdOut;
        Assert.DoesNotContain("p/sub/b.txt", listed);
        Assert.Contains("p/keep.tmp", listed);
        Assert.Contains("p/c.txt", listed);

        // --mtime: the same change with an old time is not a change; a newer source file is.
        Rewrite(a, 11);
        Assert.Equal("", Ok(Sluice("sync", "--mtime", "--exclude", "*.tmp", src, "s3://upl/p")).StdOut);
        File.SetLastWriteTimeUtc(a, DateTime.UtcNow.AddHours(1));
        Assert.Equal("", Ok(Sluice("sync", "--mtime", "--quiet", "--exclude", "*.tmp", src, "s3://upl/p")).StdOut);
        Ok(Sluice("cp", "s3://upl/p/a.txt", Local("a.back2")));
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(Local("a.back2")));
        Assert.Equal("", Ok(Sluice("sync", "--exclude", "*.tmp", src, "s3://upl/p")).StdOut);
    }

    [Fact]
    public void Multipart_objects_are_compared_by_their_full_object_checksum()
    {
        Ok(Sluice("mb", "s3://big"));
        string big = NewFile("big/large.bin", 17 << 20, 5); // above the 16 MiB single-PUT threshold: a multipart ETag
        Ok(Sluice("sync", Local("big"), "s3://big"));
        Assert.Matches("\"[0-9a-f]{32}-\\d+\"", Ok(Sluice("ls", "--json", "s3://big/")).StdOut.Replace("\\\"", "\"", StringComparison.Ordinal));
        Assert.Equal("", Ok(Sluice("sync", Local("big"), "s3://big")).StdOut);
        Rewrite(big, 6);
        Assert.Equal($"upload: {big} to s3://big/large.bin\n", Ok(Sluice("sync", Local("big"), "s3://big")).StdOut);

        string back = Local("big-back");
        Ok(Sluice("sync", "s3://big", back));
        Assert.Equal(File.ReadAllBytes(big), File.ReadAllBytes(Path.Combine(back, "large.bin")));
        Assert.Equal("", Ok(Sluice("sync", "s3://big", back)).StdOut);
    }

    [Fact]
    public void Downloads_and_server_side_copies_sync_the_same_way()
    {
        Ok(Sluice("mb", "s3://from"));
        Ok(Sluice("mb", "s3://dest"));
        NewFile("seed/one.txt", 64, 7);
        NewFile("seed/deep/two.txt", 128, 8);
        Ok(Sluice("sync", Local("seed"), "s3://from/data"));

        string down = Local("down");
        var first = Ok(Sluice("sync", "s3://from/data/", down));
        Assert.Equal(new[]
        {
            $"download: s3://from/data/deep/two.txt to {Path.Combine(down, "deep", "two.txt")}",
            $"download: s3://from/data/one.txt to {Path.Combine(down, "one.txt")}",
        }, Lines(first));
        Assert.Equal(File.ReadAllBytes(Local("seed/deep/two.txt")), File.ReadAllBytes(Path.Combine(down, "deep", "two.txt")));
        Assert.Equal("", Ok(Sluice("sync", "s3://from/data/", down)).StdOut);
        Assert.Equal("", Ok(Sluice("sync", down, "s3://from/data/")).StdOut); // and back: nothing differs either way

        // The object changes (same size) and a stray local file appears: one download, one delete.
        Rewrite(Local("seed/one.txt"), 9);
        Ok(Sluice("cp", Local("seed/one.txt"), "s3://from/data/one.txt"));
        string stray = NewFile("down/stray.txt", 5, 10);
        var sync = Ok(Sluice("sync", "--delete", "s3://from/data", down));
        Assert.Equal(new[] { $"delete: {stray}", $"download: s3://from/data/one.txt to {Path.Combine(down, "one.txt")}" }, Lines(sync));
        Assert.False(File.Exists(stray));
        Assert.Equal(File.ReadAllBytes(Local("seed/one.txt")), File.ReadAllBytes(Path.Combine(down, "one.txt")));
        Assert.Empty(Directory.GetFiles(down, "*.sluice-*", SearchOption.AllDirectories));

        // s3 → s3: server-side copies, then nothing, then only the changed object, and --delete on the target prefix.
        var copy = Ok(Sluice("sync", "s3://from/data", "s3://dest/mirror"));
        Assert.Equal(new[] { "copy: s3://from/data/deep/two.txt to s3://dest/mirror/deep/two.txt", "copy: s3://from/data/one.txt to s3://dest/mirror/one.txt" }, Lines(copy));
        Assert.Equal("", Ok(Sluice("sync", "s3://from/data", "s3://dest/mirror")).StdOut);
        Rewrite(Local("seed/one.txt"), 12);
        Ok(Sluice("cp", Local("seed/one.txt"), "s3://from/data/one.txt"));
        Ok(Sluice("rm", "s3://from/data/deep/two.txt"));
        var again = Ok(Sluice("sync", "--delete", "s3://from/data", "s3://dest/mirror"));
        Assert.Equal(new[] { "copy: s3://from/data/one.txt to s3://dest/mirror/one.txt", "delete: s3://dest/mirror/deep/two.txt" }, Lines(again));
        Ok(Sluice("cp", "s3://dest/mirror/one.txt", Local("check.txt")));
        Assert.Equal(File.ReadAllBytes(Local("seed/one.txt")), File.ReadAllBytes(Local("check.txt")));
    }

    [Fact]
    public void Bad_arguments_are_usage_errors_and_failures_exit_one()
    {
        Directory.CreateDirectory(Local("here"));
        OneLineError(Sluice("sync", Local("here"), Local("there")), 2, "^sluice: sync: one side must be an s3:// location$");
        OneLineError(Sluice("sync", "--parallel", "0", Local("here"), "s3://b"), 2, "^sluice: sync: --parallel must be from 1 to 4096$");
        OneLineError(Sluice("sync", "--mtime", "--size-only", Local("here"), "s3://b"), 2, "^sluice: sync: --mtime and --size-only");
        OneLineError(Sluice("sync", "s3://b"), 2, "^sluice: .*\\(see 'sluice --help'\\)$");
        OneLineError(Sluice("sync", Local("missing"), "s3://b"), 1, "^sluice: sync: .*missing: no such directory$");
        OneLineError(Sluice("sync", Local("here"), "s3://no-such-bucket"), 1, "^sluice: NoSuchBucket");
    }
}
