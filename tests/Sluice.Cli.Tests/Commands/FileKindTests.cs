using System.Diagnostics;
using System.Text;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// Local paths that are not regular files — a device node, a FIFO, a process substitution's /dev/fd/N — as cp and sync
/// sources and destinations: streamed in order or skipped with a warning, never renamed over, never stored empty.
/// Device nodes are made in the test's own directory (never the machine's /dev/null).
/// </summary>
public sealed class FileKindTests() : ServerCommandTests("AKIDFILEKIND", "file/kind+secret", "kind")
{
    private static void Tool(string name, params string[] args)
    {
        var psi = new ProcessStartInfo(name) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), $"{name} did not exit");
        Assert.True(p.ExitCode == 0, $"{name} {string.Join(' ', args)}: {error}");
    }

    private string NewNullDevice(string relative)
    {
        string path = Local(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Tool("mknod", path, "c", "1", "3"); // the null device's numbers, as a node of our own
        return path;
    }

    private string NewFifo(string relative)
    {
        string path = Local(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Tool("mkfifo", path);
        return path;
    }

    /// <summary>The file type as stat(1) names it, links followed ("regular file", "fifo", "character special file").</summary>
    private static string Kind(string path)
    {
        var psi = new ProcessStartInfo("stat", ["-L", "-c", "%F", path]) { UseShellExecute = false, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string kind = p.StandardOutput.ReadToEnd().Trim();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)));
        return kind;
    }

    /// <summary>A `sh -c` process (killable, unlike a thread blocked opening a FIFO), started now, awaited by the caller.</summary>
    private static Process Shell(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("sh");
        foreach (string a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static void Finish(Process p, string what)
    {
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{what} never finished (nothing opened the FIFO's other end)");
        }
    }

    private byte[] Download(string bucket, string key)
    {
        string back = Local($"back/{bucket}/{key}");
        Ok(Sluice("cp", $"s3://{bucket}/{key}", back));
        return File.ReadAllBytes(back);
    }

    [Fact]
    public void Downloads_write_through_a_device_or_fifo_and_never_replace_it()
    {
        Ok(Sluice("mb", "s3://dev"));
        string data = NewFile("src/obj.bin", 9 << 20, 1); // two 8 MiB parts
        Ok(Sluice("cp", data, "s3://dev/obj.bin"));

        string device = NewNullDevice("dst/null");
        var r = Ok(Sluice("cp", "s3://dev/obj.bin", device));
        Assert.Contains("download: ", r.StdOut);
        Assert.Equal("character special file", Kind(device));
        Assert.Empty(Directory.GetFiles(Local("dst"), "*.sluice-*"));

        // A FIFO gets exactly the object's bytes, in order, and stays a FIFO.
        string fifo = NewFifo("dst/pipe");
        string copy = Local("dst/from-pipe.bin");
        using var reader = Shell("cat \"$1\" > \"$2\"", fifo, copy);
        var fromFifo = Sluice("cp", "s3://dev/obj.bin", fifo);
        Finish(reader, "the FIFO's reader");
        Ok(fromFifo);
        Assert.Equal("fifo", Kind(fifo));
        Assert.True(File.ReadAllBytes(data).AsSpan().SequenceEqual(File.ReadAllBytes(copy)), "the FIFO's reader got other bytes");

        // A symbolic link to a device is followed: the device is written, the link stays a link to it.
        string link = Local("dst/link");
        File.CreateSymbolicLink(link, device);
        Ok(Sluice("cp", "s3://dev/obj.bin", link));
        Assert.Equal(device, new FileInfo(link).LinkTarget);
        Assert.Equal("character special file", Kind(device));

        // cp -r writes through a device in the tree; sync leaves it alone with a warning (and says it did not finish).
        Ok(Sluice("cp", data, "s3://dev/tree/obj.bin"));
        string treeDevice = NewNullDevice("tree/obj.bin");
        Ok(Sluice("cp", "-r", "s3://dev/tree/", Local("tree")));
        Assert.Equal("character special file", Kind(treeDevice));
        var sync = Sluice("sync", "s3://dev/tree/", Local("tree"));
        Assert.Equal(1, sync.ExitCode);
        Assert.Matches("sluice: warning: skipping .*obj.bin: not a regular file", sync.StdErr);
        Assert.Equal("character special file", Kind(treeDevice));
        Assert.Empty(Directory.GetFiles(Local("tree"), "*.sluice-*"));
    }

    [Fact]
    public async Task Uploads_stream_a_fifo_or_process_substitution_byte_exact()
    {
        Ok(Sluice("mb", "s3://fifo"));

        // The case: `sluice cp <(echo hello) s3://b/k` stored 0 bytes and exited 0.
        string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in Environment()) if (value is null) psi.Environment.Remove(name); else psi.Environment[name] = value;
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec dotnet \"$0\" cp <(echo hello) s3://fifo/hello.txt");
        psi.ArgumentList.Add(dll);
        using (var p = Process.Start(psi)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Finish(p, "sluice cp <(echo hello)");
            Assert.True(p.ExitCode == 0, await stderr);
            Assert.Contains("upload: /dev/fd/", await stdout);
        }
        Assert.Equal("hello\n", Encoding.ASCII.GetString(Download("fifo", "hello.txt")));

        // A FIFO carrying more than the part size: streamed as a multipart upload, in order, exactly.
        string big = NewFile("big.bin", 12 << 20, 2);
        string fifo = NewFifo("src/pipe");
        using var writer = Shell("cat \"$1\" > \"$2\"", big, fifo);
        var up = Sluice("cp", "--part-size", "5MiB", fifo, "s3://fifo/big.bin");
        Finish(writer, "the FIFO's writer");
        Ok(up);
        Assert.True(File.ReadAllBytes(big).AsSpan().SequenceEqual(Download("fifo", "big.bin")), "the object differs from the bytes written into the FIFO");
        Assert.Contains("\"size\":12582912,\"etag\":\"\\\"", Ok(Sluice("ls", "--json", "s3://fifo/big.bin")).StdOut);
    }

    [Fact]
    public void Directory_uploads_skip_a_fifo_with_a_warning_and_fail()
    {
        Ok(Sluice("mb", "s3://dir"));
        NewFile("tree/a.bin", 1000, 3);
        string fifo = NewFifo("tree/sub/pipe");

        var cp = Sluice("cp", "-r", Local("tree"), "s3://dir/cp");
        Assert.Equal(1, cp.ExitCode);
        Assert.Equal($"sluice: warning: skipping {fifo}: not a regular file\n", cp.StdErr);
        Assert.Contains("upload: ", cp.StdOut);

        var sync = Sluice("sync", Local("tree"), "s3://dir/sync");
        Assert.Equal(1, sync.ExitCode);
        Assert.Equal($"sluice: warning: skipping {fifo}: not a regular file\n", sync.StdErr);

        var ls = Ok(Sluice("ls", "-r", "s3://dir"));
        Assert.Contains("cp/a.bin", ls.StdOut);
        Assert.Contains("sync/a.bin", ls.StdOut);
        Assert.DoesNotContain("pipe", ls.StdOut);
        Assert.Equal("fifo", Kind(fifo));
    }
}
