using System.Globalization;

namespace Sluice.IoBench;

/// <summary>Command line of the I/O benchmark; see <see cref="Usage"/>.</summary>
internal sealed class BenchOptions
{
    // Defaults. `all` uses shorter ones so a full comparison stays within a few minutes on a 2-core machine.
    private static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(10), AllDuration = TimeSpan.FromSeconds(5);
    private const long DefaultBytes = 4L << 30, AllBytes = 4L << 30;
    private const int DefaultRepeatSingle = 1, DefaultRepeatAll = 3;

    // files: 10 s per workload alone; 3 s in `all`, which with 3 repeats of 3 workloads on 3 runners (io_uring,
    // managed, fio) is ~2 minutes and keeps the whole `all` run under ~6 minutes on 2 cores.
    private static readonly TimeSpan DefaultFileDuration = TimeSpan.FromSeconds(10), AllFileDuration = TimeSpan.FromSeconds(3);
    private const long DefaultFileSize = 2L << 30, DefaultSendFileSize = 1L << 30;
    private const int DefaultRandomDepth = 32, DefaultSequentialDepth = 4, DefaultPasses = 2;
    public const string DefaultDirectory = "/var/tmp";
    public static readonly string[] AllWorkloads = ["randread", "read", "write"];

    /// <summary>Requests of the small strace run; the large one makes <see cref="Orchestrator.StraceLargeFactor"/> times as many.</summary>
    private const long DefaultStraceRequests = 20_000;

    public const string Usage = """
        Sluice.IoBench: io_uring engine vs the managed fallback, loopback only.

          dotnet run -c Release --project bench/Sluice.IoBench -- <reqresp|stream|files|sendfile|all> [options]

        Without --engine, each engine runs in its own child process (same binary) and a markdown table compares them.
        With --engine, the scenario runs in this process and prints one @result line per measurement.

          --engine uring|managed   run one engine in-process
          --repeat R               runs per engine (default 1; all: 3); the table shows medians
          --reactors N             reactor threads / listeners (default: one per core)
          --buffers native|array   engine pool buffers (default) or pinned managed arrays
          --clients reactor|pool   io_uring: client loops move onto their connection's reactor (default), or stay
                                   on the thread pool where they start (each operation then crosses threads)
          --warmup DURATION        unmeasured warm-up before each measurement (default 1s)
        reqresp (64 connections echoing 1 KiB request/response pairs):
          --connections N          client connections (default 64)
          --message-size SIZE      request and reply size (default 1KiB)
          --duration DURATION      measured time (default 10s; all: 5s)
          --requests N             measure N requests instead of a duration
          --strace / --no-strace   count system calls per request under `strace -f -c` in separate short runs
                                   (default: on for all when strace is installed, off otherwise)
          --strace-requests N      requests in the small strace run (default 20000); the large one runs 3N and
                                   the difference, 2N requests, is what is counted
        stream (server sends, client receives):
          --bytes SIZE             total bytes per measurement, split over the connections (default 4GiB)
          --streams LIST           connection counts to measure (default 1,8)
          --chunk SIZE             send size and receive buffer size (default 256KiB)

        files (O_DIRECT on one data file; io_uring and managed engines, and fio --ioengine=io_uring on the same file):
          --dir DIR                where the data file is created and deleted (default /var/tmp)
          --file-size SIZE         data file size (default 2GiB)
          --workloads LIST         randread (4 KiB random reads), read (1 MiB sequential reads), write (1 MiB
                                   sequential writes, then one fsync inside the timing); default all three
          --random-depth N         reads in flight for randread (default 32)
          --sequential-depth N     I/Os in flight for read and write (default 4)
          --file-duration DURATION measured time per workload (default 10s; all: 3s)
          --fio / --no-fio         also run fio with the same parameters (default: when fio is installed)
        sendfile (a page-cached file to a loopback connection; the receiver drains into a 1 MiB buffer):
          --sendfile-size SIZE     file size (default 1GiB)
          --passes N               times the file is sent per measurement, on one connection (default 2)
          --variants LIST          splice and/or read+send (default both; managed: read+send only), e.g. to
                                   profile one sender path alone
          (uses --dir too)

        SIZE: bytes with an optional K/KiB/M/MiB/G/GiB suffix. DURATION: seconds, or with s/ms suffix.
        """;

