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

        // Downloads and deletes filter the keys relative to the prefix the same way.
        Ok(Sluice("cp", "-r", tree, "s3://filters/all/"));
        var (filters2, taken2) = Cases[0];
        var rm = Ok(Sluice([.. new[] { "rm", "-r", "--dryrun" }, .. filters2, "s3://filters/all/"]));
        Assert.Equal(taken2.Order(StringComparer.Ordinal),
            Regex.Matches(rm.StdOut, @"\(dryrun\) delete: s3://filters/all/(\S+)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
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
