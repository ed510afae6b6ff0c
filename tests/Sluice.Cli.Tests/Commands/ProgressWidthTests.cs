using System.Diagnostics;
using System.Text.RegularExpressions;
using Sluice.Cli.Commands;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// The progress line on an 80-column terminal (a pseudo-terminal from util-linux `script`, sized with stty): every
/// redraw fits in 79 columns for cp and sync alike, so none wraps and leaves a stale row; the name is shortened, not
/// the numbers.
/// </summary>
public sealed partial class ProgressWidthTests() : ServerCommandTests("AKIDPROGRESS", "progress/secret", "progress")
{
    private static readonly string LongName = "a-file-whose-name-alone-is-wider-than-most-terminals-" + new string('x', 60) + ".bin";

    [Fact]
    public void Format_keeps_the_numbers_and_shortens_the_name_from_the_left()
    {
        var progress = new TransferProgress("/data/" + LongName, 12 << 20, 24 << 20, 1, 3, TimeSpan.FromSeconds(4), false);
        string line = ProgressLine.Format(progress, null, 80);
        Assert.Equal(79, line.Length);
        Assert.StartsWith("12MiB / 24MiB (50%)  3MiB/s  ETA 4s  ...", line);
        Assert.EndsWith("xxx.bin", line);

        string sync = ProgressLine.Format(progress, "1/3 files", 80);
        Assert.True(sync.Length <= 79, sync);
        Assert.StartsWith("12MiB / 24MiB (50%)  3MiB/s  ETA 4s  1/3 files  ...", sync);

        Assert.Equal("12MiB / 24MiB (50%)  3MiB/s  ETA 4s  short.bin",
            ProgressLine.Format(progress with { Name = "short.bin" }, null, 80));
        Assert.Equal("12MiB / 24MiB (50%)  3MiB/s  ETA 4s", ProgressLine.Format(progress, null, 40)); // no room for a name
        Assert.Equal("12MiB / 24MiB", ProgressLine.Format(progress, null, 14)); // a tiny terminal still gets no wrap
    }

    [Fact]
    public void Cp_and_sync_redraws_fit_an_80_column_terminal()
    {
        if (!File.Exists("/usr/bin/script")) return; // util-linux is part of every Debian system
        Ok(Sluice("mb", "s3://narrow"));
        string dir = Path.Combine(Root, "narrow");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, LongName);
        var bytes = new byte[24 << 20];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(file, bytes);

        string cp = OnTerminal($"cp --part-size 5MiB --concurrency 1 '{file}' s3://narrow/one.bin");
        string sync = OnTerminal($"sync '{dir}' s3://narrow/synced/");
        foreach (string output in new[] { cp, sync })
        {
            var redraws = Redraws(output);
            Assert.NotEmpty(redraws);
            foreach (string line in redraws) Assert.True(line.Length <= 79, $"a {line.Length}-column redraw: '{line}'");
            Assert.Contains(redraws, line => line.TrimEnd().EndsWith(".bin", StringComparison.Ordinal) && line.Contains("...", StringComparison.Ordinal));
        }
    }

    private string OnTerminal(string arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        var psi = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in Environment()) if (value is null) psi.Environment.Remove(name); else psi.Environment[name] = value;
        psi.Environment.Remove("COLUMNS");
        psi.ArgumentList.Add("-qec");
        psi.ArgumentList.Add($"stty cols 80 rows 24; dotnet '{dll}' {arguments}");
        psi.ArgumentList.Add("/dev/null"); // script's own typescript file, not a transfer destination
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)));
        Assert.True(p.ExitCode == 0, output);
        return output;
    }

    /// <summary>What each "\r" redraw wrote on the row, padding included (escape sequences removed); rows ended by a newline are output lines.</summary>
    private static List<string> Redraws(string output)
    {
        string plain = Escapes().Replace(output, "").Replace("\r\n", "\n", StringComparison.Ordinal);
        return plain.Split('\r').Skip(1).Where(s => !s.Contains('\n', StringComparison.Ordinal)).Where(s => s.Trim().Length > 0).ToList();
    }

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|[=>])")]
    private static partial Regex Escapes();
}