    public string Scenario { get; private set; } = "";
    public string? Engine { get; private set; }
    public int Repeat { get; private set; }
    public int Reactors { get; private set; }
    public bool ArrayBuffers { get; private set; }
    public bool ClientsOnReactor { get; private set; } = true;
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(1);
    public int Connections { get; private set; } = 64;
    public int MessageSize { get; private set; } = 1024;
    public TimeSpan Duration { get; private set; }
    public long Requests { get; private set; }
    public bool? Strace { get; private set; }
    public long StraceRequests { get; private set; } = DefaultStraceRequests;
    public long Bytes { get; private set; }
    public int[] Streams { get; private set; } = [1, 8];
    public int Chunk { get; private set; } = 256 << 10;
    public string Directory { get; private set; } = DefaultDirectory;
    /// <summary>A data file prepared by the parent (children only); without it a child creates and deletes its own.</summary>
    public string? File { get; private set; }
    public long FileSize { get; private set; } = DefaultFileSize;
    public string[] Workloads { get; private set; } = AllWorkloads;
    public int RandomDepth { get; private set; } = DefaultRandomDepth;
    public int SequentialDepth { get; private set; } = DefaultSequentialDepth;
    public TimeSpan FileDuration { get; private set; }
    public bool? Fio { get; private set; }
    public long SendFileSize { get; private set; } = DefaultSendFileSize;
    public int Passes { get; private set; } = DefaultPasses;
    /// <summary>sendfile variants to measure; null: every variant the engine has.</summary>
    public string[]? SendFileVariants { get; private set; }

    /// <summary>The arguments as given, for the report's "exact command".</summary>
    public IReadOnlyList<string> Arguments { get; private set; } = [];

