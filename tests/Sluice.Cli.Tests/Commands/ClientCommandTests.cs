using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// cp/ls/rm/mb/rb/presign as a user runs them: the real sluice executable against the embedded server (in this
/// process, real loopback sockets), configured the AWS way through the environment.
/// </summary>
public sealed class ClientCommandTests() : ServerCommandTests("AKIDCLICOMMANDS", "cli/commands+secret", "cli")
{
    [Fact]
    public void Files_go_up_and_down_byte_exact_in_parts_and_listings_show_them()
    {
        Ok(Sluice("mb", "s3://files"));
        string big = NewFile("up/big.bin", 21 << 20, 1); // above the 16 MiB single-PUT threshold: multipart
        var up = Sluice("cp", "--part-size", "5MiB", big, "s3://files/dir/");
        Ok(up);
        Assert.Contains("upload: ", up.StdOut);
        Assert.Equal("", up.StdErr); // no progress bar when stderr is not a terminal

        string back = Path.Combine(Root, "down", "big.bin");
        Ok(Sluice("cp", "s3://files/dir/big.bin", back));
        Assert.Equal(File.ReadAllBytes(big), File.ReadAllBytes(back));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(back)!, "*.sluice-*")); // no part or state file left

        Ok(Sluice("cp", "s3://files/dir/big.bin", "s3://files/copy/big.bin"));
        var ls = Sluice("ls", "s3://files");
        Ok(ls);
        Assert.Matches(@"^\s+PRE copy/\n\s+PRE dir/\n$", ls.StdOut);
        var lsr = Sluice("ls", "--recursive", "--human-readable", "--summarize", "s3://files");
        Ok(lsr);
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d\s+21MiB copy/big.bin\n", lsr.StdOut);
        Assert.Contains("Total Objects: 2", lsr.StdOut);
        var json = Sluice("ls", "--json", "s3://files/dir/");
        Ok(json);
        Assert.Matches("^\\{\"type\":\"object\",\"key\":\"dir/big.bin\",\"size\":22020096,\"etag\":\"\\\\\"[0-9a-f]{32}-5\\\\\"\"", json.StdOut);
        Assert.Contains("files", Sluice("ls").StdOut);
        Assert.Contains("files", Ok(Sluice("ls", "s3://")).StdOut); // s3:// alone lists the buckets, as aws does
        // A prefix matching nothing fails (as aws s3 ls), with one line; an empty bucket listed whole does not.
        OneLineError(Sluice("ls", "s3://files/no-such-prefix"), 1, "^sluice: ls: nothing matches s3://files/no-such-prefix$");
        OneLineError(Sluice("ls", "--recursive", "--json", "s3://files/nope/"), 1, "^sluice: ls: nothing matches ");
        Ok(Sluice("mb", "s3://empty-listing"));
        Assert.Equal("", Ok(Sluice("ls", "s3://empty-listing")).StdOut);
        Ok(Sluice("rb", "s3://empty-listing"));
    }

    [Fact]
    public void Directories_copy_recursively_with_globs_and_rm_and_rb_clean_up()
    {
        Ok(Sluice("mb", "s3://tree"));
        NewFile("tree/a.txt", 10, 2);
        NewFile("tree/sub/b.txt", 20, 3);
        NewFile("tree/sub/skip.tmp", 30, 4);
        Ok(Sluice("cp", "-r", "--exclude", "*.tmp", Path.Combine(Root, "tree"), "s3://tree/t"));
        var ls = Sluice("ls", "-r", "s3://tree");
        Assert.Contains("t/a.txt", ls.StdOut);
        Assert.Contains("t/sub/b.txt", ls.StdOut);
        Assert.DoesNotContain("skip.tmp", ls.StdOut);

        string back = Path.Combine(Root, "tree-back");
        Ok(Sluice("cp", "-r", "s3://tree/t/", back));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Root, "tree/sub/b.txt")), File.ReadAllBytes(Path.Combine(back, "sub/b.txt")));

        var dry = Sluice("rm", "-r", "--dryrun", "s3://tree/t/");
        Assert.Contains("(dryrun) delete: s3://tree/t/a.txt", dry.StdOut);
        OneLineError(Sluice("rb", "s3://tree"), 1, "^sluice: BucketNotEmpty: ");
        var rm = Sluice("rm", "-r", "--exclude", "*", "--include", "sub/*", "s3://tree/t/");
        Ok(rm);
        Assert.Equal("delete: s3://tree/t/sub/b.txt\n", rm.StdOut);
        Ok(Sluice("rm", "s3://tree/t/a.txt"));
        Assert.Equal("", Sluice("ls", "-r", "s3://tree").StdOut);
        Ok(Sluice("rb", "s3://tree"));

        Ok(Sluice("mb", "s3://full"));
        Ok(Sluice("cp", Path.Combine(Root, "tree/a.txt"), "s3://full/a"));
        Ok(Sluice("rb", "--force", "s3://full"));
        Assert.DoesNotContain("full", Sluice("ls").StdOut);
    }

    [Fact]
    public async Task Stdin_and_stdout_stream_and_presigned_urls_work_for_anyone()
    {
        Ok(Sluice("mb", "s3://pipes"));
        string text = string.Concat(Enumerable.Range(0, 200_000).Select(i => (char)('a' + i % 26)));
        Ok(SluiceProcess.Run(Environment(), Encoding.ASCII.GetBytes(text), "cp", "-", "s3://pipes/from-stdin.txt"));
        var cat = Sluice("cp", "s3://pipes/from-stdin.txt", "-");
        Ok(cat);
        Assert.Equal(text, cat.StdOut);

        var get = Sluice("presign", "--expires-in", "300", "s3://pipes/from-stdin.txt");
        Ok(get);
        using var http = new HttpClient();
        Assert.Equal(text, await http.GetStringAsync(get.StdOut.Trim()));
        var put = Sluice("presign", "--method", "PUT", "s3://pipes/by-url.txt");
        Ok(put);
        Assert.Contains("X-Amz-Expires=3600", put.StdOut);
        using (var response = await http.PutAsync(put.StdOut.Trim(), new StringContent("via url")))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("via url", Sluice("cp", "s3://pipes/by-url.txt", "-").StdOut);
    }

    [Fact]
    public void Stdin_and_stdout_carry_a_multipart_object_in_order()
    {
        // 12 MB through a pipe each way, 5 MiB parts: partial pipe reads fill a part, parts are written out in order.
        Ok(Sluice("mb", "s3://bigpipe"));
        byte[] random = new byte[6_000_000];
        new Random(11).NextBytes(random);
        string text = Convert.ToHexString(random);
        Ok(SluiceProcess.Run(Environment(), Encoding.ASCII.GetBytes(text), "cp", "-", "s3://bigpipe/obj", "--part-size", "5MiB"));
        Assert.Contains("12000000", Ok(Sluice("ls", "s3://bigpipe")).StdOut);
        var cat = Ok(Sluice("cp", "s3://bigpipe/obj", "-", "--part-size", "5MiB", "--concurrency", "3"));
        Assert.Equal(text.Length, cat.StdOut.Length);
        Assert.True(text == cat.StdOut, "the object read back through stdout differs from what went in through stdin");
    }

    [Fact]
    public void Failures_are_one_line_with_the_documented_exit_code()
    {
        OneLineError(Sluice("ls", "s3://no-such-bucket"), 1, "^sluice: NoSuchBucket: .*\\(HTTP 404\\)$");
        OneLineError(SluiceProcess.Run(Environment("wrong-secret"), null, "ls"), 1, "^sluice: SignatureDoesNotMatch: ");
        OneLineError(Sluice("cp", Path.Combine(Root, "missing.bin"), "s3://x/y"), 1, "^sluice: cp: .*missing.bin: no such file$");
        OneLineError(Sluice("cp", "a", "b"), 2, "^sluice: cp: one side must be an s3:// location$");
        OneLineError(Sluice("cp", "--part-size", "lots", "a", "s3://x/"), 2, "^sluice: cp: --part-size: 'lots' is not a size");
        OneLineError(Sluice("ls", "s3:///key"), 2, "^sluice: ls: .*has no bucket name");
        OneLineError(Sluice("mb", "s3://b/key"), 2, "^sluice: mb: .*names an object");
        OneLineError(Sluice("presign", "--expires-in", "999999", "s3://b/k"), 2, "^sluice: presign: --expires-in");
        OneLineError(Sluice("cp", "s3://pipes-none/k", Path.Combine(Root, "nothing")), 1, "^sluice: download of s3://pipes-none/k failed: NoSuchBucket");
        Assert.False(File.Exists(Path.Combine(Root, "nothing")), "a failed download leaves no file");
        OneLineError(SluiceProcess.Run(Environment(), null, "ls", "--endpoint", "ftp://x"), 2, "^sluice: --endpoint: 'ftp://x' is not an http\\(s\\) URL$");
        OneLineError(Sluice("ls", "--endpoint", "http://127.0.0.1:1"), 1, "^sluice: ");
    }

    /// <summary>On a terminal (a pseudo-terminal from util-linux `script`), cp draws a progress line in place.</summary>
    [Fact]
    public void Cp_draws_progress_on_a_terminal_only()
    {
        if (!File.Exists("/usr/bin/script")) return; // util-linux is part of every Debian system
        Ok(Sluice("mb", "s3://tty"));
        string file = NewFile("tty/big.bin", 40 << 20, 9);
        string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in Environment()) if (value is null) psi.Environment.Remove(name); else psi.Environment[name] = value;
        psi.ArgumentList.Add("-qec");
        psi.ArgumentList.Add($"dotnet '{dll}' cp --part-size 5MiB --concurrency 1 '{file}' s3://tty/big.bin");
        psi.ArgumentList.Add("/dev/null");
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)));
        Assert.Equal(0, p.ExitCode);
        Assert.Matches(@"\r[0-9.]+[KMG]?i?B / 40MiB \(\d+%\)", output);
        Assert.Contains("upload: ", output);
    }

    [Fact]
    public void Help_has_examples_for_every_client_command()
    {
        foreach (string command in new[] { "cp", "ls", "rm", "mb", "rb", "presign", "sync", "serve", "bench" })
        {
            var help = SluiceProcess.Run(command, "--help");
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("Example", help.StdOut);
            Assert.Matches(new Regex("sluice " + command + " "), help.StdOut);
        }
    }
}
