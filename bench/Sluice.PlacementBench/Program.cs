using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Placement;
using Sluice.Server;

// Direct placement (shared memory) against HTTP/1.1 on loopback, same process, same server, same run: one embedded
// server with --placement shm on a disk store, one placing client and one HTTP client. Each scenario alternates the
// two paths for the given rounds; the table shows medians. CPU is the process's (client + server together: they share
// it), per GiB moved.
//   dotnet run -c Release --project bench/Sluice.PlacementBench -- [rounds=5] [dataDir]
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
string directory = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "sluice-placement-bench-" + Guid.NewGuid().ToString("N"));
string socket = Path.Combine(Path.GetTempPath(), "sluice-plb-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
const long GiB = 1L << 30;
var server = await SluiceServer.StartAsync(new SluiceServerOptions
{
    DataDirectory = directory,
    Listen = new IPEndPoint(IPAddress.Loopback, 0),
    Credentials = new Dictionary<string, string> { ["AKIDBENCH"] = "bench-secret" },
    Placement = "shm",
    PlacementSocket = socket,
});
try
{
    S3ClientOptions Options(PlacementMode mode) => new()
    {
        Endpoint = server.Endpoint, AccessKeyId = "AKIDBENCH", SecretAccessKey = "bench-secret", Placement = mode,
        PlacementSocket = socket, PlacementRegionBytes = GiB + (128L << 20),
    };
    await using var placing = new S3Client(Options(PlacementMode.Shm));
    await using var http = new S3Client(Options(PlacementMode.Http));
    await http.CreateBucketAsync("bench");
    using var big = await placing.RentPlacementBufferAsync((int)GiB);
    if (!big.IsRegistered) throw new InvalidOperationException("no placement region");
    RandomNumberGenerator.Fill(big.Memory.Span);
    byte[] plain = big.Memory.ToArray();
    await http.PutObjectAsync(new PutObjectRequest("bench", "1g"), plain);
    const int Small = 8 << 20, InFlight = 8, SmallCount = 64;
    for (int i = 0; i < InFlight; i++)
        await http.PutObjectAsync(new PutObjectRequest("bench", "8m-" + i), plain.AsMemory(i * Small, Small));
    var smallPlaced = new PlacementBuffer[InFlight];
    var smallPlain = new byte[InFlight][];
    for (int i = 0; i < InFlight; i++)
    {
        smallPlaced[i] = await placing.RentPlacementBufferAsync(Small);
        smallPlain[i] = new byte[Small];
    }

    var scenarios = new (string Name, long Bytes, Func<Task> Placed, Func<Task> Http)[]
    {
        ("GET 1 GiB", GiB,
            async () => await placing.GetObjectAsync(new GetObjectRequest("bench", "1g"), big),
            async () => await http.GetObjectAsync(new GetObjectRequest("bench", "1g"), plain.AsMemory())),
        ("PUT 1 GiB", GiB,
            async () => await placing.PutObjectAsync(new PutObjectRequest("bench", "put"), big, (int)GiB),
            async () => await http.PutObjectAsync(new PutObjectRequest("bench", "put") { ChecksumAlgorithm = Sluice.S3.Checksums.ChecksumAlgorithm.Crc64Nvme }, plain)),
        ("GET 8 MiB x64, 8 in flight", (long)Small * SmallCount,
            () => Parallel(i => placing.GetObjectAsync(new GetObjectRequest("bench", "8m-" + (i % InFlight)), smallPlaced[i % InFlight])),
            () => Parallel(i => http.GetObjectAsync(new GetObjectRequest("bench", "8m-" + (i % InFlight)), smallPlain[i % InFlight].AsMemory()))),
    };

    Console.WriteLine($"rounds {rounds}; load: {File.ReadAllText("/proc/loadavg").Trim()}");
    Console.WriteLine("| scenario | path | median GiB/s | median CPU s/GiB (client+server) |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var (name, bytes, placedRun, httpRun) in scenarios)
    {
        await placedRun(); // warm both paths
        await httpRun();
        var placed = new List<(double Rate, double Cpu)>();
        var plainRuns = new List<(double Rate, double Cpu)>();
        for (int r = 0; r < rounds; r++)
        {
            placed.Add(await MeasureAsync(placedRun, bytes));
            plainRuns.Add(await MeasureAsync(httpRun, bytes));
        }
        var (pr, pc) = Medians(placed);
        var (hr, hc) = Medians(plainRuns);
        Console.WriteLine($"| {name} | placement (shm) | {pr:F2} | {pc:F3} |");
        Console.WriteLine($"| {name} | HTTP/1.1 | {hr:F2} | {hc:F3} |");
        Console.WriteLine($"| {name} | ratio placement/HTTP | {pr / hr:F2}x | {pc / hc:F2}x |");
    }
    Console.WriteLine($"placed {placing.PlacedRequests}, declined {placing.DeclinedRequests}");

    async Task Parallel(Func<int, Task<ObjectMetadata>> one)
    {
        // 8 lanes, each with its own buffer, 64 requests in all.
        var lanes = new Task[InFlight];
        for (int lane = 0; lane < InFlight; lane++)
        {
            int l = lane;
            lanes[lane] = Task.Run(async () =>
            {
                for (int i = l; i < SmallCount; i += InFlight) await one(i);
            });
        }
        await Task.WhenAll(lanes);
    }
}
finally
{
    await server.StopAsync();
    Directory.Delete(directory, recursive: true);
}

static async Task<(double Rate, double Cpu)> MeasureAsync(Func<Task> run, long bytes)
{
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    long start = Stopwatch.GetTimestamp();
    await run();
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    process.Refresh();
    double cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
    double gib = bytes / (double)(1L << 30);
    return (gib / seconds, cpuSeconds / gib);
}

static (double, double) Medians(List<(double Rate, double Cpu)> runs)
{
    var rates = runs.Select(r => r.Rate).Order().ToList();
    var cpus = runs.Select(r => r.Cpu).Order().ToList();
    return (rates[rates.Count / 2], cpus[cpus.Count / 2]);
}
