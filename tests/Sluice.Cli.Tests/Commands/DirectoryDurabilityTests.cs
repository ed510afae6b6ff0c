using System.Diagnostics;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// Directory transfers of many small files through the real executable: every file complete under its own name after
/// cp -r and sync in both directions, a failed file fails the command and leaves nothing half-written under its final
/// name, and a sync killed with -9 leaves every file it reported complete (and no partial file under a final name).
/// </summary>
public sealed class DirectoryDurabilityTests() : ServerCommandTests("AKIDDIRS", "dirs/secret", "dirs")
{
    /// <summary>A tree of small files: new nested directories, an empty file, sizes around the 4 KiB page.</summary>
    private Dictionary<string, byte[]> NewTree(string relative, int count)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = $"d{i % 4}/{(i % 3 == 0 ? "deep/er/" : "")}f{i:D3}.bin";
            int size = i == 0 ? 0 : i % 5 == 0 ? 4096 : 1000 + i * 37;
            files[name] = File.ReadAllBytes(NewFile($"{relative}/{name}", size, i));
        }
        return files;
    }

    /// <summary>Every expected file holds exactly its bytes, nothing else is there, and no .sluice-part is left.</summary>
    private static void AssertTree(string root, Dictionary<string, byte[]> expected)
    {
        var found = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal).ToArray(), found);
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(root, name))), name);
    }

    private static int Lines(SluiceProcess.Result r, string verb) =>
        r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith(verb + ": ", StringComparison.Ordinal));

    [Fact]
    public void Cp_recursive_up_and_down_leaves_every_file_complete_under_its_name()
    {
        Ok(Sluice("mb", "s3://cpr"));
        var tree = NewTree("src", 120);
        Assert.Equal(120, Lines(Ok(Sluice("cp", "-r", "--no-progress", Local("src"), "s3://cpr/t/")), "upload"));
        // Into a directory that does not exist yet, several levels down: every level is made (and synced) by the download.
        string into = Local("out/a/b");
        Assert.Equal(120, Lines(Ok(Sluice("cp", "-r", "--no-progress", "s3://cpr/t/", into)), "download"));
        AssertTree(into, tree);
        // Again over the same files: each is replaced whole.
        Assert.Equal(120, Lines(Ok(Sluice("cp", "-r", "--no-progress", "s3://cpr/t/", into)), "download"));
        AssertTree(into, tree);
    }

    [Fact]
    public void Sync_up_and_down_leaves_every_file_complete_under_its_name()
    {
        Ok(Sluice("mb", "s3://syn"));
        var tree = NewTree("src", 90);
        Assert.Equal(90, Lines(Ok(Sluice("sync", "--no-progress", Local("src"), "s3://syn/t")), "upload"));
        string into = Local("mirror/x");
        Assert.Equal(90, Lines(Ok(Sluice("sync", "--no-progress", "s3://syn/t", into)), "download"));
        AssertTree(into, tree);
        // Nothing changed: nothing moves either way.
        Assert.Equal("", Ok(Sluice("sync", "--no-progress", "s3://syn/t", into)).StdOut);
        Assert.Equal("", Ok(Sluice("sync", "--no-progress", Local("src"), "s3://syn/t")).StdOut);
    }

    [Fact]
    public void A_download_that_cannot_be_placed_fails_the_command_and_leaves_no_partial_file()
    {
        Ok(Sluice("mb", "s3://bad"));
        var tree = NewTree("src", 40);
        Ok(Sluice("cp", "-r", "--no-progress", Local("src"), "s3://bad/t/"));
        foreach (string verb in new[] { "cp", "sync" })
        {
            // A directory already stands where one file goes: its bytes arrive in full, but cannot be renamed into place.
            string into = Local($"into-{verb}");
            string blocked = Path.Combine(into, "d1", "f001.bin");
            Directory.CreateDirectory(blocked);
            var r = verb == "cp" ? Sluice("cp", "-r", "--no-progress", "s3://bad/t/", into) : Sluice("sync", "--no-progress", "s3://bad/t", into);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("f001.bin", r.StdErr);
            Assert.True(Directory.Exists(blocked), "the directory in the way is untouched");
            Directory.Delete(blocked);
            // Every other file is complete; the failed one is nowhere, not even as a leftover partial file.
            var rest = new Dictionary<string, byte[]>(tree, StringComparer.Ordinal);
            rest.Remove("d1/f001.bin");
            AssertTree(into, rest);
        }
    }

    [Fact]
    public void An_upload_of_one_file_that_fails_fails_the_command_and_the_others_arrive()
    {
        Ok(Sluice("mb", "s3://upf"));
        var tree = NewTree("src", 30);
        // A key over S3's 1,024 bytes: the server refuses that one object (KeyTooLongError), the rest go up.
        string deep = string.Join('/', Enumerable.Range(0, 6).Select(i => new string((char)('a' + i), 200)));
        NewFile($"src/{deep}/long.bin", 100, 99);
        foreach (string[] args in new[] { new[] { "cp", "-r", "--no-progress", Local("src"), "s3://upf/c/" }, ["sync", "--no-progress", Local("src"), "s3://upf/s"] })
        {
            var r = Sluice(args);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("long.bin", r.StdErr);
            string prefix = args[0] == "cp" ? "s3://upf/c/" : "s3://upf/s";
            Ok(Sluice("cp", "-r", "--no-progress", prefix, Local($"back-{args[0]}")));
            AssertTree(Local($"back-{args[0]}"), tree);
        }
    }

    [Fact]
    public async Task A_sync_killed_mid_run_leaves_every_reported_file_complete_and_no_partial_file_visible()
    {
        Ok(Sluice("mb", "s3://kill"));
        var tree = NewTree("src", 400);
        Ok(Sluice("cp", "-r", "--no-progress", Local("src"), "s3://kill/t/"));
        string into = Local("killed");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in Environment())
        {
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "sync", "--no-progress", "--parallel", "1", "s3://kill/t", into })
            psi.ArgumentList.Add(a); // one file at a time, so the kill lands while most files are still to come
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var reported = new List<string>();
        // Killed as soon as 20 files are reported: whatever is in flight then is cut off mid-way.
        while (reported.Count < 20 && await p.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith("download: ", StringComparison.Ordinal)) reported.Add(line[(line.LastIndexOf(" to ", StringComparison.Ordinal) + 4)..]);
        p.Kill();
        await p.WaitForExitAsync();
        await stderr;
        Assert.Equal(20, reported.Count);
        foreach (string path in reported)
            Assert.True(tree[Path.GetRelativePath(into, path).Replace(Path.DirectorySeparatorChar, '/')].AsSpan().SequenceEqual(File.ReadAllBytes(path)), path);
        // Whatever else is under a final name is complete too; only .sluice-part files may be unfinished.
        foreach (string file in Directory.EnumerateFiles(into, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(into, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.Contains(".sluice-part", StringComparison.Ordinal)) continue;
            Assert.True(tree[relative].AsSpan().SequenceEqual(File.ReadAllBytes(file)), relative);
        }
        // A rerun completes the rest.
        Ok(Sluice("sync", "--no-progress", "s3://kill/t", into));
        AssertTree(into, tree);
    }
}
