using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sluice.Cli.Bench;
using Sluice.Cli.Commands;
using Sluice.Client.Model;
using Sluice.S3.Checksums;
using Sluice.S3.Xml;

namespace Sluice.Cli.Output;

/// <summary>
/// Everything a client command tells its user, in one place: the text lines (results on stdout, errors as one
/// "sluice: ..." line on stderr), or with --json one JSON object per line on stdout for each transfer, deletion,
/// listing entry, error and warning, and always a final summary record (docs/cli-output.md has the schema). It also
/// keeps the run's counts for the end-of-run summary, which goes to stderr when stderr is a terminal (or --summary).
/// JSON is written with <see cref="Utf8JsonWriter"/>, not reflection: the published CLI is precompiled (Publish.props).
/// Safe to call from parallel transfers: records never interleave.
/// </summary>
internal sealed class CommandOutput : IDisposable
{
    // Plain JSON for terminals and jq: '+', quotes in ETags and non-ASCII names are written as they are (still valid JSON).
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _command;
    private readonly long _start = Stopwatch.GetTimestamp();

    // A line of `sluice run`: its records go into the run's stream, tagged with the line's number, and it ends with a
    // "line" record instead of a summary (the run writes the one summary). Null for a command of its own.
    private readonly CommandOutput? _run;
    private readonly int _line;

    // Set by `sluice run` around each line's invocation; flows into the line's command action (lines run in parallel).
    private static readonly AsyncLocal<(CommandOutput Run, int Number)?> CurrentLine = new();

    // Guarded by _lock: the JSON buffer and writer, the text stream choice, the counts.
    private readonly object _lock = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _json;
    private readonly List<(string Name, long Value, string Text)> _counts = [];
    private Stream? _stdout;
    private TextWriter _text = Console.Out;
    private SummaryMode _summary;
    private long _files, _bytes, _deleted, _errors;
    private bool _finished;

    public CommandOutput(string command, bool json, bool quiet, SummaryMode summary)
    {
        _command = command;
        Json = json;
        Quiet = quiet;
        _summary = summary;
        _json = new Utf8JsonWriter(_buffer, JsonOptions);
        if (CurrentLine.Value is { } line)
        {
            // A run's line writes records when the run does (a line's own --json is refused by run), and prints its text
            // summary only when asked: lines finish at once, and their summaries would bury the run's.
            _run = line.Run;
            _line = line.Number;
            Json = line.Run.Json;
            if (_summary == SummaryMode.OnTerminal) _summary = SummaryMode.Never;
        }
    }

    /// <summary>
    /// Makes the commands that run in the current flow from now on (one line of `sluice run`) write through
    /// <paramref name="run"/>: records with <c>"line": <paramref name="number"/></c>, and a "line" record at their end.
    /// </summary>
    public static void EnterLine(CommandOutput run, int number) => CurrentLine.Value = (run, number);

    /// <summary>When the text summary is printed.</summary>
    internal enum SummaryMode
    {
        /// <summary>Never (listings and one-line commands: their output is the answer).</summary>
        Never,

        /// <summary>When stderr is a terminal, not with --quiet or --json.</summary>
        OnTerminal,

        /// <summary>Always (--summary).</summary>
        Always,
    }

    /// <summary>--json: records on stdout instead of text.</summary>
    public bool Json { get; }

    /// <summary>--quiet: no result lines (errors still go to stderr; JSON records are still written).</summary>
    public bool Quiet { get; }

    /// <summary>A --dryrun: the summary says so.</summary>
    public bool DryRun { get; set; }

    /// <summary>--no-progress: no progress line, the result lines still print.</summary>
    public bool NoProgress { get; set; }

    /// <summary>Whether a progress line may be drawn (on stderr, when it is a terminal: <see cref="ProgressLine"/> checks that).</summary>
    public bool AllowsProgress => !Quiet && !Json && !NoProgress;

    /// <summary>Clears the command's progress line before a line is printed.</summary>
    public Action? ClearProgress { get; set; }

