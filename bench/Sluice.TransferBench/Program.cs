// Sanity measurement of the TransferEngine against the embedded server in the same process: upload and download
// of one large object over loopback, wall time, GiB/s and CPU seconds per GiB (client and server together, since
// they share the process), peak RSS. The engine (io_uring or managed) comes from SLUICE_IO, for both sides.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Sluice.Client;
using Sluice.Client.Transfer;
using Sluice.Server;

int sizeMiB = 1024, runs = 3;
for (int i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--size-mib") sizeMiB = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--runs") runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
}
long size = (long)sizeMiB << 20;
string root = Directory.CreateTempSubdirectory("sluice-transferbench-").FullName;
try
{
    string data = Path.Combine(root, "data"), source = Path.Combine(root, "source.bin"), target = Path.Combine(root, "target.bin");
    WriteRandomFile(source, size);
    await using var server = await SluiceServer.StartAsync(new SluiceServerOptions { DataDirectory = data, Listen = new IPEndPoint(IPAddress.Loopback, 0) });
    await using var client = new S3Client(new S3ClientOptions
    {
        Endpoint = server.Endpoint, AccessKeyId = SluiceServerOptions.DevAccessKey, SecretAccessKey = SluiceServerOptions.DevSecretKey,
    });
    using var engine = new TransferEngine(client);
    await client.CreateBucketAsync("bench");
    Console.WriteLine($"engine {server.EngineName}, object {sizeMiB} MiB, part {PartPlanner.DefaultPartSize >> 20} MiB, " +
        $"budget {engine.Options.MemoryBudget >> 20} MiB, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}");

    var up = new List<(double Seconds, double Cpu)>();
    var down = new List<(double Seconds, double Cpu)>();
    string? checksum = null;
    for (int run = 0; run < runs; run++)
    {
        var u = await Measure(async () => checksum = (await engine.UploadFileAsync(source, "bench", "object")).Checksum);
        File.Delete(target);
        var d = await Measure(async () =>
        {
            var r = await engine.DownloadFileAsync("bench", "object", target);
            if (!r.ChecksumVerified || r.Checksum != checksum) throw new InvalidOperationException("download not verified");
        });
        up.Add(u);
        down.Add(d);
        Console.WriteLine($"run {run + 1}: upload {size / u.Seconds / (1 << 30):F2} GiB/s {u.Cpu / ((double)size / (1 << 30)):F2} CPU s/GiB; " +
            $"download {size / d.Seconds / (1 << 30):F2} GiB/s {d.Cpu / ((double)size / (1 << 30)):F2} CPU s/GiB");
    }
    Report("upload", up, size);
    Report("download", down, size);
    Console.WriteLine($"peak RSS {PeakRssMiB()} MiB; budget peak reserved {engine.Memory.PeakReserved >> 20} MiB");
}
finally
{
    Directory.Delete(root, true);
}

static async Task<(double Seconds, double Cpu)> Measure(Func<Task> work)
{
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    await work();
    sw.Stop();
    process.Refresh();
    return (sw.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds);
}

static void Report(string name, List<(double Seconds, double Cpu)> runs, long size)
{
    double gib = (double)size / (1 << 30);
    double seconds = Median(runs.Select(r => r.Seconds)), cpu = Median(runs.Select(r => r.Cpu));
    Console.WriteLine($"median {name}: {gib / seconds:F2} GiB/s, {cpu / gib:F2} CPU s/GiB ({runs.Count} runs)");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static long PeakRssMiB()
{
    foreach (string line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) >> 10;
    return -1;
}

static void WriteRandomFile(string path, long size)
{
    var rng = new Random(42);
    var block = new byte[4 << 20];
    using var f = new FileStream(path, FileMode.Create, FileAccess.Write);
    for (long done = 0; done < size; done += block.Length)
    {
        rng.NextBytes(block);
        f.Write(block, 0, (int)Math.Min(block.Length, size - done));
    }
}
