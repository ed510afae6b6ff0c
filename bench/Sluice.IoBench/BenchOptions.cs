using System.Globalization;

namespace Sluice.IoBench;

/// <summary>Command line of the I/O benchmark; see <see cref="Usage"/>.</summary>
internal sealed class BenchOptions
{
    // Defaults. `all` uses shorter ones so a full comparison stays within a few minutes on a 2-core machine.
    private static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(10), AllDuration = TimeSpan.FromSeconds(5);
    private const long DefaultBytes = 4L << 30, AllBytes = 4L << 30;
    private const int DefaultRepeatSingle = 1, DefaultRepeatAll = 3;

    /// <summary>Requests of the small strace run; the large one makes <see cref="Orchestrator.StraceLargeFactor"/> times as many.</summary>
    private const long DefaultStraceRequests = 20_000;

    public const string Usage = """
        Sluice.IoBench: io_uring engine vs the managed fallback, loopback only.

          dotnet run -c Release --project bench/Sluice.IoBench -- <reqresp|stream|all> [options]

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

    /// <summary>The arguments as given, for the report's "exact command".</summary>
    public IReadOnlyList<string> Arguments { get; private set; } = [];

    public bool IsAll => Scenario == "all";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions { Arguments = args };
        int? repeat = null;
        TimeSpan? duration = null;
        long? bytes = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            switch (a)
            {
                case "reqresp" or "stream" or "all" when o.Scenario.Length == 0: o.Scenario = a; break;
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
                default: throw new ArgumentException($"unknown argument '{a}'");
            }
        }
        if (o.Scenario.Length == 0) throw new ArgumentException("name a scenario: reqresp, stream or all");
        if (o.Strace == true && o.Scenario == "stream") throw new ArgumentException("--strace counts reqresp system calls; use it with reqresp or all");
        if (o.IsAll && o.Engine != null) throw new ArgumentException("all runs both engines; --engine applies to reqresp or stream");
        o.Repeat = repeat ?? (o.IsAll ? DefaultRepeatAll : DefaultRepeatSingle);
        o.Duration = duration ?? (o.IsAll ? AllDuration : DefaultDuration);
        o.Bytes = bytes ?? (o.IsAll ? AllBytes : DefaultBytes);
        if (o.Duration <= TimeSpan.Zero) throw new ArgumentException("--duration must be positive");
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
    public List<string> ChildArguments(string scenario, EngineVariant variant, long? requests = null, TimeSpan? warmup = null)
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
        else
        {
            args.AddRange(["--bytes", Invariant(Bytes), "--chunk", Invariant(Chunk), "--streams",
                string.Join(',', Streams.Select(s => Invariant(s)))]);
        }
        return args;
    }

    private static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("R", CultureInfo.InvariantCulture) + "s";

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