    /// <summary>Errors reported so far.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>
    /// Standard output carries the data (cp ... -): result lines move to stderr, the terminal summary is off (stderr
    /// often shares the terminal the data goes to; --summary still prints it), and --json is refused, since its records
    /// would be mixed into the data.
    /// </summary>
    public void DataOnStdout(string verb, string user = "'-'")
    {
        if (Json) throw new CliException($"{verb}: --json writes its records to stdout, which {user} uses for the data", Program.ExitUsage);
        lock (_lock)
        {
            _text = Console.Error;
            if (_summary == SummaryMode.OnTerminal) _summary = SummaryMode.Never;
        }
    }

    /// <summary>A file or object copied (op: upload, download or copy); <paramref name="size"/> null when a dry run cannot know it.</summary>
    public void Transfer(string op, string source, string destination, long? size, bool dryRun, int resumedParts = 0, int partCount = 0,
        bool? verified = null) => Transferred(op, op, source, destination, size, dryRun, resumedParts, partCount, verified);

    /// <summary>
    /// An item mv moved: copied, then its source deleted. One "move: A to B" line, or two records: the transfer (op as
    /// cp's) and the source's deletion, written together.
    /// </summary>
    public void Moved(string op, string source, string destination, long? size, bool dryRun, int resumedParts = 0, int partCount = 0,
        bool? verified = null)
    {
        lock (_lock)
        {
            Transferred("move", op, source, destination, size, dryRun, resumedParts, partCount, verified);
            Interlocked.Increment(ref _deleted);
            if (Json) WriteDelete(source, dryRun);
        }
    }

    private void Transferred(string word, string op, string source, string destination, long? size, bool dryRun, int resumedParts, int partCount,
        bool? verified)
    {
        Interlocked.Increment(ref _files);
        if (size is > 0) Interlocked.Add(ref _bytes, size.Value);
        string resumed = resumedParts > 0 ? $" (resumed: {resumedParts} of {partCount} parts were already uploaded)" : "";
        Record("transfer", $"{(dryRun ? "(dryrun) " : "")}{word}: {source} to {destination}{resumed}", notice: true, w =>
        {
            w.WriteString("op", op);
            w.WriteString("source", source);
            w.WriteString("destination", destination);
            WriteNumberOrNull(w, "size", size);
            w.WriteBoolean("dryRun", dryRun);
            if (resumedParts > 0) w.WriteNumber("resumedParts", resumedParts);
            if (verified is { } v) w.WriteBoolean("verified", v);
        });
    }

    /// <summary>A file or object deleted.</summary>
    public void Delete(string target, bool dryRun)
    {
        Interlocked.Increment(ref _deleted);
        Record("delete", $"{(dryRun ? "(dryrun) " : "")}delete: {target}", notice: true, w => DeleteFields(w, target, dryRun));
    }

    // Caller holds _lock.
    private void WriteDelete(string target, bool dryRun) => WriteJson("delete", w => DeleteFields(w, target, dryRun));

    private static void DeleteFields(Utf8JsonWriter w, string target, bool dryRun)
    {
        w.WriteString("target", target);
        w.WriteBoolean("dryRun", dryRun);
    }

    /// <summary>mb's result.</summary>
    public void MadeBucket(string bucket) => Record("makeBucket", $"make_bucket: {bucket}", notice: true, w => w.WriteString("bucket", bucket));

    /// <summary>rb's result.</summary>
    public void RemovedBucket(string bucket) => Record("removeBucket", $"remove_bucket: {bucket}", notice: true, w => w.WriteString("bucket", bucket));

    /// <summary>A bucket listed by ls; <paramref name="text"/> is ls's line for it.</summary>
    public void Bucket(string name, DateTimeOffset created, string text)
    {
        Interlocked.Increment(ref _files);
        Record("bucket", text, notice: false, w =>
        {
            w.WriteString("name", name);
            w.WriteString("creationDate", created.ToUniversalTime());
        });
    }

    /// <summary>A common prefix listed by ls.</summary>
    public void Prefix(string prefix, string text) => Record("prefix", text, notice: false, w => w.WriteString("prefix", prefix));

