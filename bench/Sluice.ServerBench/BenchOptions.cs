using System.Globalization;

namespace Sluice.ServerBench;

/// <summary>Command line of the server benchmark: which part to run and the sizes and durations that bound it.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        usage: Sluice.ServerBench <all|large-get|small|large-put|kestrel> [options]
          (kestrel: one sluice serve --listen-h2 (the first engine): io_uring HTTP/1.1 vs Kestrel HTTP/1.1 and h2c;
           not part of all)
          --dir DIR            working directory on the disk to measure (default: a new directory under the temp dir)
          --large-mib N        size of the large object in MiB (default 1024)
          --streams N          parallel streams of the multi-stream large GET (default 8)
          --small-sizes LIST   comma-separated small object sizes in KiB (default 4,64)
          --connections N      connections of the small-object load (default 64)
          --duration S         seconds per small-object measurement (default 4)
          --runs N             runs per measurement; the median is reported (default 3)
          --part-mib N         multipart part size in MiB (default 16)
          --part-parallel N    parts uploaded in parallel (default 4)
          --engines LIST       sluice engines to compare (default uring,managed)
          --sluice PATH        sluice.dll to run (default: src/Sluice.Cli/bin/Release/net10.0/sluice.dll)
          --open-cache N       sluice serve --open-cache N (0: every GET opens, reads the header and closes)
          --keep               keep the working directory
        """;

    public string Part { get; private set; } = "all";
    public string? Directory { get; private set; }
    public long LargeBytes { get; private set; } = 1L << 30;
    public int Streams { get; private set; } = 8;
    public int[] SmallSizes { get; private set; } = [4 << 10, 64 << 10];
    public int Connections { get; private set; } = 64;
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(4);
    public int Runs { get; private set; } = 3;
    public int PartBytes { get; private set; } = 16 << 20;
    public int PartParallel { get; private set; } = 4;
    public string[] Engines { get; private set; } = ["uring", "managed"];
    public string? SluiceDll { get; private set; }
    public int? OpenCache { get; private set; }
    public bool Keep { get; private set; }

    public bool ShouldRun(string part) => Part == part || (Part == "all" && part != "kestrel");

    /// <summary>The Kestrel comparison needs the large object and the small ones, on one server.</summary>
    public bool Needs(string part) => ShouldRun(part) || (Part == "kestrel" && part is "large-get" or "small");

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        int i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            o.Part = args[0];
            i = 1;
            if (o.Part is not ("all" or "large-get" or "small" or "large-put" or "kestrel"))
                throw new ArgumentException($"unknown part '{o.Part}'");
        }
        for (; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int(int min) =>
                int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min
                    ? v : throw new ArgumentException($"{name} must be a whole number ≥ {min}");
            switch (name)
            {
                case "--dir": o.Directory = Value(); break;
                case "--large-mib": o.LargeBytes = (long)Int(1) << 20; break;
                case "--streams": o.Streams = Int(1); break;
                case "--small-sizes":
                    o.SmallSizes = Value().Split(',').Select(s =>
                        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k is > 0 and <= 1024
                            ? k << 10 : throw new ArgumentException("--small-sizes takes KiB values 1..1024")).ToArray();
                    break;
                case "--connections": o.Connections = Int(1); break;
                case "--duration":
                    o.Duration = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0
                        ? TimeSpan.FromSeconds(s) : throw new ArgumentException("--duration must be a positive number of seconds");
                    break;
                case "--runs": o.Runs = Int(1); break;
                case "--part-mib": o.PartBytes = Int(5) << 20; break;
                case "--part-parallel": o.PartParallel = Int(1); break;
                case "--engines":
                    o.Engines = Value().Split(',');
                    if (o.Engines.Any(e => e is not ("uring" or "managed")))
                        throw new ArgumentException("--engines takes uring and/or managed");
                    break;
                case "--sluice": o.SluiceDll = Value(); break;
                case "--open-cache": o.OpenCache = Int(0); break;
                case "--keep": o.Keep = true; break;
                default: throw new ArgumentException($"unknown option '{name}'");
            }
        }
        return o;
    }
}
