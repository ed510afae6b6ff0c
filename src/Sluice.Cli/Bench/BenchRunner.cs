using System.Diagnostics;
using System.Globalization;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Bench;

/// <summary>
/// Runs jobs against a bucket: prepares the objects a job reads or deletes (not measured), then keeps the job's
/// concurrency of requests in flight, each picking its operation from the job's mix, until the warm-up and the
/// duration have passed (or --count measured requests, --autoterm, a stop from the driver, or the objects of a delete
/// run out), recording every request into the job's <see cref="JobStats"/> and, when asked, as records; then removes
/// what it created. Client CPU, peak RSS and system calls come from this process and its I/O engine, server CPU from
/// the embedded server's process. The same runner serves a local run and a `sluice bench agent`.
/// </summary>
internal sealed class BenchRunner
{
    private readonly S3Client _client;
    private readonly ServerProcess? _server;
    private readonly bool _quiet;
    private readonly int _agent;
    private byte[] _payload = [];

    /// <param name="client">The client every request goes through.</param>
    /// <param name="server">The embedded server, whose CPU and memory are measured; null for an endpoint.</param>
    /// <param name="quiet">No progress lines on stderr.</param>
    /// <param name="agent">The agent's index in a distributed run (0 locally), written into every record.</param>
    public BenchRunner(S3Client client, ServerProcess? server, bool quiet, int agent = 0)
    {
        _client = client;
        _server = server;
        _quiet = quiet;
        _agent = agent;
    }

