using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// What the commands print, through the real executable against the embedded server: --json records (one object per
/// line on stdout, a summary last, nothing else on stdout), the end-of-run summary on a terminal only (a real
/// pseudo-terminal made by script(1)), and ls times in local time with the zone.
/// </summary>
public sealed class OutputCommandTests() : ServerCommandTests("AKIDOUTPUT", "output/secret", "output")
{
    /// <summary>Every stdout line parsed; each must be one JSON object with a "type", and the last the summary.</summary>
    internal static List<JsonElement> Records(SluiceProcess.Result r)
    {
        Assert.EndsWith("\n", r.StdOut);
        var records = r.StdOut.TrimEnd('\n').Split('\n').Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            Assert.True(doc.RootElement.TryGetProperty("type", out _), "no type: " + line);
            return doc.RootElement.Clone();
        }).ToList();
        Assert.Single(records, e => Type(e) == "summary");
        Assert.Equal("summary", Type(records[^1]));
        Assert.Equal(r.ExitCode, records[^1].GetProperty("exitCode").GetInt32());
        return records;
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static long Number(JsonElement e, string name) => e.GetProperty(name).GetInt64();

    [Fact]
    public void Json_mode_writes_one_record_per_line_and_a_summary_for_every_client_command()
    {
        var mb = Records(Ok(Sluice("mb", "--json", "s3://records")));
        Assert.Equal(["makeBucket", "summary"], mb.Select(Type));
        Assert.Equal("records", Text(mb[0], "bucket"));
        Assert.Equal("mb", Text(mb[1], "command"));

        string file = NewFile("one.bin", 1000, 1);
        var up = Ok(Sluice("cp", "--json", file, "s3://records/one.bin"));
        Assert.Equal("", up.StdErr);
        var upload = Records(up);
        Assert.Equal(["transfer", "summary"], upload.Select(Type));
        Assert.Equal("upload", Text(upload[0], "op"));
        Assert.Equal(file, Text(upload[0], "source"));
        Assert.Equal("s3://records/one.bin", Text(upload[0], "destination"));
        Assert.Equal(1000, Number(upload[0], "size"));
        Assert.False(upload[0].GetProperty("dryRun").GetBoolean());
        Assert.Equal(1, Number(upload[1], "files"));
        Assert.Equal(1000, Number(upload[1], "bytes"));
        Assert.Equal(0, Number(upload[1], "errors"));
        Assert.True(upload[1].GetProperty("elapsedSeconds").GetDouble() >= 0);

        NewFile("tree/a.txt", 10, 2);
        NewFile("tree/sub/b.txt", 20, 3);
        var tree = Records(Ok(Sluice("cp", "-r", "--json", Local("tree"), "s3://records/tree/")));
        Assert.Equal(["s3://records/tree/a.txt", "s3://records/tree/sub/b.txt"],
            tree.Where(e => Type(e) == "transfer").Select(e => Text(e, "destination")).Order(StringComparer.Ordinal));
        Assert.Equal(30, Number(tree[^1], "bytes"));

        // Downloads say whether their bytes were verified.
        var down = Records(Ok(Sluice("sync", "--json", "s3://records/tree/", Local("back"))));
        Assert.All(down.Where(e => Type(e) == "transfer"), e =>
        {
            Assert.Equal("download", Text(e, "op"));
            Assert.True(e.GetProperty("verified").GetBoolean());
        });
        Assert.Equal(2, Number(down[^1], "files"));

        var listing = Records(Ok(Sluice("ls", "--json", "s3://records/")));
        Assert.Equal(["prefix", "object", "summary"], listing.Select(Type));
        Assert.Equal("tree/", Text(listing[0], "prefix"));
        Assert.Equal("one.bin", Text(listing[1], "key"));
        Assert.Equal(1000, Number(listing[1], "size"));
        Assert.Matches("^\"[0-9a-f]{32}\"$", Text(listing[1], "etag"));
        Assert.Equal("STANDARD", Text(listing[1], "storageClass"));
        Assert.True(DateTimeOffset.TryParse(Text(listing[1], "lastModified"), CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        Assert.Equal(1, Number(listing[2], "prefixes"));
        Assert.Contains(Records(Ok(Sluice("ls", "--json"))), e => Type(e) == "bucket" && Text(e, "name") == "records");

        var dry = Records(Ok(Sluice("rm", "-r", "--dryrun", "--json", "s3://records/tree/")));
        Assert.Equal(["s3://records/tree/a.txt", "s3://records/tree/sub/b.txt"],
            dry.Where(e => Type(e) == "delete").Select(e => Text(e, "target")).Order(StringComparer.Ordinal));
        Assert.All(dry.Where(e => Type(e) == "delete"), e => Assert.True(e.GetProperty("dryRun").GetBoolean()));
        Assert.True(dry[^1].GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, Number(dry[^1], "deleted"));
        Assert.Contains("tree/sub/b.txt", Ok(Sluice("ls", "-r", "s3://records")).StdOut); // a dry run deletes nothing

        var presign = Records(Ok(Sluice("presign", "--json", "--expires-in", "600", "s3://records/one.bin")));
        Assert.StartsWith(Server.Endpoint.ToString().TrimEnd('/') + "/records/one.bin?", Text(presign[0], "url"));
        Assert.Equal("GET", Text(presign[0], "method"));
        var expires = DateTimeOffset.Parse(Text(presign[0], "expires"), CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(601));

        // Failures: the human line stays on stderr, the record goes to stdout, the summary counts it.
        var missing = Sluice("cp", "--json", "s3://records/missing", Local("missing.bin"));
        OneLineError(missing, 1, "^sluice: download of s3://records/missing failed: .*NoSuchKey");
        var failed = Records(missing);
        Assert.Equal(["error", "summary"], failed.Select(Type));
        Assert.StartsWith("download of s3://records/missing failed: ", Text(failed[0], "message"));
        Assert.Contains("NoSuchKey", Text(failed[0], "message"));
        Assert.Equal(1, Number(failed[1], "errors"));

        var nothing = Sluice("ls", "--json", "s3://records/no-such-prefix/");
        OneLineError(nothing, 1, "^sluice: ls: nothing matches ");
        Assert.Equal(["error", "summary"], Records(nothing).Select(Type));

        // A command line the parser refuses still ends with the error and the summary (exit 2).
        var usage = Sluice("rm", "--json", "s3://records/one.bin", "extra");
        OneLineError(usage, 2, "^sluice: Unrecognized command or argument 'extra'");
        var refused = Records(usage);
        Assert.Equal(["error", "summary"], refused.Select(Type));
        Assert.Equal("rm", Text(refused[1], "command"));

        // stdout carrying the data leaves no room for records.
        var toStdout = Sluice("cp", "--json", "s3://records/one.bin", "-");
        OneLineError(toStdout, 2, "^sluice: cp: --json writes its records to stdout, which '-' uses for the data$");

        var rb = Records(Ok(Sluice("rb", "--force", "--json", "s3://records")));
        Assert.Equal(["removeBucket", "summary"], rb.Select(Type));
    }

    /// <summary>
    /// Runs sluice inside a pseudo-terminal (script(1); /dev/null is where script would keep its typescript), so
    /// stdout and stderr are both a terminal; what the terminal showed comes back as stdout, the exit code as sluice's.
    /// </summary>
    private SluiceProcess.Result InTerminal(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        string command = string.Join(' ', new[] { "dotnet", dll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var r = SluiceProcess.RunExecutable("script", Environment(), [], "-qefc", command, "/dev/null");
        return r with { StdOut = r.StdOut.Replace("\r\n", "\n", StringComparison.Ordinal) };
    }

    private static readonly Regex SummaryLine = new(@"(^|\n|\r)summary: 1 file \(1000B\), 0 errors in \d+\.\d+s \(\d+(\.\d+)?[KMG]?i?B/s\)\n");

    [Fact]
    public void The_summary_is_printed_on_a_terminal_or_when_asked_and_never_into_a_pipe()
    {
        Ok(Sluice("mb", "s3://summary"));
        string file = NewFile("s.bin", 1000, 4);

        var piped = Ok(Sluice("cp", file, "s3://summary/a"));
        Assert.Equal($"upload: {file} to s3://summary/a\n", piped.StdOut);
        Assert.Equal("", piped.StdErr);

        var asked = Ok(Sluice("cp", "--summary", file, "s3://summary/b"));
        Assert.Equal($"upload: {file} to s3://summary/b\n", asked.StdOut);
        Assert.Matches(SummaryLine, "\n" + asked.StdErr);

        var terminal = Ok(InTerminal("cp", file, "s3://summary/c"));
        Assert.Contains($"upload: {file} to s3://summary/c\n", terminal.StdOut);
        Assert.Matches(SummaryLine, terminal.StdOut);

        // --quiet and --json keep the terminal free of it; --json still ends with its summary record.
        Assert.DoesNotContain("summary:", Ok(InTerminal("cp", "--quiet", file, "s3://summary/d")).StdOut);
        var json = Ok(InTerminal("cp", "--json", file, "s3://summary/e"));
        Assert.DoesNotContain("summary:", json.StdOut);
        Assert.Contains("{\"type\":\"summary\",\"command\":\"cp\",\"exitCode\":0,", json.StdOut);

        // A failure on a terminal: the error line, then the summary counting it, and the exit code.
        var missing = InTerminal("cp", "s3://summary/missing", Local("missing.bin"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Matches(@"sluice: download of s3://summary/missing failed: [^\n]*NoSuchKey[^\n]*\nsummary: 0 files \(0B\), 1 error in ", missing.StdOut);

        var rm = Ok(InTerminal("rm", "-r", "s3://summary/"));
        Assert.Matches(@"\nsummary: 5 deleted, 0 errors in \d+\.\d+s\n", "\n" + rm.StdOut);
    }

    [Fact]
    public void Ls_shows_times_in_local_time_with_the_zone_or_in_utc()
    {
        Ok(Sluice("mb", "s3://zones"));
        Ok(Sluice("cp", NewFile("z.bin", 10, 5), "s3://zones/z.bin"));
        var india = SluiceProcess.Run(new Dictionary<string, string?>(Environment()) { ["TZ"] = "Asia/Kolkata" }, null, "ls", "s3://zones");
        var utc = SluiceProcess.Run(new Dictionary<string, string?>(Environment()) { ["TZ"] = "Asia/Kolkata" }, null, "ls", "--utc", "s3://zones");
        var local = Regex.Match(Ok(india).StdOut, @"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+05:30 +10 z\.bin\n$");
        var universal = Regex.Match(Ok(utc).StdOut, @"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+00:00 +10 z\.bin\n$");
        Assert.True(local.Success, india.StdOut);
        Assert.True(universal.Success, utc.StdOut);
        static DateTime At(Match m) => DateTime.ParseExact(m.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromMinutes(330), At(local) - At(universal)); // the same instant, shown in two zones

        // Prefixes line up with the names under the wider time column.
        Ok(Sluice("cp", NewFile("z2.bin", 10, 6), "s3://zones/dir/z2.bin"));
        var lines = Ok(Sluice("ls", "s3://zones")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[1].IndexOf("z.bin", StringComparison.Ordinal), lines[0].IndexOf("dir/", StringComparison.Ordinal));
    }
}
