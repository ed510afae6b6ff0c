using System.Text;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice run FILE|-` through the real executable against the embedded server: the lines are parsed first (a usage
/// error anywhere runs nothing), then run in parallel in this one process; a failed line is reported with its number.
/// </summary>
public sealed class RunCommandTests() : ServerCommandTests("AKIDRUN", "run/secret", "run")
{
    private bool Exists(string url) => Sluice("stat", url).ExitCode == 0;

    private string Commands(string name, params string[] lines)
    {
        string path = Local(name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    [Fact]
    public void Lines_run_skipping_comments_and_a_failed_line_is_reported_with_its_number()
    {
        Ok(Sluice("mb", "s3://run"));
        var lines = new List<string> { "# upload five files", "" };
        for (int i = 0; i < 5; i++) lines.Add($"cp {NewFile($"f{i}.bin", 1000 + i, i)} s3://run/f{i}.bin");
        lines.Add("stat s3://run/missing"); // line 8
        lines.Add("   # an indented comment");
        var result = SluiceProcess.Run(Environment(), null, "run", Commands("batch.txt", [.. lines]));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(5, result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("upload: ", StringComparison.Ordinal)));
        Assert.Contains("sluice: run: line 8 failed (exit 1): stat s3://run/missing\n", result.StdErr);
        Assert.Contains("sluice: NoSuchKey: ", result.StdErr);
        for (int i = 0; i < 5; i++) Assert.True(Exists($"s3://run/f{i}.bin"));

        // All good: exit 0, from stdin, one worker.
        var stdin = Encoding.UTF8.GetBytes("rm s3://run/f0.bin\nrm s3://run/f1.bin\n");
        var removed = Ok(SluiceProcess.Run(Environment(), stdin, "run", "--numworkers", "1", "-"));
        Assert.Equal("delete: s3://run/f0.bin\ndelete: s3://run/f1.bin\n", removed.StdOut);
        Assert.False(Exists("s3://run/f0.bin"));
    }

    [Fact]
    public void Words_are_split_as_a_shell_splits_them()
    {
        Ok(Sluice("mb", "s3://run-words"));
        string spaced = NewFile("dir with space/a b.txt", 10, 1);
        string quote = NewFile("it's.txt", 10, 2);
        var done = Ok(SluiceProcess.Run(Environment(), null, "run", Commands("words.txt",
            $"cp '{spaced}' \"s3://run-words/x y.txt\"",
            $"cp {quote.Replace("'", "\\'", StringComparison.Ordinal)} s3://run-words/q\\ uote.txt")));
        Assert.Contains("upload: ", done.StdOut);
        Assert.True(Exists("s3://run-words/x y.txt"));
        Assert.True(Exists("s3://run-words/q uote.txt"));
    }

    [Fact]
    public void A_usage_error_on_any_line_runs_nothing()
    {
        Ok(Sluice("mb", "s3://run-usage"));
        string file = NewFile("u.bin", 10, 1);
        string[] good = [$"cp {file} s3://run-usage/u.bin"];
        OneLineError(SluiceProcess.Run(Environment(), null, "run", Commands("bad1.txt", [.. good, "cp onlyone"])), 2,
            "^sluice: run: line 2: Required argument 'destination' missing");
        OneLineError(SluiceProcess.Run(Environment(), null, "run", Commands("bad2.txt", [.. good, "", "cp 'open"])), 2,
            "^sluice: run: line 3: an unterminated ' quote$");
        OneLineError(SluiceProcess.Run(Environment(), null, "run", Commands("bad3.txt", [.. good, "serve --memory"])), 2,
            "^sluice: run: line 2: 'serve' cannot run inside run$");
        OneLineError(SluiceProcess.Run(Environment(), null, "run", Commands("bad4.txt", [.. good, "run x"])), 2, "'run' cannot run inside run");
        OneLineError(SluiceProcess.Run(Environment(), null, "run", Commands("bad5.txt", [.. good, "ls --io managed s3://run-usage"])), 2,
            "--io applies to the whole run");
        OneLineError(SluiceProcess.Run(Environment(), null, "run", Commands("bad6.txt", [.. good, "cp --help"])), 2, "is not a command to run");
        Assert.False(Exists("s3://run-usage/u.bin"));

        OneLineError(Sluice("run", "--numworkers", "0", Commands("ok.txt", good)), 2, "--numworkers must be from 1 to");
        OneLineError(Sluice("run", Local("no-such-file.txt")), 1, "^sluice: run: .*no-such-file.txt: no such file$");
        Assert.False(Exists("s3://run-usage/u.bin"));
    }

    [Fact]
    public void Lines_run_at_the_same_time()
    {
        // Two lines that can only finish together: one uploads from a FIFO, the other downloads into it. Run one
        // after the other, the first would wait forever for a writer (the hang guard would fail the test).
        Ok(Sluice("mb", "s3://run-fifo"));
        string source = NewFile("source.bin", 100_000, 3);
        Ok(Sluice("cp", source, "s3://run-fifo/source.bin"));
        string fifo = Local("pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        var done = Ok(SluiceProcess.Run(Environment(), null, "run", "--numworkers", "2", Commands("fifo.txt",
            $"cp {fifo} s3://run-fifo/through-fifo.bin",
            $"cp s3://run-fifo/source.bin {fifo}")));
        Assert.Contains("upload: ", done.StdOut);
        Ok(Sluice("cp", "s3://run-fifo/through-fifo.bin", Local("back.bin")));
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(Local("back.bin")));
    }

    [Fact]
    public void No_progress_line_is_drawn_on_a_terminal()
    {
        if (!File.Exists("/usr/bin/script")) return; // util-linux is part of every Debian system
        Ok(Sluice("mb", "s3://run-tty"));
        string big = NewFile("big.bin", 24 << 20, 9);
        // The same upload alone draws its progress line on the terminal; inside run (lines at once) it must not.
        Assert.Contains("MiB/s", OnTerminal($"cp --part-size 5MiB {big} s3://run-tty/alone.bin"));
        string batch = OnTerminal($"run {Commands("tty.txt", $"cp --part-size 5MiB {big} s3://run-tty/a.bin", $"cp --part-size 5MiB {big} s3://run-tty/b.bin")}");
        Assert.Contains("upload: ", batch);
        Assert.DoesNotContain("B/s", batch); // the rate of a progress line (MiB/s, KiB/s)
    }

    /// <summary>sluice on a pseudo-terminal (util-linux script): what the terminal showed, stdout and stderr alike.</summary>
    private string OnTerminal(string arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in Environment()) if (value is null) psi.Environment.Remove(name); else psi.Environment[name] = value;
        psi.ArgumentList.Add("-qec");
        psi.ArgumentList.Add($"stty cols 200 rows 24; dotnet '{dll}' {arguments}");
        psi.ArgumentList.Add("/dev/null"); // script's own typescript file, not a transfer destination
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)));
        Assert.True(p.ExitCode == 0, output);
        return output;
    }
}
