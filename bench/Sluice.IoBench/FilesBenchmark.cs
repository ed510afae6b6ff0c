using System.Globalization;
using System.Security.Cryptography;
using Sluice.IO;
using Sluice.IO.Buffers;
using Sluice.IO.Files;

namespace Sluice.IoBench;

/// <summary>
/// O_DIRECT file I/O on one data file, the way fio measures it: a fixed number of I/Os kept in flight (each worker
/// issues its next I/O as soon as its last completes) for a fixed time after a warm-up. All workers start in one
/// <see cref="IoEngine.RunAsync"/> call, so with io_uring they share one reactor (one ring, like fio's one job) and
/// read into registered pool buffers (READ_FIXED / WRITE_FIXED); the managed engine runs them on the thread pool
/// over pread/pwrite.
/// </summary>
internal sealed class FilesBenchmark
{
    public const int RandomBlock = 4 << 10, SequentialBlock = 1 << 20;

    /// <summary>Pool buffers beyond one per worker.</summary>
    private const int SpareBuffers = 2;

    /// <summary>How long stopping may take: the I/Os in flight complete, then (writes) one fsync.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    private const double GiB = 1L << 30;

    private readonly BenchOptions _options;
    private readonly IoEngine _engine;
    private readonly string _path;
    private readonly long _fileSize;
    private readonly string _workload;

    // Written by the workers (one reactor with io_uring, thread-pool threads with managed), read by the main thread.
    private long _ops, _bytes, _cursor;
    private volatile bool _stop;

    private FilesBenchmark(BenchOptions options, IoEngine engine, string path, long fileSize, string workload)
    {
        _options = options;
        _engine = engine;
        _path = path;
        _fileSize = fileSize;
        _workload = workload;
    }

    private bool Write => _workload == "write";
    private bool Random => _workload == "randread";
    private int Block => Random ? RandomBlock : SequentialBlock;
    private int Depth => Random ? _options.RandomDepth : _options.SequentialDepth;

    /// <summary>Runs every workload on the calling (main) thread, which only sleeps and samples.</summary>
    public static int Run(BenchOptions o)
    {
        using var own = o.File == null ? DataFile.Create(o.Directory, "files", o.FileSize, dropCache: true) : null;
        string path = o.File ?? own!.Path;
        long size = new FileInfo(path).Length;
        if (size % SequentialBlock != 0) throw new ArgumentException($"{path}: size {size} is not a multiple of 1 MiB");
        var engine = IoEngine.Create(new IoEngineOptions
        {
            Mode = o.Engine,
            ReactorCount = o.Reactors,
            BufferPoolFactory = () => new NativeBufferPool([RandomBlock, SequentialBlock],
                [o.RandomDepth + SpareBuffers, o.SequentialDepth + SpareBuffers]),
        });
        try
        {
            foreach (string workload in o.Workloads) new FilesBenchmark(o, engine, path, size, workload).Measure();
        }
        finally
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }

    private void Measure()
    {
        var run = _engine.RunAsync(RunWorkersAsync);
        // The workers only stop when told, so a run that ends early has failed: GetResult throws its error.
        if (run.Wait(_options.Warmup)) Ended(run);
        var start = Measurement.Take(_engine);
        long ops = Volatile.Read(ref _ops), bytes = Volatile.Read(ref _bytes);
        if (run.Wait(_options.FileDuration)) Ended(run);
        Measurement end = default;
        if (!Write) end = Measurement.Take(_engine);
        long endOps = Volatile.Read(ref _ops), endBytes = Volatile.Read(ref _bytes);
        _stop = true;
        if (!run.Wait(DrainTimeout)) throw new TimeoutException($"{_workload}: the workers did not stop in time");
        run.GetAwaiter().GetResult();
        if (Write)
        {
            // Writes count until durable: the I/Os still in flight when time ran out, then the fsync.
            end = Measurement.Take(_engine);
            endOps = Volatile.Read(ref _ops);
            endBytes = Volatile.Read(ref _bytes);
        }
        Report(end.Since(start), endOps - ops, endBytes - bytes);
    }

    private static void Ended(Task run)
    {
        run.GetAwaiter().GetResult();
        throw new InvalidOperationException("the workers stopped before they were told to");
    }

