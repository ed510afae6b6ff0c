using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Sluice.ClientBench;

namespace Sluice.ClientBench.AwsSdk;

/// <summary>
/// The AWS SDK for .NET (AWSSDK.S3) as a client benchmark peer, one process per measurement, with the same
/// arguments as the Python peers: <c>get|put|small --endpoint URL --bucket B [--key K] [--file F] [--part-size N]
/// [--concurrency N] [--prefix P --count N --object-size N]</c>. get to a file and put use TransferUtility; get to
/// /dev/null is GetObject's response stream (the SDK has no parallel download to a stream); small is
/// PutObject/GetObject with --concurrency in flight. Prints "@result" lines like every peer.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        RunnerArguments a;
        try { a = RunnerArguments.Parse(args); }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"awssdk-bench: {e.Message}");
            return 2;
        }
        var config = new AmazonS3Config
        {
            ServiceURL = a.Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxConnectionsPerServer = Math.Max(a.Concurrency, 1),
            MaxErrorRetry = 0,
        };
        using var client = new AmazonS3Client(new BasicAWSCredentials(a.AccessKey, a.SecretKey), config);
        using var transfer = new TransferUtility(client, new TransferUtilityConfig { ConcurrentServiceRequests = a.Concurrency });
        switch (a.Mode)
        {
            case "get":
                {
                    var phase = Phase.Start();
                    long size;
                    if (a.File != null)
                    {
                        await transfer.DownloadAsync(new TransferUtilityDownloadRequest { BucketName = a.Bucket, Key = a.Key, FilePath = a.File });
                        size = new FileInfo(a.File).Length;
                    }
                    else
                    {
                        using var response = await client.GetObjectAsync(a.Bucket, a.Key);
                        await response.ResponseStream.CopyToAsync(Stream.Null);
                        size = response.ContentLength;
                    }
                    phase.Report("get", bytes: size);
                    break;
                }
            case "put":
                {
                    long size = new FileInfo(a.File ?? throw new ArgumentException("put needs --file")).Length;
                    var phase = Phase.Start();
                    await transfer.UploadAsync(new TransferUtilityUploadRequest
                    {
                        BucketName = a.Bucket, Key = a.Key, FilePath = a.File, PartSize = a.PartSize,
                    });
                    phase.Report("put", bytes: size);
                    break;
                }
            default:
                await SmallAsync(client, a);
                break;
        }
        return 0;
    }

    private static async Task SmallAsync(AmazonS3Client client, RunnerArguments a)
    {
        byte[] payload = new byte[a.ObjectSize];
        for (int i = 0; i < payload.Length; i++) payload[i] = (byte)((i * 131) + 7);
        foreach (string phaseName in new[] { "put", "get" })
        {
            double[] latencies = new double[a.Count];
            using var slots = new SemaphoreSlim(a.Concurrency);
            var tasks = new List<Task>(a.Count);
            var phase = Phase.Start();
            for (int i = 0; i < a.Count; i++)
            {
                await slots.WaitAsync();
                int index = i;
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        string key = $"{a.Prefix}/{index:D6}";
                        long start = Stopwatch.GetTimestamp();
                        if (phaseName == "put")
                        {
                            using var body = new MemoryStream(payload, writable: false);
                            await client.PutObjectAsync(new PutObjectRequest { BucketName = a.Bucket, Key = key, InputStream = body, AutoCloseStream = false });
                        }
                        else
                        {
                            using var response = await client.GetObjectAsync(a.Bucket, key);
                            await response.ResponseStream.CopyToAsync(Stream.Null);
                        }
                        latencies[index] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    }
                    finally { slots.Release(); }
                }));
            }
            await Task.WhenAll(tasks);
            phase.Report(phaseName, ops: a.Count, latencies: latencies);
        }
    }

    /// <summary>Wall time and this process's CPU time (all threads) across one phase.</summary>
    private readonly record struct Phase(long StartTimestamp, TimeSpan Cpu)
    {
        public static Phase Start() => new(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime);

        public void Report(string name, long? bytes = null, int? ops = null, double[]? latencies = null)
        {
            double seconds = Stopwatch.GetElapsedTime(StartTimestamp).TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - Cpu).TotalSeconds;
            var line = string.Create(CultureInfo.InvariantCulture, $"@result phase={name} seconds={seconds:F6} cpu={cpu:F6}");
            if (bytes != null) line += string.Create(CultureInfo.InvariantCulture, $" bytes={bytes}");
            if (ops != null) line += string.Create(CultureInfo.InvariantCulture, $" ops={ops}");
            if (latencies is { Length: > 0 })
            {
                Array.Sort(latencies);
                line += string.Create(CultureInfo.InvariantCulture,
                    $" p50_ms={Percentile(latencies, 0.50) * 1000:F3} p99_ms={Percentile(latencies, 0.99) * 1000:F3}");
            }
            Console.WriteLine(line);
        }

        private static double Percentile(double[] sorted, double q) =>
            sorted[Math.Clamp((int)Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }
}
