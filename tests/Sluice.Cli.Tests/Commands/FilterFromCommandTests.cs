using System.Text.RegularExpressions;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// --filter-from (rclone's rule files: first match wins) and --files-from (exactly the listed paths; a listed path
/// that is not there is reported and fails the command after the rest is done) on every command that takes filters.
/// </summary>
public sealed class FilterFromCommandTests() : ServerCommandTests("AKIDCLIFROM", "cli/from+secret", "from")
{
    private static readonly string[] Tree = ["a.jpg", "b.txt", "dir00/c.jpg", "dir00/sub/d.jpg", "dir00/sub/e.txt", "node_modules/m.js", "x1.dat"];

    private string MakeTree()
    {
        foreach (string file in Tree) NewFile(Path.Combine("tree", file), 3, file.Length);
        return Local("tree");
    }

    private string ListFile(string name, params string[] lines)
    {
        string path = Local(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string[] Named(string output, string verb, string prefix) =>
        [.. Regex.Matches(output, $@"^(?:\(dryrun\) )?{verb}: .* to {Regex.Escape(prefix)}(\S+)$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];

    [Fact]
    public void Filter_from_takes_what_rclone_takes_in_every_direction()
    {
        string tree = MakeTree();
        // rclone 1.60.1 lists exactly these with the same rules: first match wins, "- dir/" skips a whole directory.
        string rules = ListFile("rules.txt", "# photos only, never node_modules or dir00/sub", "- node_modules/", "- /dir00/sub/", "+ *.jpg", "; the rest", "- **");
        string[] taken = ["a.jpg", "dir00/c.jpg"];
        Ok(Sluice("mb", "s3://from"));
        var up = Ok(Sluice("cp", "-r", "--filter-from", rules, tree, "s3://from/up/"));
        Assert.Equal(taken, Named(up.StdOut, "upload", "s3://from/up/"));
        Assert.Equal(taken, Named(Ok(Sluice("sync", "--dryrun", "--filter-from", rules, tree, "s3://from/s/")).StdOut, "upload", "s3://from/s/"));

        Ok(Sluice("cp", "-r", tree, "s3://from/all/"));
        var down = Ok(Sluice("cp", "-r", "--filter-from", rules, "s3://from/all/", Local("down")));
        Assert.Equal(taken, Named(down.StdOut, "download", Local("down") + "/"));
        Assert.Equal(taken, Named(Ok(Sluice("cp", "-r", "--dryrun", "--filter-from", rules, "s3://from/all/", "s3://from/copy/")).StdOut, "copy", "s3://from/copy/"));
        var rm = Ok(Sluice("rm", "-r", "--dryrun", "--filter-from", rules, "s3://from/all/"));
        Assert.Equal(taken, Regex.Matches(rm.StdOut, @"delete: s3://from/all/(\S+)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));

        OneLineError(Sluice("cp", "-r", "--filter-from", rules, "--exclude", "*", tree, "s3://from/x/"), 2, "^sluice: --filter-from .* does not mix with --exclude/--include");
        OneLineError(Sluice("cp", "-r", "--filter-from", ListFile("bad.txt", "+ a", "* b"), tree, "s3://from/x/"), 2,
            "^sluice: --filter-from: .*bad.txt: line 2: malformed rule");
        OneLineError(Sluice("cp", "-r", "--filter-from", Local("none.txt"), tree, "s3://from/x/"), 2, "^sluice: --filter-from: .*none.txt: ");
        OneLineError(Sluice("cp", "--filter-from", rules, Path.Combine(tree, "a.jpg"), "s3://from/x"), 2, "^sluice: cp: --filter-from selects among the objects of --recursive");
    }

    [Fact]
    public void Files_from_copies_exactly_the_listed_paths_and_reports_each_missing_one()
    {
        string tree = MakeTree();
        string list = ListFile("list.txt", "# wanted", "a.jpg", "/dir00/sub/d.jpg", "  missing.txt  ", "dir00", "; comment", "a.jpg", "gone/z.bin");
        string[] taken = ["a.jpg", "dir00/sub/d.jpg"];
        Ok(Sluice("mb", "s3://files"));

        var up = Sluice("cp", "-r", "--files-from", list, tree, "s3://files/up/");
        Assert.Equal(1, up.ExitCode);
        Assert.Equal(taken, Named(up.StdOut, "upload", "s3://files/up/"));
        // A listed directory is not a file: rclone's --files-from lists files.
        Assert.Equal(
            [$"sluice: --files-from: {Path.Combine(tree, "missing.txt")}: not found", $"sluice: --files-from: {Path.Combine(tree, "dir00")}: not found",
             $"sluice: --files-from: {Path.Combine(tree, "gone/z.bin")}: not found"],
            up.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(taken, Regex.Matches(Ok(Sluice("ls", "-r", "s3://files/up/")).StdOut, @"up/(\S+)\s*$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));

        Ok(Sluice("cp", "-r", tree, "s3://files/all/"));
        string missingS3 = "sluice: --files-from: s3://files/all/missing.txt: not found";
        var down = Sluice("cp", "-r", "--files-from", list, "s3://files/all/", Local("down"));
        Assert.Equal(1, down.ExitCode);
        Assert.Equal(taken, Named(down.StdOut, "download", Local("down") + "/"));
        Assert.Contains(missingS3, down.StdErr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree, "dir00/sub/d.jpg")), File.ReadAllBytes(Local("down/dir00/sub/d.jpg")));

        var copy = Sluice("cp", "-r", "--files-from", list, "s3://files/all/", "s3://files/copy/");
        Assert.Equal(1, copy.ExitCode);
        Assert.Equal(taken, Named(copy.StdOut, "copy", "s3://files/copy/"));
        Assert.Equal(3, copy.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var sync = Sluice("sync", "--files-from", list, tree, "s3://files/sync/");
        Assert.Equal(1, sync.ExitCode);
        Assert.Equal(taken, Named(sync.StdOut, "upload", "s3://files/sync/"));
        Assert.Contains($"sluice: --files-from: {Path.Combine(tree, "missing.txt")}: not found", sync.StdErr);

        var rm = Sluice("rm", "-r", "--files-from", list, "s3://files/all");
        Assert.Equal(1, rm.ExitCode);
        Assert.Equal(taken, Regex.Matches(rm.StdOut, @"delete: s3://files/all/(\S+)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        Assert.Contains(missingS3, rm.StdErr);

        // mv (item by item) reports the same: the listed sources moved, each missing one an error; with --json, error records.
        Ok(Sluice("cp", "-r", tree, "s3://files/mv/"));
        var mv = Sluice("mv", "-r", "--json", "--files-from", list, "s3://files/mv/", "s3://files/moved/");
        Assert.Equal(1, mv.ExitCode);
        Assert.Contains("\"type\":\"error\",\"message\":\"--files-from: s3://files/mv/missing.txt: not found\",\"path\":\"s3://files/mv/missing.txt\"", mv.StdOut);
        Assert.Contains("\"errors\":3", mv.StdOut);
        Assert.Equal(3, mv.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(Tree.Except(taken).Order(StringComparer.Ordinal), Regex.Matches(Ok(Sluice("ls", "-r", "s3://files/mv/")).StdOut, @"mv/(\S+)\s*$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        Assert.Equal(taken, Regex.Matches(Ok(Sluice("ls", "-r", "s3://files/moved/")).StdOut, @"moved/(\S+)\s*$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        var check = Sluice("check", "--one-way", "--files-from", list, tree, "s3://files/moved/");
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"sluice: --files-from: {Path.Combine(tree, "missing.txt")}: not found", check.StdErr);

        // Everything listed is there: exit 0, nothing on stderr; a list from stdin works the same.
        var whole = SluiceProcess.Run(Environment(), "a.jpg\nb.txt\n"u8.ToArray(), "cp", "-r", "--files-from", "-", tree, "s3://files/stdin/");
        Ok(whole);
        Assert.Equal("", whole.StdErr);
        Assert.Equal(["a.jpg", "b.txt"], Named(whole.StdOut, "upload", "s3://files/stdin/"));

        OneLineError(Sluice("cp", "-r", "--files-from", list, "--min-size", "1", tree, "s3://files/x/"), 2,
            "^sluice: --files-from names exactly what to take: it does not combine with --min-size$");
    }
}