    /// <summary>An object listed by ls.</summary>
    public void Object(ListedObject o, string text)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _bytes, o.Size);
        Record("object", text, notice: false, w =>
        {
            w.WriteString("key", o.Key);
            w.WriteNumber("size", o.Size);
            w.WriteString("etag", o.ETag);
            w.WriteString("lastModified", o.LastModified.ToUniversalTime());
            w.WriteString("storageClass", o.StorageClass ?? "STANDARD");
        });
    }

    /// <summary>presign's URL.</summary>
    public void Presigned(Uri url, string method, DateTimeOffset expires) => Record("presign", url.AbsoluteUri, notice: false, w =>
    {
        w.WriteString("url", url.AbsoluteUri);
        w.WriteString("method", method);
        w.WriteString("expires", expires.ToUniversalTime());
    });

    /// <summary>A multipart upload in progress (mpu ls, ls --incomplete); <paramref name="text"/> is its line.</summary>
    public void Upload(ListedUpload upload, string text) => Record("upload", text, notice: false, w =>
    {
        w.WriteString("key", upload.Key);
        w.WriteString("uploadId", upload.UploadId);
        w.WriteString("initiated", upload.Initiated.ToUniversalTime());
    });

    /// <summary>An upload mpu abort aborted (or, in a dry run, would abort).</summary>
    public void Aborted(string target, string uploadId, bool dryRun) =>
        Record("abort", $"{(dryRun ? "(dryrun) " : "")}abort: {target} {uploadId}", notice: true, w =>
        {
            w.WriteString("target", target);
            w.WriteString("uploadId", uploadId);
            w.WriteBoolean("dryRun", dryRun);
        });

    /// <summary>du's answer: <paramref name="objects"/> objects of <paramref name="size"/> bytes in all under <paramref name="target"/>.</summary>
    public void Total(string target, long objects, long size, string text)
    {
        Tally(objects, size);
        Record("total", text, notice: false, w =>
        {
            w.WriteString("target", target);
            w.WriteNumber("objects", objects);
            w.WriteNumber("size", size);
        });
    }

    /// <summary>
    /// stat's answer: an "object" record as ls writes one (its key, size, ETag, time, class) with what a HEAD adds;
    /// <paramref name="text"/> is stat's lines.
    /// </summary>
    public void Stat(string bucket, string key, ObjectMetadata head, string text)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _bytes, head.ObjectSize);
        Record("object", text, notice: false, w =>
        {
            w.WriteString("bucket", bucket);
            w.WriteString("key", key);
            w.WriteNumber("size", head.ObjectSize);
            if (head.ETag != null) w.WriteString("etag", head.ETag);
            if (head.LastModified is { } modified) w.WriteString("lastModified", modified.ToUniversalTime());
            w.WriteString("storageClass", head.StorageClass ?? "STANDARD");
            if (head.ContentType != null) w.WriteString("contentType", head.ContentType);
            var sums = head.Checksums;
            if (sums.ChecksumType != null) w.WriteString("checksumType", sums.ChecksumType);
            w.WriteStartObject("checksums");
            foreach (var (name, value) in StoredChecksums(sums)) w.WriteString(name, value);
            w.WriteEndObject();
            w.WriteStartObject("metadata");
            foreach (var (name, value) in head.UserMetadata.OrderBy(m => m.Key, StringComparer.Ordinal)) w.WriteString(name, value);
            w.WriteEndObject();
        });
    }

    /// <summary>The checksums an object carries, by algorithm name (CRC64NVME, CRC32C, CRC32, SHA1, SHA256, then S3's
    /// newer ones).</summary>
    internal static IEnumerable<(string Name, string Value)> StoredChecksums(ObjectChecksums sums)
    {
        foreach (var algorithm in new[] { ChecksumAlgorithm.Crc64Nvme, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Crc32, ChecksumAlgorithm.Sha1,
                     ChecksumAlgorithm.Sha256, ChecksumAlgorithm.Md5, ChecksumAlgorithm.Sha512, ChecksumAlgorithm.XxHash64,
                     ChecksumAlgorithm.XxHash3, ChecksumAlgorithm.XxHash128 })
            if (sums.Get(algorithm) is { } value) yield return (algorithm.GetS3Name(), value);
    }

    /// <summary>
    /// A record of a command's own type: <paramref name="text"/> is its line (null: none), <paramref name="notice"/>
    /// lines are dropped by --quiet, <paramref name="fields"/> writes the JSON fields after "type".
    /// </summary>
    public void Record(string type, string? text, bool notice, Action<Utf8JsonWriter> fields)
    {
        lock (_lock)
        {
            if (Json)
            {
                WriteJson(type, fields);
                return;
            }
            if (text is null || (notice && Quiet)) return;
            ClearProgress?.Invoke();
            _text.WriteLine(text);
        }
    }

    /// <summary>
    /// A failure of one path or of the whole command: "sluice: MESSAGE" on stderr (with --json too: stderr stays the
    /// human channel), an error record, and one more error in the summary.
    /// </summary>
    public void Error(string message, string? path = null)
    {
        Interlocked.Increment(ref _errors);
        Diagnostic("error", message, path);
    }

    /// <summary>A path skipped for a reason that fails the command ("sluice: warning: skipping PATH: REASON").</summary>
    public void Skipped(string path, string reason)
    {
        Interlocked.Increment(ref _errors);
        Diagnostic("error", $"warning: skipping {path}: {reason}", path);
    }

    /// <summary>Something the user should know that does not fail the command ("sluice: warning: ..." on stderr).</summary>
    public void Warning(string message) => Diagnostic("warning", message.StartsWith("warning: ", StringComparison.Ordinal) ? message : "warning: " + message, null);

    /// <summary>
    /// Why the command ends with exit 1 when that is its answer rather than a failure (check found differences): one
    /// "sluice: ..." line on stderr; the JSON summary already carries the counts, so no record, and no error counted.
    /// </summary>
    public void Conclusion(string message)
    {
        lock (_lock)
        {
            ClearProgress?.Invoke();
            Console.Error.WriteLine("sluice: " + message);
        }
    }

    private void Diagnostic(string type, string message, string? path)
    {
        lock (_lock)
        {
            ClearProgress?.Invoke();
            Console.Error.WriteLine("sluice: " + message);
            if (!Json) return;
            WriteJson(type, w =>
            {
                w.WriteString("message", message);
                if (path != null) w.WriteString("path", path);
            });
        }
    }

    /// <summary>Files (or objects) and bytes a command handled other than by transferring them (check compares them).</summary>
    public void Tally(long files, long bytes)
    {
        Interlocked.Add(ref _files, files);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>
    /// A count of the command's own for the summary: <paramref name="name"/> in the JSON record, <paramref name="text"/>
    /// in the text one (e.g. "3 differ").
    /// </summary>
    public void Count(string name, long value, string text)
    {
        lock (_lock) _counts.Add((name, value, text));
    }

    /// <summary>
    /// Ends the run: the summary record (JSON), the text summary (stderr, when due), and <paramref name="exitCode"/>
    /// back. Once: a second call only returns the code.
    /// </summary>
    public int Finish(int exitCode)
    {
        var elapsed = Stopwatch.GetElapsedTime(_start);
        long files = Interlocked.Read(ref _files), bytes = Interlocked.Read(ref _bytes), deleted = Interlocked.Read(ref _deleted), errors = Errors;
        long rate = elapsed.TotalSeconds > 0 ? (long)(bytes / elapsed.TotalSeconds) : 0;
        lock (_lock)
        {
            if (_finished) return exitCode;
            _finished = true;
            ClearProgress?.Invoke();
            if (Json)
            {
                // A run's line ends with its own "line" record; the run's summary adds the lines up.
                WriteJson(_run is null ? "summary" : "line", w =>
                {
                    w.WriteString("command", _command);
                    w.WriteNumber("exitCode", exitCode);
                    w.WriteBoolean("dryRun", DryRun);
                    w.WriteNumber("files", files);
                    w.WriteNumber("bytes", bytes);
                    w.WriteNumber("deleted", deleted);
                    w.WriteNumber("errors", errors);
                    foreach (var (name, value, _) in _counts) w.WriteNumber(name, value);
                    w.WriteNumber("elapsedSeconds", Math.Round(elapsed.TotalSeconds, 3));
                    w.WriteNumber("bytesPerSecond", rate);
                });
            }
            if (ShowsTextSummary())
                Console.Error.WriteLine(SummaryLine(files, bytes, deleted, errors, elapsed, rate));
        }
        if (_run != null)
        {
            Interlocked.Add(ref _run._files, files);
            Interlocked.Add(ref _run._bytes, bytes);
            Interlocked.Add(ref _run._deleted, deleted);
            Interlocked.Add(ref _run._errors, errors);
        }
        return exitCode;
    }

    private bool ShowsTextSummary() => _summary switch
    {
        SummaryMode.Always => true,
        SummaryMode.OnTerminal => !Quiet && !Json && !Console.IsErrorRedirected,
        _ => false,
    };

    /// <summary>"summary: 3 files (1.2MiB), 1 deleted, 0 errors in 0.41s (2.9MiB/s)", or "(dryrun) summary: ...".</summary>
    internal string SummaryLine(long files, long bytes, long deleted, long errors, TimeSpan elapsed, long rate)
    {
        var parts = new List<string>();
        if (_command is "cp" or "mv" or "sync" or "run" || files > 0) parts.Add($"{Plural(files, "file")} ({Units.FormatSize(bytes)})");
        if (_command is "rm" || deleted > 0) parts.Add($"{deleted} deleted");
        foreach (var (_, _, text) in _counts) parts.Add(text);
        parts.Add(Plural(errors, "error"));
        string seconds = elapsed.TotalSeconds.ToString(elapsed.TotalSeconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
        string speed = bytes > 0 && !DryRun && _command is "cp" or "mv" or "sync" ? $" ({Units.FormatSize(rate)}/s)" : "";
        return $"{(DryRun ? "(dryrun) " : "")}summary: {string.Join(", ", parts)} in {seconds}s{speed}";
    }

    private static string Plural(long count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    // Caller holds _lock. One line per record: written whole, then flushed, so a reader sees complete lines.
    private void WriteJson(string type, Action<Utf8JsonWriter> fields)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString("type", type);
        if (_run != null) _json.WriteNumber("line", _line);
        fields(_json);
        _json.WriteEndObject();
        _json.Flush();
        (_run ?? this).WriteLine(_buffer.WrittenSpan);
    }

    // The one writer of stdout's records: a run's lines write theirs through the run, so lines never interleave.
    private void WriteLine(ReadOnlySpan<byte> record)
    {
        lock (_lock)
        {
            _stdout ??= Console.OpenStandardOutput();
            _stdout.Write(record);
            _stdout.Write("\n"u8);
            _stdout.Flush();
        }
    }

    public void Dispose() => _json.Dispose();

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>
    /// A command line the parser refused, for a command that takes --json and was given it: the error record and the
    /// summary (exit 2) still go to stdout, so a script reading records sees why the run ended.
    /// </summary>
    public static void UsageError(ParseResult parsed, string message)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var command = parsed.CommandResult.Command;
        bool takesJson = command.Options.Any(o => o.Name == OutputOptions.JsonName && o is Option<bool>);
        if (!takesJson || !parsed.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.Option && t.Value == OutputOptions.JsonName)) return;
        // The command as its summary names it when it runs: "mpu ls", not "ls".
        string name = string.Join(' ', Ancestry(parsed.CommandResult).Reverse());
        using var output = new CommandOutput(name, json: true, quiet: true, SummaryMode.Never);
        lock (output._lock)
        {
            Interlocked.Increment(ref output._errors);
            output.WriteJson("error", w => w.WriteString("message", message));
        }
        output.Finish(Program.ExitUsage);
    }

    private static IEnumerable<string> Ancestry(System.CommandLine.Parsing.CommandResult? result)
    {
        for (; result != null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            yield return result.Command.Name;
    }
}
