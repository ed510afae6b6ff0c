using System.Text.RegularExpressions;
using Sluice.Server.Tests.Compat;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// --exclude/--include as `aws s3` applies them (issue 20's trap for people moving from aws: they used to mean
/// something else here): in command-line order, the last match wins, `*` crosses '/', patterns over the path relative
/// to the source. Checked against fixed expectations, and against Debian's awscli on the same tree.
/// </summary>
public sealed class FilterCommandTests() : ServerCommandTests("AKIDCLIFILTERS", "cli/filters+secret", "filters")
{
    private static readonly string[] Tree =
        ["a.jpg", "b.txt", "dir00/c.jpg", "dir00/sub/d.jpg", "dir00/sub/e.txt", "dir01/f.jpg", "x1.dat", "xy.dat"];

    /// <summary>Filter sets and what `aws s3 cp --recursive` takes with each.</summary>
    private static readonly (string[] Filters, string[] Taken)[] Cases =
    [
        (["--exclude", "*", "--include", "*.jpg"], ["a.jpg", "dir00/c.jpg", "dir00/sub/d.jpg", "dir01/f.jpg"]),
        (["--exclude", "dir00/*"], ["a.jpg", "b.txt", "dir01/f.jpg", "x1.dat", "xy.dat"]),
        (["--include", "*.jpg"], Tree), // an include alone takes nothing away
        (["--include", "*.jpg", "--exclude", "*"], []), // the later exclude wins
        (["--exclude", "*", "--include", "dir0?/*", "--exclude", "*.txt"], ["dir00/c.jpg", "dir00/sub/d.jpg", "dir01/f.jpg"]),
        (["--exclude", "x[!1].dat", "--exclude", "*/sub/*"], ["a.jpg", "b.txt", "dir00/c.jpg", "dir01/f.jpg", "x1.dat"]),
    ];

    private string MakeTree()
    {
        string root = Local("tree");
        foreach (string file in Tree) NewFile(Path.Combine("tree", file), 3, file.Length);
        return root;
    }

    /// <summary>The relative paths a dry-run upload listing names ("(dryrun) upload: … to s3://bucket/prefix/REL").</summary>
    private static string[] Uploaded(string output, string prefix) =>
        [.. Regex.Matches(output, @"\(dryrun\) upload: .* to " + Regex.Escape(prefix) + @"(\S+)")
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];

