using System.Diagnostics;
using System.Security.Cryptography;

namespace Sluice.ClientBench;

/// <summary>
/// Runs the scenarios: starts `sluice serve`, seeds the objects (through boto3, independent of the clients under
/// test), runs every client as its own measured process, interleaving clients within each run, and collects samples.
/// </summary>
internal sealed class Orchestrator(Layout layout, BenchOptions options)
{
    public const string Bucket = "bench";
    private const string LargeKey = "large", BudgetKey = "budget";
    private static readonly TimeSpan ChildLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SeedLimit = TimeSpan.FromMinutes(30);

    public List<Sample> Samples { get; } = [];
    public List<Failure> Failures { get; } = [];
    public List<string> Notes { get; } = [];

    /// <summary>The WAN profile's network while it is up (null on loopback).</summary>
    public WanNetwork? Wan { get; private set; }
    private Context _c = null!;
    private bool _largeSeeded;

    public void Run(string work)
    {
        var clients = options.Clients.ToList();
        if (options.Port != 80 && clients.Remove(ClientKinds.AwsCrt))
            Notes.Add("aws-c-s3 skipped: this awscrt connects to port 80 whatever the endpoint says, and --port is not 80.");
        if (!OnPath("rclone") && clients.Remove(ClientKinds.Rclone)) Notes.Add("rclone skipped: not installed.");
        string rcloneConfig = Path.Combine(work, "rclone.conf");
        // The precompiled builds, published before anything is measured: the Sluice runner (unless --sluice-runner
        // names one) and the `sluice` command, both as install.sh publishes the CLI.
        string? runner = options.SluiceRunner;
        if (runner == null && clients.Any(c => c is ClientKinds.Sluice or ClientKinds.SluiceManaged))
        {
            PublishedBuild.Publish(layout, "bench/Sluice.ClientBench/Sluice.ClientBench.csproj", Path.Combine(work, "runner"));
            runner = Path.Combine(work, "runner", "Sluice.ClientBench"); // self-contained: its own executable
        }
        string? cli = null;
        if (clients.Contains(ClientKinds.SluiceCli))
        {
            PublishedBuild.Publish(layout, "src/Sluice.Cli/Sluice.Cli.csproj", Path.Combine(work, "cli"));
            cli = Path.Combine(work, "cli", "sluice");
        }
        if (options.Profile != null)
        {
            Wan = WanNetwork.Create(layout, options.Profile);
            Notes.Add("network: " + options.Profile.Describe() + ".");
        }
        try
        {
            RunOnServer(work, clients, rcloneConfig, runner, cli);
        }
        finally
        {
            Wan?.Dispose();
            if (Wan?.WireCounters is { } counters) Notes.Add("wire counters over the whole run: " + counters);
        }
        if (Wan != null)
        {
            Notes.Add("nginx and budget runs are not part of a WAN profile.");
            return;
        }
        // GET-only runs against nginx on the same address (the server above is stopped first: awscrt needs port 80).
        if (options.Scenario is "all" or "large" && _largeSeeded)
        {
            if (NginxProcess.Installed) Nginx(clients, work);
            else Notes.Add("nginx runs skipped: nginx is not installed.");
        }
    }

    private void RunOnServer(string work, List<string> clients, string rcloneConfig, string? runner, string? cli)
    {
        using (var server = ServerProcess.Start(layout, Path.Combine(work, "data"), options.Port, Wan))
        {
            File.WriteAllText(rcloneConfig, $"""
                [s3]
                type = s3
                provider = Other
                access_key_id = {ServerProcess.AccessKey}
                secret_access_key = {ServerProcess.SecretKey}
                endpoint = {server.Endpoint}
                region = us-east-1
                force_path_style = true

                """);
            _c = new Context(layout, options, server.Endpoint, Bucket, rcloneConfig, work, runner, cli);
            Seed("bucket", Bucket);
            if (options.Scenario is "all" or "large") Large(clients);
            if (options.Scenario is "all" or "small") Small([.. clients.Where(ClientKinds.RunsSmall)]);
            if (options.Scenario is "all" or "budget" && Wan == null) Budget(clients);
        }
    }

    private string Source => Path.Combine(_c.Work, "source.bin");