    /// <summary>Uploads the objects <paramref name="job"/> reads or deletes, at the job's concurrency; its pool.</summary>
    public async Task<ObjectPool> PrepareAsync(BenchJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var size = job.ParseSize();
        EnsurePayload(size.Max);
        var pool = new ObjectPool();
        if (!job.NeedsObjects) return pool;
        Say($"{job.Name}: preparing {job.Objects} objects");
        var random = new Random(_agent * 7 + 3);
        // Sizes and keys are drawn up front so the objects are the same whatever the upload order.
        var items = Enumerable.Range(0, job.Objects).Select(i => new PooledObject(job.Bucket, Key(job, i), size.Next(random))).ToArray();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = job.Concurrency, CancellationToken = cancellationToken },
            async (item, ct) => await PutAsync(job.Bucket, item.Key, item.Size, ct));
        foreach (var item in items) pool.Add(item);
        return pool;
    }

    /// <summary>
    /// Runs a prepared job; the call's start is the job's time zero, where the warm-up begins and which every record's
    /// start is relative to. <paramref name="stop"/> ends it early (the driver's stop);
    /// <paramref name="autoTerminator"/>, when given, ends it once throughput is stable; with
    /// <paramref name="keepRecords"/> every request is returned.
    /// </summary>
    public async Task<JobRun> RunAsync(BenchJob job, ObjectPool pool, JobStats stats, AutoTerminator? autoTerminator, bool keepRecords,
        CancellationToken stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(stats);
        var mix = job.ParseMix();
        var size = job.ParseSize();
        EnsurePayload(size.Max);
        bool pooled = mix.Has(OpKind.Get) || mix.Has(OpKind.Head) || mix.Has(OpKind.Delete);
        using var engine = mix.Has(OpKind.Multipart) ? new TransferEngine(_client, new TransferOptions { PartSize = Math.Max(5L << 20, size.Max / 4) }) : null;
        var records = keepRecords ? Enumerable.Range(0, job.Concurrency).Select(_ => new List<OpRecord>(1024)).ToArray() : null;
        long nextPut = job.Objects - 1, claimed = 0;
        bool autoTerminated = false;

        using var self = Process.GetCurrentProcess();
        TimeSpan clientCpu0 = self.TotalProcessorTime, serverCpu0 = _server?.CpuTime ?? TimeSpan.Zero;
        var io0 = _client.Engine.Counters;
        var throttled0 = _client.Throttling;
        double nominal = job.WarmupSeconds + job.DurationSeconds;
        long started = Stopwatch.GetTimestamp();
        using var timeUp = new CancellationTokenSource(TimeSpan.FromSeconds(nominal));
        using var end = CancellationTokenSource.CreateLinkedTokenSource(stop, cancellationToken, timeUp.Token);
        // The run ends when it is told to, not when the last cancelled request has unwound: those are not counted.
        long stoppedAt = 0;
        using var noteStop = end.Token.Register(() => Interlocked.CompareExchange(ref stoppedAt, Stopwatch.GetTimestamp(), 0));
        long warmupEnd = started + (long)(job.WarmupSeconds * Stopwatch.Frequency);
        using var live = LiveProgress.Start(job.Name, stats.Total.Timeline, job.WarmupSeconds, _quiet);
        var watch = autoTerminator is null ? Task.CompletedTask : Task.Run(async () =>
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            try
            {
                while (await tick.WaitForNextTickAsync(end.Token))
                {
                    int completed = Math.Min((int)Stopwatch.GetElapsedTime(started).TotalSeconds, stats.Total.Timeline.Capacity - 1);
                    if (!autoTerminator.IsStable(completed, stats.Total.Timeline.At)) continue;
                    autoTerminated = true;
                    await end.CancelAsync();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        async Task Worker(int worker)
        {
            var random = new Random(_agent * 1_000_003 + worker * 7919 + 1);
            var buffer = mix.Has(OpKind.Get) ? new byte[size.Max] : null;
            var mine = records?[worker];
            while (!end.IsCancellationRequested)
            {
                long t0 = Stopwatch.GetTimestamp();
                // --count: a measured request is claimed before it starts, so exactly Count are measured.
                if (t0 >= warmupEnd && job.Count is { } limit && Interlocked.Increment(ref claimed) > limit) return;
                OpKind op = mix.Pick(random);
                PooledObject? item = null;
                if (op is OpKind.Get or OpKind.Head or OpKind.Delete)
                {
                    item = op == OpKind.Delete ? pool.TakeForDelete(random) : pool.TakeForRead(random);
                    if (item is null)
                    {
                        if (!mix.Has(OpKind.Put)) return; // a delete run whose objects ran out
                        op = OpKind.Put; // the pool ran dry (or every object was being read): upload instead
                    }
                }
                long objectSize = item?.Size ?? (op is OpKind.Put or OpKind.Multipart ? size.Next(random) : 0), moved = 0, ttfb = -1;
                string? error = null, newKey = null;
                try
                {
                    switch (op)
                    {
                        case OpKind.Get:
                            // Into memory: the client's fastest path (the exchange runs inline on its reactor).
                            var got = await _client.GetObjectAsync(item!.Get, buffer!, end.Token);
                            moved = got.ContentLength;
                            ttfb = got.HeadReceivedTimestamp == 0 ? -1 : (long)Stopwatch.GetElapsedTime(t0, got.HeadReceivedTimestamp).TotalMicroseconds;
                            break;
                        case OpKind.Head:
                            await _client.HeadObjectAsync(item!.Get, end.Token);
                            break;
                        case OpKind.Delete:
                            await _client.DeleteObjectAsync(job.Bucket, item!.Key, null, end.Token);
                            break;
                        case OpKind.Put:
                            newKey = Key(job, Interlocked.Increment(ref nextPut));
                            await PutAsync(job.Bucket, newKey, objectSize, end.Token);
                            moved = objectSize;
                            break;
                        case OpKind.List:
                            var page = await _client.ListObjectsV2PageAsync(new ListObjectsRequest(job.Bucket) { Prefix = job.Prefix }, null, end.Token);
                            if (page.Contents.Count == 0) throw new InvalidOperationException("listing returned no objects");
                            break;
                        case OpKind.Multipart:
                            newKey = Key(job, Interlocked.Increment(ref nextPut));
                            using (var body = new MemoryStream(_payload, 0, (int)objectSize, writable: false))
                                await engine!.UploadStreamAsync(body, job.Bucket, newKey, null, null, end.Token);
                            moved = objectSize;
                            break;
                    }
                }
                catch (OperationCanceledException) when (end.IsCancellationRequested)
                {
                    if (item != null && op != OpKind.Delete) pool.Release(item);
                    return; // the run ended mid-request: not counted
                }
                catch (S3Exception e)
                {
                    error = e.Code;
                }
                catch (Exception e) when (e is IOException or TransferException or Sluice.IO.IoException or InvalidOperationException)
                {
                    error = e.GetType().Name;
                }
                long duration = (long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                if (item != null && op != OpKind.Delete) pool.Release(item);
                if (error is null && newKey != null && pooled) pool.Add(new PooledObject(job.Bucket, newKey, objectSize));
                var record = new OpRecord(op, _agent, worker, (long)Stopwatch.GetElapsedTime(started, t0).TotalMicroseconds, duration,
                    ttfb, objectSize, error is null ? moved : 0, error);
                stats.Add(record);
                mine?.Add(record);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, job.Concurrency).Select(w => Task.Run(() => Worker(w), CancellationToken.None)));
        long finished = Stopwatch.GetTimestamp();
        long stopped = Interlocked.Read(ref stoppedAt);
        // Ended by the clock: exactly the time asked for (a timer may fire a millisecond early, which would make the
        // last whole second look partial). Ended otherwise (--autoterm, the driver, --count, deletes running out):
        // when that happened.
        double elapsed = timeUp.IsCancellationRequested && !autoTerminated && !stop.IsCancellationRequested ? nominal
            : Stopwatch.GetElapsedTime(started, stopped != 0 ? Math.Min(stopped, finished) : finished).TotalSeconds;
        await end.CancelAsync();
        await watch;
        live.Dispose();
        self.Refresh();
        var io = _client.Engine.Counters - io0;
        var usage = new ResourceUsage
        {
            ClientCpuSeconds = (self.TotalProcessorTime - clientCpu0).TotalSeconds,
            ClientPeakRssBytes = self.PeakWorkingSet64,
            EnterCalls = _client.Engine.Name != "managed" ? io.EnterCalls : null,
            // Since the client started (its preparation included): a workload's own would be 0 once the pool is warm.
            ConnectionsOpened = _client.ConnectionsOpened,
            ServerCpuSeconds = _server is null ? null : (_server.CpuTime - serverCpu0).TotalSeconds,
            ServerPeakRssBytes = _server?.PeakRss,
        };
        var throttled = _client.Throttling;
        usage = usage with
        {
            ThrottledRequests = throttled.ThrottledResponses - throttled0.ThrottledResponses,
            ThrottledRetries = throttled.ThrottledRetries - throttled0.ThrottledRetries,
            ThrottledPrefixes = throttled.Prefixes.Count == 0 ? null
                : [.. throttled.Prefixes.Select(p => new ThrottledPrefix(p.Prefix, Math.Round(p.Rate, 1), Math.Round(p.LowestRate, 1), p.Throttles))],
        };
        cancellationToken.ThrowIfCancellationRequested();
        return new JobRun(Math.Max(0, elapsed - job.WarmupSeconds), autoTerminated, usage,
            records is null ? null : [.. records.SelectMany(r => r).OrderBy(r => r.StartMicros)]);
    }

    /// <summary>Removes the job's objects (including any a request cancelled at the end still created).</summary>
    public async Task CleanupJobAsync(BenchJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        Say($"{job.Name}: cleaning up");
        await DeletePrefixAsync(job.Bucket, job.Prefix, cancellationToken);
    }

    /// <summary>
    /// Removes everything under <paramref name="prefix"/>. Requests cancelled at the end of a job may still complete on
    /// the server after its cleanup, so this sweeps again, a few times if objects keep appearing.
    /// </summary>
    public async Task CleanupAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            if (!await DeletePrefixAsync(bucket, prefix, cancellationToken)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private static string Key(BenchJob job, long id) => BenchKeys.For(job.Keys, job.Prefix, id);

    // One payload for every upload, as large as the largest object asked for so far (random bytes, made once).
    private void EnsurePayload(long size)
    {
        if (_payload.Length >= size) return;
        var payload = new byte[(int)Math.Min(size, int.MaxValue - 64)];
        new Random(7).NextBytes(payload);
        _payload = payload;
    }

    private Task<PutObjectResponse> PutAsync(string bucket, string key, long size, CancellationToken cancellationToken) =>
        _client.PutObjectAsync(new PutObjectRequest(bucket, key), _payload.AsMemory(0, (int)size), cancellationToken);

    // True when anything was found (and deleted).
    private async Task<bool> DeletePrefixAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var batch = new List<string>(S3Client.MaxDeleteBatch);
        bool found = false;
        await foreach (var o in _client.ListObjectsV2Async(new ListObjectsRequest(bucket) { Prefix = prefix }, cancellationToken))
        {
            found = true;
            batch.Add(o.Key);
            if (batch.Count == S3Client.MaxDeleteBatch)
            {
                await _client.DeleteObjectsAsync(bucket, batch, true, cancellationToken);
                batch.Clear();
            }
        }
        if (batch.Count > 0) await _client.DeleteObjectsAsync(bucket, batch, true, cancellationToken);
        return found;
    }

    private void Say(string line)
    {
        if (!_quiet) Console.Error.WriteLine(line.ToString(CultureInfo.InvariantCulture));
    }
}
