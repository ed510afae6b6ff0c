using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Client;
using Sluice.Client.Model;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// The --json records and the terminal summary of mv, du, stat, mpu ls/abort, ls --incomplete, cat and run, through
/// the real executable against the embedded server (docs/cli-output.md has the record table).
/// </summary>
public sealed class ObjectCommandOutputTests() : ServerCommandTests("AKIDOBJOUT", "objout/secret", "objout")
{
    private static List<JsonElement> Records(SluiceProcess.Result r) => OutputCommandTests.Records(r);

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static long Number(JsonElement e, string name) => e.GetProperty(name).GetInt64();

    private static bool Flag(JsonElement e, string name) => e.GetProperty(name).GetBoolean();

    private S3Client NewClient() => new(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    private bool Exists(string url) => Sluice("stat", url).ExitCode == 0;

    [Fact]
    public void Mv_writes_a_transfer_and_a_delete_record_for_each_item()
    {
        Ok(Sluice("mb", "s3://mvj"));
        string file = NewFile("one.bin", 1000, 1);
        var up = Ok(Sluice("mv", "--json", file, "s3://mvj/a/one.bin"));
        Assert.Equal("", up.StdErr);
        var moved = Records(up);
        Assert.Equal(["transfer", "delete", "summary"], moved.Select(Type));
        Assert.Equal("upload", Text(moved[0], "op"));
        Assert.Equal(file, Text(moved[0], "source"));
        Assert.Equal("s3://mvj/a/one.bin", Text(moved[0], "destination"));
        Assert.Equal(1000, Number(moved[0], "size"));
        Assert.Equal(file, Text(moved[1], "target"));
        Assert.False(Flag(moved[1], "dryRun"));
        Assert.Equal("mv", Text(moved[2], "command"));
        Assert.Equal(1, Number(moved[2], "files"));
        Assert.Equal(1000, Number(moved[2], "bytes"));
        Assert.Equal(1, Number(moved[2], "deleted"));
        Assert.False(File.Exists(file));

        // s3 → s3 with a pattern, many items at once: every transfer has its delete, and a dry run changes nothing.
        Ok(Sluice("cp", NewFile("two.bin", 2000, 2), "s3://mvj/a/two.bin"));
        var dry = Records(Ok(Sluice("mv", "--json", "--dryrun", "s3://mvj/a/*", "s3://mvj/b/")));
        Assert.Equal(2, dry.Count(e => Type(e) == "transfer"));
        Assert.All(dry.Where(e => Type(e) is "transfer" or "delete"), e => Assert.True(Flag(e, "dryRun")));
        Assert.Equal(["s3://mvj/a/one.bin", "s3://mvj/a/two.bin"], dry.Where(e => Type(e) == "delete").Select(e => Text(e, "target")).Order(StringComparer.Ordinal));
        Assert.True(Flag(dry[^1], "dryRun"));
        Assert.True(Exists("s3://mvj/a/one.bin"));

        var copies = Records(Ok(Sluice("mv", "--json", "s3://mvj/a/*", "s3://mvj/b/")));
        var transfers = copies.Where(e => Type(e) == "transfer").OrderBy(e => Text(e, "source"), StringComparer.Ordinal).ToList();
        Assert.Equal(["copy", "copy"], transfers.Select(e => Text(e, "op")));
        Assert.Equal(["s3://mvj/b/one.bin", "s3://mvj/b/two.bin"], transfers.Select(e => Text(e, "destination")));
        Assert.Equal([1000L, 2000L], transfers.Select(e => Number(e, "size")));
        // Each delete follows its own transfer (the pair is written together).
        for (int i = 0; i < copies.Count - 1; i += 2)
        {
            Assert.Equal("transfer", Type(copies[i]));
            Assert.Equal(Text(copies[i], "source"), Text(copies[i + 1], "target"));
        }
        Assert.Equal(2, Number(copies[^1], "deleted"));
        Assert.Equal(3000, Number(copies[^1], "bytes"));
        Assert.False(Exists("s3://mvj/a/one.bin"));

        // Downloads say whether they were verified; a missing source is an error record, and nothing is deleted.
        var down = Records(Ok(Sluice("mv", "--json", "s3://mvj/b/one.bin", Local("back.bin"))));
        Assert.Equal("download", Text(down[0], "op"));
        Assert.True(Flag(down[0], "verified"));
        var missing = Sluice("mv", "--json", "s3://mvj/b/nope.bin", Local("nope.bin"));
        OneLineError(missing, 1, "^sluice: ");
        Assert.Equal(["error", "summary"], Records(missing).Select(Type));
        Assert.Equal(0, Number(Records(missing)[^1], "deleted"));

        // A pattern through cp (item by item, as mv) writes its transfers the same way.
        var cp = Records(Ok(Sluice("cp", "--json", "s3://mvj/b/*", Local("down") + "/")));
        Assert.Equal(["transfer", "summary"], cp.Select(Type));
        Assert.Equal(0, Number(cp[^1], "deleted"));
    }

    [Fact]
    public async Task Du_stat_and_cat_answer_in_records_or_refuse_json()
    {
        Ok(Sluice("mb", "s3://dsj"));
        Ok(Sluice("cp", NewFile("a.bin", 1000, 1), "s3://dsj/p/a.bin"));
        Ok(Sluice("cp", "--content-type", "text/plain", NewFile("b.bin", 2500, 2), "s3://dsj/p/b.bin"));

        var du = Records(Ok(Sluice("du", "--json", "s3://dsj/p/")));
        Assert.Equal(["total", "summary"], du.Select(Type));
        Assert.Equal("s3://dsj/p/", Text(du[0], "target"));
        Assert.Equal(2, Number(du[0], "objects"));
        Assert.Equal(3500, Number(du[0], "size"));
        Assert.Equal("du", Text(du[1], "command"));
        Assert.Equal(2, Number(du[1], "files"));
        Assert.Equal(3500, Number(du[1], "bytes"));
        Assert.Equal(1, Number(Records(Ok(Sluice("du", "--json", "s3://dsj/p/a*")))[0], "objects"));
        var none = Sluice("du", "--json", "s3://dsj/nothing/");
        OneLineError(none, 1, "^sluice: du: nothing matches s3://dsj/nothing/$");
        Assert.Equal(["error", "summary"], Records(none).Select(Type));

        await using (var client = NewClient())
        {
            await client.PutObjectAsync(new PutObjectRequest("dsj", "m.bin") { Metadata = new Dictionary<string, string> { ["owner"] = "ops" } }, new byte[3]);
        }
        var stat = Records(Ok(Sluice("stat", "--json", "s3://dsj/p/b.bin")));
        Assert.Equal(["object", "summary"], stat.Select(Type));
        var o = stat[0];
        Assert.Equal("dsj", Text(o, "bucket"));
        Assert.Equal("p/b.bin", Text(o, "key"));
        Assert.Equal(2500, Number(o, "size"));
        Assert.Matches("^\"[0-9a-f]{32}\"$", Text(o, "etag"));
        Assert.True(DateTimeOffset.TryParse(Text(o, "lastModified"), CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        Assert.Equal("STANDARD", Text(o, "storageClass"));
        Assert.Equal("text/plain", Text(o, "contentType"));
        Assert.Equal("FULL_OBJECT", Text(o, "checksumType"));
        Assert.Matches("^[A-Za-z0-9+/=]{12}$", o.GetProperty("checksums").GetProperty("CRC64NVME").GetString());
        Assert.Empty(o.GetProperty("metadata").EnumerateObject());
        var meta = Records(Ok(Sluice("stat", "--json", "s3://dsj/m.bin")))[0];
        Assert.Equal("ops", meta.GetProperty("metadata").GetProperty("owner").GetString());
        var gone = Sluice("stat", "--json", "s3://dsj/nope");
        OneLineError(gone, 1, "^sluice: NoSuchKey: ");
        Assert.Equal(["error", "summary"], Records(gone).Select(Type));

        // cat's stdout is the object: --json is refused before anything is fetched (exit 2), the records say why.
        var cat = Sluice("cat", "--json", "s3://dsj/p/a.bin");
        OneLineError(cat, 2, "^sluice: cat: --json writes its records to stdout, which cat uses for the data$");
        var refused = Records(cat);
        Assert.Equal(["error", "summary"], refused.Select(Type));
        Assert.Equal(0, Number(refused[^1], "bytes"));
    }

    [Fact]
    public async Task Uploads_in_progress_are_upload_records_and_aborts_abort_records()
    {
        Ok(Sluice("mb", "s3://mpuj"));
        var ids = new List<string>();
        await using (var client = NewClient())
        {
            foreach (string key in new[] { "a/x", "a/y", "b/z" })
                ids.Add(await client.CreateMultipartUploadAsync(new PutObjectRequest("mpuj", key)));
        }

        var listed = Records(Ok(Sluice("mpu", "ls", "--json", "s3://mpuj/a/")));
        Assert.Equal(["upload", "upload", "summary"], listed.Select(Type));
        Assert.Equal(["a/x", "a/y"], listed.Take(2).Select(e => Text(e, "key")).Order(StringComparer.Ordinal));
        Assert.Equal(ids.Take(2).Order(StringComparer.Ordinal), listed.Take(2).Select(e => Text(e, "uploadId")).Order(StringComparer.Ordinal));
        Assert.All(listed.Take(2), e => Assert.InRange(DateTimeOffset.Parse(Text(e, "initiated"), CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Equal("mpu ls", Text(listed[^1], "command"));
        Assert.Equal(2, Number(listed[^1], "uploads"));
        Assert.Equal(0, Number(listed[^1], "files"));

        // ls --incomplete writes the same records.
        var ls = Records(Ok(Sluice("ls", "--incomplete", "--json", "s3://mpuj")));
        Assert.Equal(3, ls.Count(e => Type(e) == "upload"));
        Assert.Equal("ls", Text(ls[^1], "command"));
        Assert.Equal(3, Number(ls[^1], "uploads"));

        var one = Records(Ok(Sluice("mpu", "abort", "--json", "s3://mpuj/b/z", ids[2])));
        Assert.Equal(["abort", "summary"], one.Select(Type));
        Assert.Equal("s3://mpuj/b/z", Text(one[0], "target"));
        Assert.Equal(ids[2], Text(one[0], "uploadId"));
        Assert.False(Flag(one[0], "dryRun"));
        Assert.Equal("mpu abort", Text(one[1], "command"));
        Assert.Equal(1, Number(one[1], "aborted"));
        var again = Sluice("mpu", "abort", "--json", "s3://mpuj/b/z", ids[2]);
        OneLineError(again, 1, "^sluice: NoSuchUpload: ");
        Assert.Equal(["error", "summary"], Records(again).Select(Type));

        var dry = Records(Ok(Sluice("mpu", "abort", "--all", "--dryrun", "--json", "s3://mpuj")));
        Assert.Equal(2, dry.Count(e => Type(e) == "abort" && Flag(e, "dryRun")));
        Assert.True(Flag(dry[^1], "dryRun"));
        var all = Records(Ok(Sluice("mpu", "abort", "--all", "--json", "s3://mpuj")));
        Assert.Equal(["s3://mpuj/a/x", "s3://mpuj/a/y"], all.Where(e => Type(e) == "abort").Select(e => Text(e, "target")).Order(StringComparer.Ordinal));
        Assert.Equal(2, Number(all[^1], "aborted"));
        Assert.Equal(["summary"], Records(Ok(Sluice("mpu", "ls", "--json", "s3://mpuj"))).Select(Type));

        // A parser error of a subcommand names it whole in the summary.
        var usage = Sluice("mpu", "ls", "--json", "s3://mpuj", "extra");
        Assert.Equal(2, usage.ExitCode);
        Assert.Equal("mpu ls", Text(Records(usage)[^1], "command"));
    }

    [Fact]
    public void Run_json_puts_every_lines_records_in_one_stream_with_one_summary()
    {
        Ok(Sluice("mb", "s3://runj"));
        string a = NewFile("a.bin", 1000, 1), b = NewFile("b.bin", 2000, 2);
        string commands = Local("batch.txt");
        File.WriteAllLines(commands,
        [
            "# two uploads, a listing, a failure",
            $"cp {a} s3://runj/a.bin",
            $"cp {b} s3://runj/b.bin",
            "stat s3://runj/missing",
        ]);
        var run = SluiceProcess.Run(Environment(), null, "run", "--json", commands);
        Assert.Equal(1, run.ExitCode);
        var records = Records(run);
        // Every record of a line says which; every line ends with its "line" record, exit code included.
        Assert.All(records.Take(records.Count - 1), e => Assert.True(e.TryGetProperty("line", out _), e.ToString()));
        var lines = records.Where(e => Type(e) == "line").ToDictionary(e => Number(e, "line"));
        Assert.Equal([2L, 3L, 4L], lines.Keys.Order());
        Assert.Equal(0, Number(lines[2], "exitCode"));
        Assert.Equal("cp", Text(lines[2], "command"));
        Assert.Equal(1, Number(lines[4], "exitCode"));
        Assert.Equal("stat", Text(lines[4], "command"));
        var uploads = records.Where(e => Type(e) == "transfer").ToDictionary(e => Number(e, "line"), e => Text(e, "destination"));
        Assert.Equal(new Dictionary<long, string> { [2] = "s3://runj/a.bin", [3] = "s3://runj/b.bin" }, uploads);
        var error = Assert.Single(records, e => Type(e) == "error");
        Assert.Equal(4, Number(error, "line"));
        Assert.StartsWith("NoSuchKey: ", Text(error, "message"));
        // Each line's records come before its "line" record.
        Assert.True(records.FindIndex(e => Type(e) == "transfer" && Number(e, "line") == 2) < records.FindIndex(e => Type(e) == "line" && Number(e, "line") == 2));

        var summary = records[^1];
        Assert.False(summary.TryGetProperty("line", out _));
        Assert.Equal("run", Text(summary, "command"));
        Assert.Equal(2, Number(summary, "files"));
        Assert.Equal(3000, Number(summary, "bytes"));
        Assert.Equal(1, Number(summary, "errors"));
        Assert.Equal(3, Number(summary, "lines"));
        Assert.Equal(1, Number(summary, "failedLines"));
        Assert.Contains("sluice: run: line 4 failed (exit 1): stat s3://runj/missing\n", run.StdErr);

        // From stdin, all good.
        var stdin = Encoding.UTF8.GetBytes("rm s3://runj/a.bin\nrm s3://runj/b.bin\n");
        var removed = Records(Ok(SluiceProcess.Run(Environment(), stdin, "run", "--json", "-")));
        Assert.Equal(2, removed.Count(e => Type(e) == "delete"));
        Assert.Equal(2, Number(removed[^1], "deleted"));
        Assert.Equal(0, Number(removed[^1], "failedLines"));

        // One stream: a line's own --json is refused before anything runs, and so is '-' for data inside a JSON run.
        File.WriteAllLines(commands, [$"cp {a} s3://runj/a.bin", "ls --json s3://runj"]);
        var own = Sluice("run", "--json", commands);
        OneLineError(own, 2, "^sluice: run: line 2: --json applies to the whole run: give it to run$");
        Assert.Equal(["error", "summary"], Records(own).Select(Type));
        Assert.False(Exists("s3://runj/a.bin"));
        OneLineError(Sluice("run", commands), 2, "--json applies to the whole run");

        File.WriteAllLines(commands, [$"cp {a} s3://runj/a.bin", "cat s3://runj/a.bin"]);
        var data = SluiceProcess.Run(Environment(), null, "run", "--json", "--numworkers", "1", commands);
        Assert.Equal(1, data.ExitCode);
        var dataRecords = Records(data);
        Assert.Equal(2, Number(Assert.Single(dataRecords, e => Type(e) == "line" && Number(e, "line") == 2), "exitCode"));
        Assert.Contains(dataRecords, e => Type(e) == "error" && Text(e, "message").StartsWith("cat: --json writes its records", StringComparison.Ordinal));
    }

    /// <summary>sluice on a pseudo-terminal (script(1); /dev/null is where script would keep its typescript): what the terminal showed.</summary>
    private SluiceProcess.Result InTerminal(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        string command = string.Join(' ', new[] { "dotnet", dll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var r = SluiceProcess.RunExecutable("script", Environment(), [], "-qefc", command, "/dev/null");
        return r with { StdOut = r.StdOut.Replace("\r\n", "\n", StringComparison.Ordinal) };
    }

    [Fact]
    public void Mv_and_run_end_with_the_summary_on_a_terminal_and_not_into_a_pipe()
    {
        Ok(Sluice("mb", "s3://mvs"));
        string file = NewFile("m.bin", 1000, 3);
        var piped = Ok(Sluice("mv", file, "s3://mvs/a"));
        Assert.Equal($"move: {file} to s3://mvs/a\n", piped.StdOut);
        Assert.Equal("", piped.StdErr);

        var terminal = Ok(InTerminal("mv", "s3://mvs/a", "s3://mvs/b"));
        Assert.Contains("move: s3://mvs/a to s3://mvs/b\n", terminal.StdOut);
        Assert.Matches(@"(^|\n)summary: 1 file \(1000B\), 1 deleted, 0 errors in \d+\.\d+s \(\d+(\.\d+)?[KMG]?i?B/s\)\n", terminal.StdOut);
        var asked = Ok(Sluice("mv", "--summary", "s3://mvs/b", "s3://mvs/c"));
        Assert.Matches(@"^summary: 1 file \(1000B\), 1 deleted, 0 errors in ", asked.StdErr);
        Assert.DoesNotContain("summary:", Ok(InTerminal("mv", "--quiet", "s3://mvs/c", "s3://mvs/d")).StdOut);

        // run: one summary for the batch (its lines print none of their own), on a terminal or when asked.
        string commands = Local("batch.txt");
        File.WriteAllLines(commands, ["mv s3://mvs/d s3://mvs/e", $"cp {NewFile("n.bin", 1048, 4)} s3://mvs/n"]);
        var batch = Ok(InTerminal("run", commands));
        Assert.Single(Regex.Matches(batch.StdOut, "summary: "));
        Assert.Matches(@"(^|\n)summary: 2 files \(2KiB\), 1 deleted, 2 lines, 0 failed, 0 errors in \d+\.\d+s\n", batch.StdOut);
        // Into a pipe: no summary, and --summary asks for it (stat counts the object it showed, as ls counts its listing).
        File.WriteAllLines(commands, ["stat s3://mvs/e"]);
        Assert.Equal("", Ok(Sluice("run", commands)).StdErr);
        Assert.Matches(@"^summary: 1 file \(1000B\), 1 line, 0 failed, 0 errors in \d+\.\d+s\n$", Ok(Sluice("run", "--summary", commands)).StdErr);
    }
}
