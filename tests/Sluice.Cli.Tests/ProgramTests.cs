using System.Reflection;

namespace Sluice.Cli.Tests;

public class ProgramTests
{
    [Fact]
    public void Help_prints_usage_and_exits_zero()
    {
        var r = SluiceProcess.Run("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.StdOut);
        Assert.Contains("sluice", r.StdOut);
        Assert.Contains("--version", r.StdOut);
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public void No_arguments_prints_help()
    {
        var r = SluiceProcess.Run();
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.StdOut);
    }

    [Fact]
    public void Version_prints_the_assembly_version()
    {
        var expected = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!
            .InformationalVersion;
        var r = SluiceProcess.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected, r.StdOut.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", r.StdOut.Trim());
    }

    [Theory]
    [InlineData("--no-such-flag")]
    [InlineData("frobnicate")]
    public void Unknown_input_is_one_line_on_stderr_and_exit_code_two(string arg)
    {
        var r = SluiceProcess.Run(arg);
        Assert.Equal(Program.ExitUsage, r.ExitCode);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("sluice: ", lines[0]);
        Assert.Contains(arg, lines[0]);
        Assert.Equal("", r.StdOut);
    }
}
