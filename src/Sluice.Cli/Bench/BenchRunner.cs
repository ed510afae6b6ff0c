using System.Diagnostics;
using System.Globalization;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Bench;

/// <summary>
/// Runs one workload at one object size against a bucket: prepares the objects it needs (not measured), then keeps
/// <see cref="BenchSettings.ConcurrencyFor"/> requests in flight for the duration (delete: until the prepared objects
/// run out), recording every request's latency, bytes and outcome; then removes what it created. Client CPU, peak
/// RSS and system calls come from this process and its I/O engine; server CPU from the embedded server's process.
/// </summary>
internal sealed class BenchRunner
{
    private readonly S3Client _client;
    private readonly BenchSettings _settings;
    private readonly ServerProcess? _server;
    private readonly byte[] _payload;
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    public BenchRunner(S3Client client, BenchSettings settings, ServerProcess? server)
    {
        _client = client;
        _settings = settings;
        _server = server;
        _payload = new byte[(int)Math.Min(settings.Sizes.Max(), int.MaxValue - 64)];
        new Random(7).NextBytes(_payload);
    }

    public async Task<WorkloadResult> RunAsync(string workload, long size, CancellationToken cancellationToken)
    {
        string name = $"{workload} {Units.FormatSize(size)}";
        string prefix = $"sluice-bench-{_runId}/{workload}-{size}/";
        int concurrency = _settings.ConcurrencyFor(size), objects = _settings.ObjectsFor(size);
        bool needsObjects = workload is "get" or "mixed" or "list" or "delete";
        // The prepared objects' keys and GET requests are made once, not per request: the measured loop should cost
        // what the client costs, not what naming (a SHA-256 for hashed keys) costs.
        string[] keys = needsObjects ? [.. Enumerable.Range(0, objects).Select(i => Key(prefix, i))] : [];
        GetObjectRequest[] gets = [.. keys.Select(k => new GetObjectRequest(_settings.Bucket, k))];
        if (needsObjects)
        {
            Say($"{name}: preparing {objects} objects");
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                async (key, ct) => await PutAsync(key, size, ct));
        }

        using var engine = workload == "multipart" ? new TransferEngine(_client, new TransferOptions { PartSize = Math.Max(5L << 20, size / 4) }) : null;
        var histogram = new LatencyHistogram();
        int seconds = (int)Math.Ceiling(_settings.Duration.TotalSeconds) + 2;
        var timeline = new BenchTimeline(seconds);
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        long nextPut = objects, nextDelete = -1, operations = 0, bytes = 0, claimed = 0;
        using var self = Process.GetCurrentProcess();
        TimeSpan clientCpu0 = self.TotalProcessorTime, serverCpu0 = _server?.CpuTime ?? TimeSpan.Zero;
        var io0 = _client.Engine.Counters;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(_settings.Duration);
        using var live = LiveProgress.Start(name, timeline, _settings.Quiet);
        long started = Stopwatch.GetTimestamp();

        async Task Worker(int worker)
        {
            var buffer = workload is "get" or "mixed" ? new byte[size] : null;
            var random = new Random(worker * 7919 + 1);
            while (!stop.IsCancellationRequested)
            {
                // --count: claim an operation before starting it, so exactly Count run.
                if (_settings.Count is { } limit && Interlocked.Increment(ref claimed) > limit) return;
                long t0 = Stopwatch.GetTimestamp();
                long moved = 0;
                bool failed = false;
                try
                {
                    switch (workload)
                    {
                        case "put":
                            await PutAsync(Key(prefix, Interlocked.Increment(ref nextPut)), size, stop.Token);
                            moved = size;
                            break;
                        case "get":
                            moved = (await _client.GetObjectAsync(gets[random.Next(objects)], buffer!, stop.Token)).ContentLength;
                            break;
                        case "mixed":
                            // warp's mix: mostly reads, some metadata, some overwrites.
                            int dice = random.Next(100);
                            int pick = random.Next(objects);
                            if (dice < 60) moved = (await _client.GetObjectAsync(gets[pick], buffer!, stop.Token)).ContentLength;
                            else if (dice < 85) await _client.HeadObjectAsync(gets[pick], stop.Token);
                            else
                            {
                                await PutAsync(keys[pick], size, stop.Token);
                                moved = size;
                            }
                            break;
                        case "list":
                            var page = await _client.ListObjectsV2PageAsync(new ListObjectsRequest(_settings.Bucket) { Prefix = prefix }, null, stop.Token);
                            moved = 0;
                            if (page.Contents.Count == 0) throw new InvalidOperationException("listing returned no objects");
                            break;
                        case "delete":
                            long id = Interlocked.Increment(ref nextDelete);
                            if (id >= objects) return;
                            await _client.DeleteObjectAsync(_settings.Bucket, keys[id], null, stop.Token);
                            break;
                        case "multipart":
                            using (var body = new MemoryStream(_payload, 0, (int)size, writable: false))
                                await engine!.UploadStreamAsync(body, _settings.Bucket, Key(prefix, Interlocked.Increment(ref nextPut)), null, null, stop.Token);
                            moved = size;
                            break;
                        default:
                            throw new ArgumentException($"unknown workload '{workload}'");
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return; // the run ended mid-request: not counted
                }
                catch (S3Exception e)
                {
                    failed = true;
                    errors.AddOrUpdate(e.Code, 1, (_, n) => n + 1);
                }
                catch (Exception e) when (e is IOException or TransferException or Sluice.IO.IoException or InvalidOperationException)
                {
                    failed = true;
                    errors.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
                }
                histogram.RecordSince(t0);
                timeline.Record(failed ? 0 : moved, failed);
                Interlocked.Increment(ref operations);
                if (!failed) Interlocked.Add(ref bytes, moved);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Worker(w), CancellationToken.None)));
        double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        live.Dispose();
        self.Refresh();
        double clientCpu = (self.TotalProcessorTime - clientCpu0).TotalSeconds;
        double? serverCpu = _server is null ? null : (_server.CpuTime - serverCpu0).TotalSeconds;
        var io = _client.Engine.Counters - io0;
        double gib = bytes / (double)(1L << 30);