    [Fact]
    public void Cp_and_sync_take_what_aws_s3_takes_with_each_filter_set()
    {
        string tree = MakeTree();
        Ok(Sluice("mb", "s3://filters"));
        foreach (var (filters, taken) in Cases)
        {
            var cp = Ok(Sluice([.. new[] { "cp", "-r", "--dryrun" }, .. filters, tree, "s3://filters/p/"]));
            Assert.Equal(taken.Order(StringComparer.Ordinal), Uploaded(cp.StdOut, "s3://filters/p/"));
            var sync = Ok(Sluice([.. new[] { "sync", "--dryrun" }, .. filters, tree, "s3://filters/s/"]));
            Assert.Equal(taken.Order(StringComparer.Ordinal), Uploaded(sync.StdOut, "s3://filters/s/"));
        }

        // On one object a filter would be ignored: a usage error, and nothing is copied or deleted.
        Ok(Sluice("cp", Path.Combine(tree, "a.jpg"), "s3://filters/one.jpg"));
        foreach (string[] single in new[] { new[] { "cp", "--exclude", "*", Path.Combine(tree, "b.txt"), "s3://filters/b.txt" },
                     ["rm", "--exclude", "one.jpg", "s3://filters/one.jpg"], ["rm", "--min-size", "1G", "s3://filters/one.jpg"] })
        {
            var r = Sluice(single);
            Assert.Equal(Program.ExitUsage, r.ExitCode);
            Assert.Matches("^sluice: (cp|rm): --(exclude|min-size) selects among the objects of --recursive; give -r\n$", r.StdErr);
        }
        Assert.Contains("one.jpg", Ok(Sluice("ls", "s3://filters/one.jpg")).StdOut);
        OneLineError(Sluice("ls", "s3://filters/b.txt"), 1, "^sluice: ls: nothing matches ");

        // Downloads and deletes filter the keys relative to the prefix the same way.
        Ok(Sluice("cp", "-r", tree, "s3://filters/all/"));
        var (filters2, taken2) = Cases[0];
        var rm = Ok(Sluice([.. new[] { "rm", "-r", "--dryrun" }, .. filters2, "s3://filters/all/"]));
        Assert.Equal(taken2.Order(StringComparer.Ordinal),
            Regex.Matches(rm.StdOut, @"\(dryrun\) delete: s3://filters/all/(\S+)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Size_and_age_bounds_take_only_what_lies_within_them_on_both_sides()
    {
        string tree = Local("sized");
        var now = DateTime.UtcNow;
        foreach (var (name, size, daysOld) in new[] { ("tiny", 10, 0), ("small", 1000, 3), ("mid", 5000, 10), ("big", 20000, 40) })
        {
            string path = NewFile(Path.Combine("sized", name), size, size);
            File.SetLastWriteTimeUtc(path, now.AddDays(-daysOld).AddMinutes(-5));
        }
        string[] Up(params string[] bounds) =>
            Uploaded(Ok(Sluice([.. new[] { "cp", "-r", "--dryrun" }, .. bounds, tree, "s3://bounds/p/"])).StdOut, "s3://bounds/p/");
        Ok(Sluice("mb", "s3://bounds"));
        Assert.Equal(["mid", "small"], Up("--min-size", "1000", "--max-size", "5000"));
        Assert.Equal(["big", "mid"], Up("--min-size", "4k"));
        Assert.Equal(["big", "mid"], Up("--min-age", "7d"));
        Assert.Equal(["small", "tiny"], Up("--max-age", "1w"));
        Assert.Equal(["mid", "small"], Up("--min-age", "2d", "--max-age", "20d"));
        Assert.Equal(["big"], Up("--min-age", now.AddDays(-30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["mid", "small"], Up("--exclude", "t*", "--max-size", "5000"));

        // Objects were all written just now: bounds on their LastModified and Size.
        Ok(Sluice("cp", "-r", tree, "s3://bounds/all/"));
        string[] Rm(params string[] bounds) =>
            [.. Regex.Matches(Ok(Sluice([.. new[] { "rm", "-r", "--dryrun" }, .. bounds, "s3://bounds/all/"])).StdOut,
                @"\(dryrun\) delete: s3://bounds/all/(\S+)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];
        Assert.Empty(Rm("--min-age", "1h"));
        Assert.Equal(["big", "mid", "small", "tiny"], Rm("--max-age", "1h"));
        Assert.Equal(["tiny"], Rm("--max-size", "999"));

        // A bound that does not parse is a usage error, one line.
        foreach (string[] bad in new[] { new[] { "--min-size", "lots" }, ["--max-age", "yesterday"], ["--min-age", "-3d"] })
        {
            var r = Sluice([.. new[] { "cp", "-r", "--dryrun" }, .. bad, tree, "s3://bounds/p/"]);
            Assert.Equal(Program.ExitUsage, r.ExitCode);
            Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [ClientFact(S3Client.AwsCli)]
    public void Awscli_takes_the_same_paths_from_the_same_tree()
    {
        string tree = MakeTree();
        Ok(Sluice("mb", "s3://awsfilters"));
        var environment = Environment();
        environment["AWS_DEFAULT_REGION"] = "us-east-1";
        foreach (var (filters, taken) in Cases)
        {
            var aws = SluiceProcess.RunExecutable(Clients.Aws, environment, null,
                [.. new[] { "s3", "cp", "--recursive", "--dryrun", "--endpoint-url", Server.Endpoint.ToString() }, .. filters, tree, "s3://awsfilters/p/"]);
            Assert.True(aws.ExitCode == 0, aws.StdErr);
            Assert.Equal(taken.Order(StringComparer.Ordinal), Uploaded(aws.StdOut, "s3://awsfilters/p/"));
        }
    }
}
