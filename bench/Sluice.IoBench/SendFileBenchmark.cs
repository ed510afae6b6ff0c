using System.Diagnostics;
using System.Globalization;
using System.Net;
using Sluice.IO;
using Sluice.IO.Buffers;
using Sluice.IO.Files;

namespace Sluice.IoBench;

/// <summary>
/// A page-cached file sent to a loopback connection, <see cref="BenchOptions.Passes"/> times per measurement: with
/// splice (<see cref="IoEngine.SendFileAsync"/> on io_uring: file → pipe → socket, never in user space) and with
/// read+send (read a 1 MiB chunk into a pool buffer, send it; what the managed engine's SendFileAsync does). The
/// sender runs on a reactor via <see cref="IoEngine.RunAsync"/>; the receiver is the listener's handler, draining
/// into a 1 MiB buffer and counting. Both ends share the process, so its CPU time is sender plus receiver.
/// With io_uring, where the two ends run matters (one reactor thread doing both, or each on its own reactor), and
/// the accepting reactor is the kernel's SO_REUSEPORT pick: each placement is measured on purpose, by reconnecting
/// until the receiver (which first sends its thread id) landed where asked.
/// </summary>
internal sealed class SendFileBenchmark
{
    /// <summary>Read+send chunk and receive buffer: the splice pipe's size (PipePool), so both move 1 MiB per step.</summary>
    private const int Chunk = 1 << 20;

    /// <summary>A sender and a receiver buffer per transfer, plus slack.</summary>
    private const int PoolBuffers = 4;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Connections tried for a placement: each lands right with about even odds on 2 reactors.</summary>
    private const int PlacementAttempts = 64;

    /// <summary>io_uring: both ends on one reactor ("same") or on two ("split"); managed: the thread pool ("any").</summary>
    public const string Same = "same", Split = "split", Any = "any";

    /// <summary>Slowest rate a transfer is allowed (a bound, not an expectation).</summary>
    private const double SlowestBytesPerSecond = 32 << 20;

    private const double GiB = 1L << 30;

    private readonly BenchOptions _options;
    private readonly IoEngine _engine;
    private readonly string _path;
    private readonly long _size;
    private readonly HandlerTracker _handlers = new();
    private IPEndPoint _endPoint = new(IPAddress.Loopback, 0);

    // Added to by the receivers' handlers (0 from connections dropped for placement), read by the main thread.
    private long _received;

    // Kernel thread ids of the last measured transfer's two ends (io_uring: their reactor threads).
    private volatile int _senderTid, _receiverTid;

    private SendFileBenchmark(BenchOptions options, IoEngine engine, string path, long size)
    {
        _options = options;
        _engine = engine;
        _path = path;
        _size = size;
    }

    /// <summary>Variants measured on an engine: splice exists only where the engine has it natively.</summary>
    public static string[] Variants(string engine) => engine == "managed" ? ["read+send"] : ["splice", "read+send"];

    public static int Run(BenchOptions o)
    {
        using var own = o.File == null ? DataFile.Create(o.Directory, "sendfile", o.SendFileSize, dropCache: false) : null;
        string path = o.File ?? own!.Path;
        var engine = IoEngine.Create(new IoEngineOptions
        {
            Mode = o.Engine,
            ReactorCount = o.Reactors,
            BufferPoolFactory = () => new NativeBufferPool([Chunk], [PoolBuffers]),
            PairLoopbackConnections = false, // the split placement needs ends on different reactors
            ZeroCopyToLoopback = true, // the "splice" variant measures the zero-copy path, which loopback would skip
        });
        try
        {
            new SendFileBenchmark(o, engine, path, new FileInfo(path).Length).Run();
        }
        finally
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }

    private void Run()
    {
        var listener = _engine.Listen(new IPEndPoint(IPAddress.Loopback, 0), DrainAsync);
        _endPoint = new IPEndPoint(IPAddress.Loopback, listener.LocalEndPoint.Port);
        try
        {
            string[] placements = _engine.Name == "managed" || _engine.ReactorCount < 2 ? [Any] : [Same, Split];
            var variants = Variants(_options.Engine!).Where(v => _options.SendFileVariants?.Contains(v) ?? true);
            foreach (string variant in variants)
            {
                // Warm-up: whole-file transfers until the time is up (the JIT's final code, the file in the page cache).
                var warmup = Stopwatch.StartNew();
                while (warmup.Elapsed < _options.Warmup) Transfer(variant, Any, 1);
                foreach (string placement in placements)
                {
                    var threads = ThreadCpu.Sample("");
                    long inline = Interlocked.Read(ref UringSendFile.InlineSteps), spliced = Interlocked.Read(ref UringSendFile.SplicedSteps);
                    var start = Measurement.Take(_engine);
                    Transfer(variant, placement, _options.Passes);
                    var interval = Measurement.Take(_engine).Since(start);
                    var after = ThreadCpu.Sample("");
                    Report(variant, placement, interval, ThreadSeconds(threads, after, _senderTid),
                        ThreadSeconds(threads, after, _receiverTid));
                    ReportThreads(threads, after, Interlocked.Read(ref UringSendFile.InlineSteps) - inline,
                        Interlocked.Read(ref UringSendFile.SplicedSteps) - spliced);
                }
            }
        }
        finally
        {
            listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Sends the file <paramref name="passes"/> times on one new connection; returns when both ends are done.</summary>
    private void Transfer(string variant, string placement, int passes)
    {
        Volatile.Write(ref _received, 0);
        var send = _engine.RunAsync(() => SendAsync(variant, placement, passes));
        var limit = TimeSpan.FromSeconds(passes * _size / SlowestBytesPerSecond) + DrainTimeout;
        if (!send.Wait(limit)) throw new TimeoutException($"{variant}: {passes} x {_size} bytes did not arrive in time");
        send.GetAwaiter().GetResult();
        _handlers.WaitIdle(DrainTimeout);
        long received = Volatile.Read(ref _received);
        if (received != passes * _size) throw new InvalidDataException($"{variant}: received {received} bytes, expected {passes * _size}");
    }

    /// <summary>CPU seconds of one reactor thread between two samples; null off reactors (managed engine).</summary>
    private static double? ThreadSeconds(Dictionary<int, ThreadCpu.Sched> start, Dictionary<int, ThreadCpu.Sched> end, int tid) =>
        start.TryGetValue(tid, out var s) && end.TryGetValue(tid, out var e) ? (e.RunNs - s.RunNs) / 1e9 : null;

    private async ValueTask SendAsync(string variant, string placement, int passes)
    {
        _senderTid = ThreadCpu.CurrentTid();
        // On a reactor (io_uring): the connection and the file are opened here, so both belong to this reactor.
        var connection = await ConnectPlacedAsync(placement);
        try
        {
            var file = await _engine.OpenFileAsync(_path, IoFileOptions.OpenRead);
            try
            {
                for (int pass = 0; pass < passes; pass++)
                {
                    if (variant == "splice") await _engine.SendFileAsync(file, 0, _size, connection);
                    else await ReadSendAsync(file, connection);
                }
            }
            finally
            {
                await file.DisposeAsync();
            }
            // Half-close, then wait for the receiver's close: it has counted everything by then.
            await connection.ShutdownSendAsync();
            var tail = new byte[1];
            while (await connection.ReceiveAsync(tail) > 0) { }
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>Connects until the receiver's reactor is this one (same) or another (split); any takes the first.</summary>
    private async ValueTask<Connection> ConnectPlacedAsync(string placement)
    {
        var id = new byte[sizeof(int)];
        for (int attempt = 0; attempt < PlacementAttempts; attempt++)
        {
            var connection = await _engine.ConnectAsync(_endPoint, ConnectTimeout);
            try
            {
                for (int got = 0; got < id.Length;)
                {
                    int n = await connection.ReceiveAsync(id.AsMemory(got));
                    if (n == 0) throw new InvalidDataException("the receiver closed before sending its thread id");
                    got += n;
                }
                bool same = BitConverter.ToInt32(id) == Environment.CurrentManagedThreadId;
                if (placement == Any || same == (placement == Same)) return connection;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            await connection.DisposeAsync(); // landed on the wrong reactor: its receiver sees end of stream at once
        }
        throw new InvalidOperationException($"no connection landed with placement '{placement}' in {PlacementAttempts} attempts");
    }

    private async ValueTask ReadSendAsync(IoFile file, Connection connection)
    {
        var buffer = await _engine.Buffers.RentAsync(Chunk);
        try
        {
            for (long offset = 0; offset < _size;)
            {
                int n = await file.ReadAsync(buffer, (int)Math.Min(Chunk, _size - offset), offset);
                if (n == 0) throw new InvalidDataException($"{_path} ended at {offset}, before {_size}");
                await connection.SendAsync(buffer.Memory[..n]);
                offset += n;
            }
        }
        finally
        {
            buffer.Return();
        }
    }

    private async ValueTask DrainAsync(Connection connection)
    {
        _handlers.Enter();
        int tid = ThreadCpu.CurrentTid(); // a handler stays on its reactor (io_uring)
        try
        {
            var buffer = await _engine.Buffers.RentAsync(Chunk);
            long total = 0;
            try
            {
                // The sender learns where this end runs (a reactor thread with io_uring) and may reconnect.
                BitConverter.TryWriteBytes(buffer.Memory.Span, Environment.CurrentManagedThreadId);
                await connection.SendAsync(buffer.Memory[..sizeof(int)]);
                while (true)
                {
                    int n = await connection.ReceiveAsync(buffer.Memory);
                    if (n == 0) break;
                    total += n;
                }
            }
            finally
            {
                buffer.Return();
            }
            Interlocked.Add(ref _received, total);
            if (total > 0) _receiverTid = tid;
        }
        finally
        {
            await connection.DisposeAsync();
            _handlers.Exit();
        }
    }

    /// <summary>Where the CPU outside the two measured ends went (by thread name), and the send-file steps taken.</summary>
    private void ReportThreads(Dictionary<int, ThreadCpu.Sched> start, Dictionary<int, ThreadCpu.Sched> end, long inline, long spliced)
    {
        double gib = _options.Passes * _size / GiB;
        var others = ThreadCpu.ByName(start, end, ThreadCpu.Names(), _senderTid, _receiverTid);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  other threads CPU s/GiB: {string.Join(", ", others.Take(5).Select(o => $"{o.Name} {o.Seconds / gib:F3}"))}; " +
            $"send-file steps inline {inline}, spliced {spliced}"));
    }

    private void Report(string variant, string placement, Interval interval, double? senderThread, double? receiverThread)
    {
        long bytes = _options.Passes * _size;
        double gib = bytes / GiB;
        // Split placement: the receiver has a reactor thread of its own, so the sender's side is the rest of the process
        // (its reactor thread, io_uring's workers, the idle main thread). With one reactor the two cannot be told apart.
        bool separable = placement == Split && senderThread != null && receiverThread != null;
        string sides = separable
            ? string.Create(CultureInfo.InvariantCulture, $", sender side {(interval.Cpu.TotalSeconds - receiverThread!.Value) / gib:F3} CPU s/GiB " +
                $"(its reactor thread {senderThread!.Value / gib:F3}), receiver thread {receiverThread.Value / gib:F3}")
            : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sendfile {_engine.Name} {variant}: {gib:F2} GiB in {interval.WallSeconds:F2} s = {gib / interval.WallSeconds:F2} GiB/s, " +
            $"{interval.Cpu.TotalSeconds / gib:F3} CPU s/GiB (user {interval.Cpu.UserSeconds:F2} s, sys {interval.Cpu.SystemSeconds:F2} s), " +
            $"{interval.Counters.EnterCalls / gib:N0} io_uring_enter/GiB, placement {placement}{sides}"));
        var line = new ResultLine();
        line.Add("scenario", "sendfile");
        line.Add("engine", _engine.Name);
        line.Add("description", _engine.Description);
        line.Add("variant", variant);
        line.Add("bytes", bytes);
        line.Add("passes", _options.Passes);
        line.Add("placement", placement);
        if (separable)
        {
            line.Add("sender_thread_cpu", senderThread!.Value);
            line.Add("receiver_thread_cpu", receiverThread!.Value);
        }
        interval.AddTo(line);
        Console.WriteLine(line);
    }
}