    /// <summary>On a reactor (io_uring): opens the file there, so every I/O is submitted and completed on that thread.</summary>
    private async ValueTask RunWorkersAsync()
    {
        var file = await _engine.OpenFileAsync(_path, new IoFileOptions { Read = !Write, Write = Write, Direct = true });
        try
        {
            // Tasks, not ValueTasks: each is stored, then awaited once; their completions resume inline on the reactor.
            var workers = new Task[Depth];
            for (int i = 0; i < workers.Length; i++)
                workers[i] = Random ? RandomReadAsync(file, Seed(i)) : SequentialAsync(file);
            foreach (var worker in workers) await worker;
            if (Write) await file.FlushAsync();
        }
        finally
        {
            await file.DisposeAsync();
        }
    }

    /// <summary>A distinct non-zero xorshift seed per worker (golden-ratio multiples).</summary>
    private static ulong Seed(int worker) => 0x9E3779B97F4A7C15UL * (ulong)(worker + 1);

    private async Task RandomReadAsync(IoFile file, ulong state)
    {
        var buffer = Rent();
        long blocks = _fileSize / RandomBlock;
        try
        {
            while (!_stop)
            {
                // xorshift64: uniform enough over 2^19 blocks, and costs nothing next to an I/O.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                long offset = (long)(state % (ulong)blocks) * RandomBlock;
                int n = await file.ReadAsync(buffer, RandomBlock, offset);
                if (n != RandomBlock) throw new InvalidDataException($"read of {RandomBlock} at {offset} returned {n}");
                Interlocked.Increment(ref _ops);
                Interlocked.Add(ref _bytes, n);
            }
        }
        catch
        {
            _stop = true; // the other workers stop too, so the failure surfaces promptly
            throw;
        }
        finally
        {
            buffer.Return();
        }
    }

    /// <summary>Takes the next block of the file in turn (wrapping at the end, as fio's time_based does).</summary>
    private async Task SequentialAsync(IoFile file)
    {
        var buffer = Rent();
        if (Write) RandomNumberGenerator.Fill(buffer.Memory.Span[..SequentialBlock]);
        try
        {
            while (!_stop)
            {
                long offset = (Interlocked.Add(ref _cursor, SequentialBlock) - SequentialBlock) % _fileSize;
                if (Write)
                {
                    await file.WriteAsync(buffer, SequentialBlock, offset);
                }
                else
                {
                    int n = await file.ReadAsync(buffer, SequentialBlock, offset);
                    if (n != SequentialBlock) throw new InvalidDataException($"read of {SequentialBlock} at {offset} returned {n}");
                }
                Interlocked.Increment(ref _ops);
                Interlocked.Add(ref _bytes, SequentialBlock);
            }
        }
        catch
        {
            _stop = true;
            throw;
        }
        finally
        {
            buffer.Return();
        }
    }

    private NativeBuffer Rent() => _engine.Buffers.TryRent(Block, out var buffer) ? buffer
        : throw new InvalidOperationException($"the benchmark's buffer pool is exhausted ({_engine.Buffers.Outstanding} rented)");

    private void Report(Interval interval, long ops, long bytes)
    {
        double gib = bytes / GiB;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"files {_engine.Name} {_workload} bs={Block} qd={Depth}: {ops / interval.WallSeconds:N0} IOPS, " +
            $"{gib / interval.WallSeconds:F2} GiB/s, {interval.Cpu.TotalSeconds / gib:F3} CPU s/GiB " +
            $"(user {interval.Cpu.UserSeconds:F2} s, sys {interval.Cpu.SystemSeconds:F2} s), " +
            $"{(double)interval.Counters.EnterCalls / Math.Max(ops, 1):F3} io_uring_enter per I/O, " +
            $"{ThreadPool.ThreadCount} thread-pool threads"));
        var line = new ResultLine();
        line.Add("scenario", "files");
        line.Add("engine", _engine.Name);
        line.Add("description", _engine.Description + (_engine.Buffers.IsRegistered ? ", registered buffers (READ_FIXED/WRITE_FIXED)" : ""));
        line.Add("workload", _workload);
        line.Add("block", Block);
        line.Add("depth", Depth);
        line.Add("ops", ops);
        line.Add("bytes", bytes);
        line.Add("threads", ThreadPool.ThreadCount);
        interval.AddTo(line);
        Console.WriteLine(line);
    }
}