    private void EnsureLargeObject()
    {
        if (_largeSeeded) return;
        Progress($"creating a {options.Size >> 20} MiB random source file and uploading it as {Bucket}/{LargeKey} (boto3)");
        using (var f = new FileStream(Source, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            byte[] chunk = new byte[8 << 20];
            for (long left = options.Size; left > 0; left -= chunk.Length)
            {
                RandomNumberGenerator.Fill(chunk);
                f.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
            }
        }
        Seed("put", Bucket, LargeKey, Source);
        _largeSeeded = true;
    }

    private void Large(List<string> clients)
    {
        EnsureLargeObject();
        for (int run = 1; run <= options.Runs; run++)
        {
            foreach (string client in Rotate(clients, run))
            {
                Measure("large", "get → /dev/null", client, run, ClientKinds.Get(_c, client, LargeKey, null));
                string target = Path.Combine(_c.Work, $"download-{client}.bin");
                if (Measure("large", "get → file", client, run, ClientKinds.Get(_c, client, LargeKey, target)))
                    Check("large", "get → file", client, run, () => VerifyDownload(target, full: run == 1));
                DeleteQuietly(target);
                Sync();
                string key = $"upload-{client}";
                if (Measure("large", "put ← file", client, run, ClientKinds.Put(_c, client, key, Source)) && run == 1)
                    Check("large", "put ← file", client, run, () => VerifySize(key, options.Size));
                Sync();
            }
        }
    }

    private void Nginx(List<string> clients, string work)
    {
        string root = Path.Combine(work, "nginx-root");
        Directory.CreateDirectory(Path.Combine(root, Bucket));
        File.CreateSymbolicLink(Path.Combine(root, Bucket, LargeKey), Source);
        Progress("nginx: serving the large object as a static file for GET-only runs");
        using var nginx = NginxProcess.Start(layout, work, root, options.Port);
        if (clients.Contains(ClientKinds.Rclone))
            Notes.Add("rclone is not in the nginx runs: it lists the bucket (GET /bench/) before reading, which a static file server refuses (403).");
        var readers = clients.Where(c => c != ClientKinds.Rclone).ToList();
        for (int run = 1; run <= options.Runs; run++)
        {
            foreach (string client in Rotate(readers, run))
                Measure("nginx", "get → /dev/null", client, run, ClientKinds.Get(_c, client, LargeKey, null));
        }
    }

    private void Small(List<string> clients)
    {
        foreach (int size in options.SmallSizes)
        {
            string scenario = $"small {size >> 10} KiB";
            string local = Path.Combine(_c.Work, $"small-{size}");
            Directory.CreateDirectory(local);
            byte[] payload = new byte[size];
            for (int i = 0; i < size; i++) payload[i] = (byte)((i * 131) + 7);
            for (int i = 0; i < options.Objects; i++) File.WriteAllBytes(Path.Combine(local, ResultLine.Format($"{i:D6}")), payload);
            for (int run = 1; run <= options.Runs; run++)
            {
                foreach (string client in Rotate(clients, run))
                {
                    string prefix = ResultLine.Format($"small-{size}-{client}-{run}");
                    string target = Path.Combine(_c.Work, "small-get");
                    foreach (var (command, wholePhase) in ClientKinds.Small(_c, client, prefix, size, local, target))
                    {
                        if (!Measure(scenario, wholePhase, client, run, command)) break;
                    }
                    if (client == ClientKinds.Rclone && Directory.Exists(target))
                    {
                        int files = Directory.GetFiles(target).Length;
                        Check(scenario, "get", client, run, () =>
                        {
                            if (files != options.Objects) throw new InvalidDataException($"rclone fetched {files} of {options.Objects} objects");
                        });
                    }
                    if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
                }
            }
        }
    }

    private void Budget(List<string> clients)
    {
        EnsureLargeObject();
        long copies = options.BudgetSize / options.Size;
        Progress($"composing {Bucket}/{BudgetKey}: {copies} × {LargeKey} by UploadPartCopy");
        Seed("compose", Bucket, LargeKey, BudgetKey, ResultLine.Format($"{copies}"));
        string[] budgetClients = [.. new[] { ClientKinds.Sluice, ClientKinds.SluiceManaged, ClientKinds.AwsCrt }.Where(clients.Contains)];
        for (int run = 1; run <= options.Runs; run++)
        {
            foreach (string client in Rotate(budgetClients, run))
            {
                // Sluice with every transfer default (part size, concurrency, 256 MiB budget); aws-c-s3 as configured above.
                bool sluice = client is ClientKinds.Sluice or ClientKinds.SluiceManaged;
                Measure("budget", "get → /dev/null", client, run, ClientKinds.Get(_c, client, BudgetKey, null, defaults: sluice));
            }
        }
    }

    /// <summary>Runs one measured child; records samples (or a failure). True when it succeeded.</summary>
    private bool Measure(string scenario, string? wholePhase, string client, int run, ChildCommand command)
    {
        string op = wholePhase ?? "put+get";
        string label = $"{scenario} / {op} / {client} / run {run}";
        Progress(label);
        MeasuredRun m;
        try
        {
            m = MeasuredRun.Run(layout, command.Arguments, command.Environment, ChildLimit, label);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            Progress("  FAILED: " + e.Message);
            Failures.Add(new Failure(scenario, op, client, run, FirstLine(e.Message.Replace(label + ": ", "", StringComparison.Ordinal))));
            return false;
        }
        bool small = scenario.StartsWith("small", StringComparison.Ordinal);
        if (!ClientKinds.ReportsPhases(client) || (small && wholePhase != null && m.Phases.Count == 0))
        {
            long bytes = small ? 0 : scenario == "budget" ? options.BudgetSize : options.Size;
            Add(new Sample(scenario, op, client, run, m.WallSeconds, m.CpuSeconds, m.CpuSeconds, m.PeakRssMiB, bytes,
                small ? options.Objects : 0, null, null));
            return true;
        }
        foreach (var p in m.Phases)
        {
            string phaseOp = small ? p["phase"] : op;
            int ops = (int)(p.OptionalNumber("ops") ?? 0);
            // Whole-process CPU is shared by the phases of one process: split in proportion to the phases' own CPU.
            double phaseCpuTotal = m.Phases.Sum(x => x.Number("cpu"));
            double share = phaseCpuTotal > 0 ? p.Number("cpu") / phaseCpuTotal : 1.0 / m.Phases.Count;
            Add(new Sample(scenario, phaseOp, client, run, p.Number("seconds"), p.Number("cpu"), m.CpuSeconds * share, m.PeakRssMiB,
                (long)(p.OptionalNumber("bytes") ?? 0), ops, p.OptionalNumber("p50_ms"), p.OptionalNumber("p99_ms"),
                (long?)p.OptionalNumber("budget_peak")));
        }
        return true;
    }

    private void Add(Sample s)
    {
        Samples.Add(s);
        string rate = s.Bytes > 0 ? ResultLine.Format($"{s.Bytes / s.Seconds / (1 << 30):F3} GiB/s") : ResultLine.Format($"{s.Ops / s.Seconds:F0} ops/s");
        Progress(ResultLine.Format($"  {s.Op}: {rate}, phase CPU {s.PhaseCpu:F2} s, process CPU {s.ProcessCpu:F2} s, peak RSS {s.PeakRssMiB:F0} MiB"));
    }

    private void Check(string scenario, string op, string client, int run, Action check)
    {
        try
        {
            check();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            Progress("  WRONG RESULT: " + e.Message);
            Failures.Add(new Failure(scenario, op, client, run, "wrong result: " + FirstLine(e.Message)));
            Samples.RemoveAll(s => s.Scenario == scenario && s.Op == op && s.Client == client && s.Run == run);
        }
    }

    private void VerifyDownload(string path, bool full)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != options.Size) throw new InvalidDataException($"{path}: {(info.Exists ? info.Length : -1)} bytes, expected {options.Size}");
        if (!full) return;
        using var a = new FileStream(Source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var b = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        byte[] x = new byte[4 << 20], y = new byte[4 << 20];
        int n;
        while ((n = a.ReadAtLeast(x, x.Length, throwOnEndOfStream: false)) > 0)
        {
            if (b.ReadAtLeast(y, n, throwOnEndOfStream: false) != n || !x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, n)))
                throw new InvalidDataException($"{path}: content differs from the source near offset {a.Position - n}");
        }
    }

    private void VerifySize(string key, long expected)
    {
        string size = RunSeed(["size", Bucket, key]).Trim();
        if (size != ResultLine.Format($"{expected}")) throw new InvalidDataException($"{key}: the server holds {size} bytes, expected {expected}");
    }

    private void Seed(params string[] args) => RunSeed(args);

    private string RunSeed(string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3");
        foreach (string a in new[] { layout.Peer("seed.py"), _c.Endpoint }.Concat(args)) psi.ArgumentList.Add(a);
        ChildEnvironment.Isolate(psi, null);
        string what = $"seed.py {string.Join(' ', args)}";
        var (exitCode, stdout, stderr) = Children.Run(psi, SeedLimit, what);
        if (exitCode != 0) throw new InvalidOperationException($"{what} failed: {stderr}");
        return stdout;
    }

    private static void Sync()
    {
        using var p = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false });
        p?.WaitForExit();
    }

    private static IEnumerable<string> Rotate(IReadOnlyList<string> items, int run) =>
        items.Count == 0 ? items : items.Skip((run - 1) % items.Count).Concat(items.Take((run - 1) % items.Count));

    private static void DeleteQuietly(string path)
    {
        foreach (string f in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*")) File.Delete(f);
    }

    private static bool OnPath(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    private static string FirstLine(string s) => s.Split('\n')[0];

    public static void Progress(string line) => Console.Error.WriteLine(line);
}