    public bool IsAll => Scenario == "all";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions { Arguments = args };
        int? repeat = null;
        TimeSpan? duration = null;
        long? bytes = null;
        TimeSpan? fileDuration = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            switch (a)
            {
                case "reqresp" or "stream" or "files" or "sendfile" or "all" when o.Scenario.Length == 0: o.Scenario = a; break;
                case "--engine":
                    o.Engine = Next() switch
                    {
                        "uring" or "io_uring" => "uring",
                        "managed" => "managed",
                        var e => throw new ArgumentException($"--engine must be uring or managed, not '{e}'"),
                    };
                    break;
                case "--repeat": repeat = (int)Positive(a, ParseLong(Next())); break;
                case "--reactors": o.Reactors = (int)Positive(a, ParseLong(Next())); break;
                case "--buffers":
                    o.ArrayBuffers = Next() switch
                    {
                        "array" => true,
                        "native" => false,
                        var b => throw new ArgumentException($"--buffers must be native or array, not '{b}'"),
                    };
                    break;
                case "--clients":
                    o.ClientsOnReactor = Next() switch
                    {
                        "reactor" => true,
                        "pool" => false,
                        var c => throw new ArgumentException($"--clients must be reactor or pool, not '{c}'"),
                    };
                    break;
                case "--warmup": o.Warmup = ParseDuration(Next()); break;
                case "--connections": o.Connections = (int)Positive(a, ParseLong(Next())); break;
                case "--message-size": o.MessageSize = (int)Positive(a, ParseSize(Next())); break;
                case "--duration": duration = ParseDuration(Next()); break;
                case "--requests": o.Requests = Positive(a, ParseLong(Next())); break;
                case "--strace": o.Strace = true; break;
                case "--no-strace": o.Strace = false; break;
                case "--strace-requests": o.StraceRequests = Positive(a, ParseLong(Next())); break;
                case "--bytes": bytes = Positive(a, ParseSize(Next())); break;
                case "--streams":
                    o.Streams = [.. Next().Split(',').Select(s => (int)Positive(a, ParseLong(s)))];
                    break;
                case "--chunk": o.Chunk = (int)Positive(a, ParseSize(Next())); break;
                case "--dir": o.Directory = Next(); break;
                case "--file": o.File = Next(); break;
                case "--file-size": o.FileSize = Positive(a, ParseSize(Next())); break;
                case "--workloads":
                    o.Workloads = [.. Next().Split(',').Select(w => AllWorkloads.Contains(w) ? w
                        : throw new ArgumentException($"--workloads: '{w}' is not one of {string.Join(", ", AllWorkloads)}"))];
                    break;
                case "--random-depth": o.RandomDepth = (int)Positive(a, ParseLong(Next())); break;
                case "--sequential-depth": o.SequentialDepth = (int)Positive(a, ParseLong(Next())); break;
                case "--file-duration": fileDuration = ParseDuration(Next()); break;
                case "--fio": o.Fio = true; break;
                case "--no-fio": o.Fio = false; break;
                case "--sendfile-size": o.SendFileSize = Positive(a, ParseSize(Next())); break;
                case "--passes": o.Passes = (int)Positive(a, ParseLong(Next())); break;
                case "--variants":
                    o.SendFileVariants = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    foreach (string v in o.SendFileVariants)
                        if (v is not ("splice" or "read+send")) throw new ArgumentException($"--variants: unknown variant '{v}' (splice, read+send)");
                    break;
                default: throw new ArgumentException($"unknown argument '{a}'");
            }
        }
        if (o.Scenario.Length == 0) throw new ArgumentException("name a scenario: reqresp, stream, files, sendfile or all");
        if (o.Strace == true && o.Scenario is not ("reqresp" or "all"))
            throw new ArgumentException("--strace counts reqresp system calls; use it with reqresp or all");
        if (o.IsAll && o.Engine != null) throw new ArgumentException("all runs both engines; --engine applies to one scenario");
        o.Repeat = repeat ?? (o.IsAll ? DefaultRepeatAll : DefaultRepeatSingle);
        o.Duration = duration ?? (o.IsAll ? AllDuration : DefaultDuration);
        o.Bytes = bytes ?? (o.IsAll ? AllBytes : DefaultBytes);
        o.FileDuration = fileDuration ?? (o.IsAll ? AllFileDuration : DefaultFileDuration);
        if (o.Duration <= TimeSpan.Zero) throw new ArgumentException("--duration must be positive");
        if (o.FileDuration <= TimeSpan.Zero) throw new ArgumentException("--file-duration must be positive");
        // Whole sequential blocks that wrap around exactly, and whole random blocks.
        if (o.FileSize % FilesBenchmark.SequentialBlock != 0 || o.FileSize < (long)FilesBenchmark.SequentialBlock * o.SequentialDepth)
            throw new ArgumentException($"--file-size must be a multiple of {FilesBenchmark.SequentialBlock >> 20} MiB and hold --sequential-depth blocks");
        if (o.MessageSize < sizeof(long)) throw new ArgumentException("--message-size must be at least 8 bytes (a sequence number)");
        foreach (int s in o.Streams)
        {
            if (o.Bytes / s < o.Chunk) throw new ArgumentException($"--bytes {o.Bytes} is too small for {s} stream(s) of --chunk {o.Chunk}");
        }
        return o;
    }

    /// <summary>
    /// Arguments for a child that runs <paramref name="scenario"/> on <paramref name="engine"/> with every setting
    /// spelled out, so parent and child cannot disagree on a default.
    /// </summary>
    public List<string> ChildArguments(string scenario, EngineVariant variant, long? requests = null, TimeSpan? warmup = null,
        string? file = null, string? workload = null)
    {
        var args = new List<string> { scenario, "--engine", variant.Engine, "--buffers", ArrayBuffers ? "array" : "native",
            "--clients", variant.ClientsOnReactor ? "reactor" : "pool", "--warmup", Seconds(warmup ?? Warmup) };
        if (Reactors > 0) args.AddRange(["--reactors", Invariant(Reactors)]);
        if (scenario == "reqresp")
        {
            args.AddRange(["--connections", Invariant(Connections), "--message-size", Invariant(MessageSize),
                "--duration", Seconds(Duration)]);
            long n = requests ?? Requests;
            if (n > 0) args.AddRange(["--requests", Invariant(n)]);
        }
        else if (scenario == "stream")
        {
            args.AddRange(["--bytes", Invariant(Bytes), "--chunk", Invariant(Chunk), "--streams",
                string.Join(',', Streams.Select(s => Invariant(s)))]);
        }
        else if (scenario == "files")
        {
            args.AddRange(["--dir", Directory, "--file-size", Invariant(FileSize), "--workloads", workload ?? string.Join(',', Workloads),
                "--random-depth", Invariant(RandomDepth), "--sequential-depth", Invariant(SequentialDepth),
                "--file-duration", Seconds(FileDuration)]);
            if (file != null) args.AddRange(["--file", file]);
        }
        else
        {
            args.AddRange(["--dir", Directory, "--sendfile-size", Invariant(SendFileSize), "--passes", Invariant(Passes)]);
            if (file != null) args.AddRange(["--file", file]);
            if (SendFileVariants != null) args.AddRange(["--variants", string.Join(',', SendFileVariants)]);
        }
        return args;
    }

    internal static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("R", CultureInfo.InvariantCulture) + "s";

    private static long Positive(string option, long v) =>
        v > 0 ? v : throw new ArgumentException($"{option} must be positive");

    private static long ParseLong(string s) =>
        long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v
            : throw new ArgumentException($"'{s}' is not a whole number");

    /// <summary>"4GiB", "256MiB", "512K", "1048576": binary multiples.</summary>
    internal static long ParseSize(string s)
    {
        string t = s.Trim();
        int end = 0;
        while (end < t.Length && char.IsAsciiDigit(t[end])) end++;
        if (end == 0) throw new ArgumentException($"'{s}' is not a size");
        long n = ParseLong(t[..end]);
        int shift = t[end..].ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            _ => throw new ArgumentException($"'{s}': unknown size suffix (use K, M, G or KiB, MiB, GiB)"),
        };
        if (n > long.MaxValue >> shift) throw new ArgumentException($"'{s}' is too large");
        return n << shift;
    }

    /// <summary>"5", "5s", "1.5s", "500ms".</summary>
    internal static TimeSpan ParseDuration(string s)
    {
        string t = s.Trim();
        double scale = 1;
        if (t.EndsWith("ms", StringComparison.Ordinal)) { scale = 1e-3; t = t[..^2]; }
        else if (t.EndsWith('s')) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < 0 || double.IsInfinity(v))
            throw new ArgumentException($"'{s}' is not a duration");
        return TimeSpan.FromSeconds(v * scale);
    }
}
