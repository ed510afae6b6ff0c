namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// Every bad option value is one line on stderr and exit 2, before anything is sent or opened: no stack trace, no
/// exit 1. The values are the ones that used to reach an engine's ArgumentOutOfRangeException or a TimeSpan overflow.
/// </summary>
public sealed class OptionValueTests
{
    // Nothing is listening here: a command that got past its checks fails with exit 1, not 2.
    private static readonly Dictionary<string, string?> Nowhere = new()
    {
        ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1",
        ["AWS_ACCESS_KEY_ID"] = "AKIDNOWHERE",
        ["AWS_SECRET_ACCESS_KEY"] = "nowhere",
        ["AWS_PROFILE"] = null,
    };

    [Theory]
    [InlineData("^sluice: cp: --memory must be at least 8MiB \\(one part\\)$", "cp", "--memory", "4MiB", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --memory must be at least 8MiB \\(one part\\)$", "cp", "--memory", "6MiB", "s3://b/k", "a")]
    [InlineData("^sluice: cp: --part-size must be from 5MiB to 2047MiB$", "cp", "--part-size", "6GiB", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --part-size must be from 5MiB to 2047MiB$", "cp", "--part-size", "4GiB", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --part-size must be from 5MiB to 2047MiB$", "cp", "--part-size", "1MiB", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --memory \\(32MiB\\) must hold at least one part of --part-size \\(64MiB\\)$",
        "cp", "--part-size", "64MiB", "--memory", "32MiB", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --memory: '0' is not a size", "cp", "--memory", "0", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --concurrency must be from 1 to 4096$", "cp", "--concurrency", "0", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --concurrency must be from 1 to 4096$", "cp", "--concurrency", "100000", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --resume and --no-resume exclude each other$", "cp", "--resume", "--no-resume", "a", "s3://b/k")]
    [InlineData("^sluice: cp: --no-resume applies to single-file transfers, not --recursive$", "cp", "-r", "--no-resume", "a", "s3://b/p/")]
    [InlineData("^sluice: sync: --memory must be at least 8MiB \\(one part\\)$", "sync", "--memory", "4MiB", "a", "s3://b/p/")]
    [InlineData("^sluice: sync: --memory must be at least 8MiB \\(one part\\)$", "sync", "--memory", "7MiB", "a", "s3://b/p/")]
    [InlineData("^sluice: sync: --parallel must be from 1 to 4096$", "sync", "--parallel", "0", "a", "s3://b/p/")]
    [InlineData("^sluice: bench: --duration: 'NaN' is not a duration", "bench", "--duration", "NaN")]
    [InlineData("^sluice: bench: --duration: 'Infinity' is not a duration", "bench", "--duration", "Infinity")]
    [InlineData("^sluice: bench: --duration: '99999999999999999999h' is not a duration", "bench", "--duration", "99999999999999999999h")]
    [InlineData("^sluice: ", "presign", "--method", "", "s3://b/k")]
    public void Bad_values_are_one_usage_line(string pattern, params string[] args)
    {
        var r = SluiceProcess.Run(Nowhere, null, args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.StdErr}");
        string[] lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "one line on stderr: " + r.StdErr);
        Assert.Matches(pattern, lines[0]);
    }
}
