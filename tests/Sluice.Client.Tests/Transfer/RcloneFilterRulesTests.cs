using Sluice.Client.Transfer;

namespace Sluice.Client.Tests.Transfer;

/// <summary>
/// rclone's filter rules (--filter-from): every expectation below is what `rclone lsf -R --files-only --filter-from`
/// (rclone 1.60.1, Debian's) lists for the same tree and rules.
/// </summary>
public class RcloneFilterRulesTests
{
    private static readonly string[] Tree =
    [
        "a.jpg", "b.txt", "dir00/c.jpg", "dir00/sub/d.jpg", "dir00/sub/e.txt", "dir01/f.jpg", "keep/k.txt", "keep/sub/k2.txt",
        "node_modules/m.js", "src/node_modules/n.js", "x1.dat", "xy.dat",
    ];

    public static TheoryData<string[], string[]> Cases => new()
    {
        { ["- *.jpg"], ["b.txt", "dir00/sub/e.txt", "keep/k.txt", "keep/sub/k2.txt", "node_modules/m.js", "src/node_modules/n.js", "x1.dat", "xy.dat"] },
        { ["+ *.jpg", "- *"], ["a.jpg", "dir00/c.jpg", "dir00/sub/d.jpg", "dir01/f.jpg"] },
        { ["+ *.jpg", "- **"], ["a.jpg", "dir00/c.jpg", "dir00/sub/d.jpg", "dir01/f.jpg"] },
        { ["- node_modules/"], ["a.jpg", "b.txt", "dir00/c.jpg", "dir00/sub/d.jpg", "dir00/sub/e.txt", "dir01/f.jpg", "keep/k.txt", "keep/sub/k2.txt", "x1.dat", "xy.dat"] },
        { ["+ /keep/**", "- **"], ["keep/k.txt", "keep/sub/k2.txt"] },
        { ["+ /keep/", "- **"], [] }, // a directory include lets the directory be entered, it includes no file
        { ["- /dir00/sub/", "+ dir00/**", "- **"], ["dir00/c.jpg"] },
        { ["- x?.dat", "!", "- b.txt"], ["a.jpg", "dir00/c.jpg", "dir00/sub/d.jpg", "dir00/sub/e.txt", "dir01/f.jpg", "keep/k.txt", "keep/sub/k2.txt", "node_modules/m.js", "src/node_modules/n.js", "x1.dat", "xy.dat"] },
        { ["+ {a,b}.*", "- /*"], ["a.jpg", "b.txt", "dir00/c.jpg", "dir00/sub/d.jpg", "dir00/sub/e.txt", "dir01/f.jpg", "keep/k.txt", "keep/sub/k2.txt", "node_modules/m.js", "src/node_modules/n.js"] },
        { ["- [a-c].*"], ["dir00/sub/d.jpg", "dir00/sub/e.txt", "dir01/f.jpg", "keep/k.txt", "keep/sub/k2.txt", "node_modules/m.js", "src/node_modules/n.js", "x1.dat", "xy.dat"] },
        { ["# comment", "; another", "  - dir0*/**  ", ""], ["a.jpg", "b.txt", "keep/k.txt", "keep/sub/k2.txt", "node_modules/m.js", "src/node_modules/n.js", "x1.dat", "xy.dat"] },
        { ["+ /dir00/*.jpg", "- **"], ["dir00/c.jpg"] },
        { ["- /keep/sub/**", "+ keep/**", "- *"], ["keep/k.txt"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Takes_what_rclone_takes(string[] rules, string[] taken)
    {
        var filter = GlobFilter.Rclone(RcloneFilterRules.Parse(rules));
        Assert.Equal(taken, Tree.Where(filter.IsMatch).ToArray());
    }

    [Theory]
    [InlineData("* foo", "malformed rule")]
    [InlineData("-foo", "malformed rule")]
    [InlineData("- a]", "mismatched ']'")]
    [InlineData("- {a,b", "mismatched '{' and '}'")]
    [InlineData("- ***", "too many stars")]
    [InlineData("- {{a.*}}", "not supported")]
    public void A_bad_rule_is_refused_naming_its_line(string rule, string why)
    {
        var e = Assert.Throws<FormatException>(() => RcloneFilterRules.Parse(["# first", rule]));
        Assert.StartsWith("line 2: ", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Files_from_takes_exactly_the_listed_paths_with_bounds_still_applied()
    {
        var filter = GlobFilter.Exactly(["a.jpg", "dir00/sub/d.jpg", "missing.txt"]);
        Assert.Equal(["a.jpg", "dir00/sub/d.jpg"], Tree.Where(filter.IsMatch).ToArray());
        var bounded = filter.WithBounds(minSize: 10, maxSize: null, notBefore: null, notAfter: null);
        Assert.False(bounded.IsMatch("a.jpg", 9, DateTimeOffset.UnixEpoch));
        Assert.True(bounded.IsMatch("a.jpg", 10, DateTimeOffset.UnixEpoch));
    }
}
