using System.Diagnostics;
using System.Globalization;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;

namespace Sluice.ClientBench;

/// <summary>
/// Sluice's client as a benchmark runner, run as a child process of this same binary (<c>sluice-run get|put|small
/// ...</c>, the flags of the peer runners) so it is measured exactly like the peers. The engine comes from SLUICE_IO
/// (uring or managed), set by the orchestrator. get and put use the <see cref="TransferEngine"/> (to /dev/null through
/// DownloadToStreamAsync into Stream.Null, to a file through DownloadFileAsync); small uses <see cref="S3Client"/>
/// PutObject/GetObject directly with --concurrency requests in flight. <c>--defaults true</c> leaves part size,
/// concurrency and memory budget at the engine's defaults.
/// </summary>
internal static class SluiceRunner
{
    public const string Command = "sluice-run";

    public static async Task<int> RunAsync(string[] args)
    {
        var a = RunnerArguments.Parse(args);
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = new Uri(a.Endpoint),
            AccessKeyId = ServerProcess.AccessKey,
            SecretAccessKey = ServerProcess.SecretKey,
            ForcePathStyle = true,
        });
        Console.Error.WriteLine($"sluice-run: engine {client.Engine.Name}");
        if (a.Mode == "small")
        {
            await SmallAsync(client, a);
            return 0;
        }
        var options = a.Defaults ? new TransferOptions() : new TransferOptions { PartSize = a.PartSize, Concurrency = a.Concurrency };
        using var transfer = new TransferEngine(client, options);
        var phase = PhaseClock.Start();
        TransferResult result = a.Mode switch
        {
            "get" when a.File == null => await transfer.DownloadToStreamAsync(a.Bucket, a.Key, Stream.Null),
            "get" => await transfer.DownloadFileAsync(a.Bucket, a.Key, a.File),
            _ => await transfer.UploadFileAsync(a.File ?? throw new ArgumentException("put needs --file"), a.Bucket, a.Key),
        };
        phase.Report(a.Mode, [("bytes", result.Size), ("parts", result.PartCount), ("budget_peak", transfer.Memory.PeakReserved)]);
        return 0;
    }

    private static async Task SmallAsync(S3Client client, RunnerArguments a)
    {
        byte[] payload = new byte[a.ObjectSize];
        for (int i = 0; i < payload.Length; i++) payload[i] = (byte)((i * 131) + 7);
        foreach (string phaseName in new[] { "put", "get" })
        {
            double[] latencies = new double[a.Count];
            int next = -1;
            var phase = PhaseClock.Start();
            // --concurrency workers, each with its own receive buffer, pulling the next index: at most that many in flight.
            var workers = Enumerable.Range(0, a.Concurrency).Select(_ => Task.Run(async () =>
            {
                byte[] buffer = new byte[a.ObjectSize];
                int i;
                while ((i = Interlocked.Increment(ref next)) < a.Count)
                {
                    string key = string.Create(CultureInfo.InvariantCulture, $"{a.Prefix}/{i:D6}");
                    long start = Stopwatch.GetTimestamp();
                    if (phaseName == "put")
                    {
                        await client.PutObjectAsync(new PutObjectRequest(a.Bucket, key), payload);
                    }
                    else
                    {
                        var meta = await client.GetObjectAsync(new GetObjectRequest(a.Bucket, key), buffer.AsMemory());
                        if (meta.ContentLength != payload.Length) throw new InvalidDataException($"{key}: {meta.ContentLength} bytes");
                    }
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                }
            })).ToArray();
            await Task.WhenAll(workers);
            phase.Report(phaseName, [("ops", a.Count)], latencies);
        }
    }
}