        Say($"{name}: cleaning up");
        await DeletePrefixAsync(prefix, cancellationToken);

        return new WorkloadResult
        {
            Name = name,
            Workload = workload,
            ObjectSize = size,
            Concurrency = concurrency,
            Seconds = elapsed,
            Operations = operations,
            Bytes = bytes,
            OpsPerSecond = operations / elapsed,
            GiBPerSecond = gib / elapsed,
            Latency = LatencySummary.From(histogram),
            Errors = errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
            ClientCpuSeconds = clientCpu,
            ClientCpuSecondsPerGiB = bytes > 0 ? clientCpu / gib : null,
            ClientCpuMsPerOp = operations > 0 ? clientCpu * 1000 / operations : 0,
            ClientPeakRssBytes = self.PeakWorkingSet64,
            SyscallsPerRequest = operations > 0 && _client.Engine.Name != "managed" ? (double)io.EnterCalls / operations : null,
            ServerCpuSeconds = serverCpu,
            ServerCpuMsPerOp = serverCpu is { } s && operations > 0 ? s * 1000 / operations : null,
            ServerCpuSecondsPerGiB = serverCpu is { } g && bytes > 0 ? g / gib : null,
            ServerPeakRssBytes = _server?.PeakRss,
            Timeline = timeline.Points(elapsed),
            Latencies = histogram.Buckets().Select(b => new LatencyBucket(b.UpperMicros / 1000.0, b.Count)).ToList(),
        };
    }

    /// <summary>
    /// Removes everything this runner created. Requests cancelled at the end of a workload may still complete on the
    /// server after its cleanup, so this sweeps the whole run's prefix again, a few times if objects keep appearing.
    /// </summary>
    public async Task CleanupAsync(CancellationToken cancellationToken)
    {
        string prefix = $"sluice-bench-{_runId}/";
        for (int attempt = 0; attempt < 5; attempt++)
        {
            if (!await DeletePrefixAsync(prefix, cancellationToken)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private string Key(string prefix, long id) => BenchKeys.For(_settings.Keys, prefix, id);

    private Task<PutObjectResponse> PutAsync(string key, long size, CancellationToken cancellationToken) =>
        _client.PutObjectAsync(new PutObjectRequest(_settings.Bucket, key), _payload.AsMemory(0, (int)size), cancellationToken);

    // True when anything was found (and deleted).
    private async Task<bool> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var batch = new List<string>(S3Client.MaxDeleteBatch);
        bool found = false;
        await foreach (var o in _client.ListObjectsV2Async(new ListObjectsRequest(_settings.Bucket) { Prefix = prefix }, cancellationToken))
        {
            found = true;
            batch.Add(o.Key);
            if (batch.Count == S3Client.MaxDeleteBatch)
            {
                await _client.DeleteObjectsAsync(_settings.Bucket, batch, true, cancellationToken);
                batch.Clear();
            }
        }
        if (batch.Count > 0) await _client.DeleteObjectsAsync(_settings.Bucket, batch, true, cancellationToken);
        return found;
    }

    private void Say(string line)
    {
        if (!_settings.Quiet) Console.Error.WriteLine(line.ToString(CultureInfo.InvariantCulture));
    }
}
