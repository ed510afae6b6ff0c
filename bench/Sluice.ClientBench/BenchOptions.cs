using System.Globalization;

namespace Sluice.ClientBench;

/// <summary>The orchestrator's command line: <c>all|large|small|budget [--size 1G] [--runs 3] [--objects 2000] ...</c>.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        usage: Sluice.ClientBench all|large|small|budget [options]
          --size N             large object size (default 1G; suffixes K M G)
          --runs N             runs per measurement, medians reported (default 3)
          --objects N          small objects per size (default 2000)
          --part-size N        part size for every client that takes one (default 8M)
          --concurrency N      parts in flight for large transfers (default 8)
          --small-concurrency N  requests in flight for small objects (default 32)
          --budget-size N      size of the default-budget download (default 10G; a multiple of --size)
          --clients LIST       comma-separated subset of: awscrt,boto3,rclone,awssdk,sluice,sluice-managed,sluice-cli
          --port N             server port on 127.0.0.1 (default 80: this awscrt always connects to port 80)
          --work DIR           scratch directory (default: a new one under the temp directory; removed at the end)
          --out FILE           also write the markdown results there
          --profile NAME       an emulated WAN: the server in its own network namespace behind a wire of this RTT and
                               rate, e.g. wan-20ms-1g, wan-80ms-1g, wan-20ms-10g (root; nginx and budget runs are skipped)
          --wan-loss PERCENT   random loss each way on a WAN profile (default 0.01)
          --wan-mtu N          MTU of the WAN profile's devices (default 1500)
          --small-sizes LIST   small object sizes (default 4K,64K)
          --sluice-runner DLL  run Sluice from this build of Sluice.ClientBench.dll instead of the one the harness
                               publishes at start (ReadyToRun, src/Sluice.Cli/Publish.props, as the CLI ships)
        """;

    public string Scenario { get; private set; } = "all";
    public long Size { get; private set; } = 1L << 30;
    public int Runs { get; private set; } = 3;
    public int Objects { get; private set; } = 2000;
    public long PartSize { get; private set; } = 8L << 20;
    public int Concurrency { get; private set; } = 8;
    public int SmallConcurrency { get; private set; } = 32;
    public long BudgetSize { get; private set; } = 10L << 30;
    public IReadOnlyList<string> Clients { get; private set; } = ClientKinds.All;
    public int Port { get; private set; } = 80;
    public string? Work { get; private set; }
    public string? Out { get; private set; }
    public string? SluiceRunner { get; private set; }
    public WanProfile? Profile { get; private set; }
    public IReadOnlyList<int> SmallSizes { get; private set; } = [4 << 10, 64 << 10];

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("all" or "large" or "small" or "budget")) throw new ArgumentException(Usage);
        var o = new BenchOptions { Scenario = args[0] };
        string? profile = null;
        double loss = WanProfile.DefaultLossPercent;
        int mtu = WanProfile.DefaultMtu;
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--size": o.Size = ParseSize(value); break;
                case "--runs": o.Runs = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--objects": o.Objects = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--part-size": o.PartSize = ParseSize(value); break;
                case "--concurrency": o.Concurrency = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--small-concurrency": o.SmallConcurrency = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--budget-size": o.BudgetSize = ParseSize(value); break;
                case "--port": o.Port = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--work": o.Work = value; break;
                case "--profile": profile = value; break;
                case "--wan-loss": loss = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--wan-mtu": mtu = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--small-sizes":
                    o.SmallSizes = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => checked((int)ParseSize(v)))];
                    if (o.SmallSizes.Count == 0 || o.SmallSizes.Any(v => v < 1)) throw new ArgumentException("--small-sizes needs positive sizes");
                    break;
                case "--out": o.Out = value; break;
                case "--sluice-runner": o.SluiceRunner = File.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"--sluice-runner: no file {value}"); break;
                case "--clients":
                    o.Clients = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    foreach (string c in o.Clients)
                        if (!ClientKinds.All.Contains(c)) throw new ArgumentException($"unknown client '{c}' (known: {string.Join(',', ClientKinds.All)})");
                    break;
                default: throw new ArgumentException($"unknown option {name}\n{Usage}");
            }
        }
        if (o.Runs < 1 || o.Objects < 1 || o.Size < o.PartSize || o.Concurrency < 1 || o.SmallConcurrency < 1)
            throw new ArgumentException("--runs, --objects, --concurrency must be positive and --size at least --part-size");
        if (profile != null) o.Profile = WanProfile.Parse(profile, loss, mtu);
        if (o.BudgetSize % o.Size != 0) throw new ArgumentException("--budget-size must be a multiple of --size (it is composed of copies)");
        return o;
    }

    public static long ParseSize(string text)
    {
        long unit = 1;
        char last = char.ToUpperInvariant(text[^1]);
        if (last is 'K' or 'M' or 'G')
        {
            unit = last switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            text = text[..^1];
        }
        return checked(long.Parse(text, CultureInfo.InvariantCulture) * unit);
    }
}
