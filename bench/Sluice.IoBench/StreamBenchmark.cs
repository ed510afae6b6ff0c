using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Sluice.IO;

namespace Sluice.IoBench;

/// <summary>
/// Bulk transfer over loopback: the client asks for a byte count (an 8-byte request), the server sends that many
/// bytes in chunk-sized sends and closes, the client receives into a chunk-sized buffer until end of stream.
/// Measured once per connection count, with the total split over the connections.
/// </summary>
internal sealed class StreamBenchmark
{
    /// <summary>Bytes per connection in one warm-up round: enough sends for the JIT to reach its final code.</summary>
    private const long WarmupBytesPerConnection = 64L << 20;

    private const int SpareBuffers = 4;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    private const double GiB = 1L << 30;

    private readonly BenchOptions _options;
    private readonly IoEngine _engine;
    private readonly BenchBuffers _buffers;
    private readonly HandlerTracker _handlers = new();
    private IPEndPoint _endPoint = new(IPAddress.Loopback, 0);

    /// <summary>Connections whose two ends ran on one thread (one reactor), counted by the server ends.</summary>
    private int _samePairs;

    /// <summary>The request: the byte count, then the client's thread id (placement diagnostics).</summary>
    private const int RequestBytes = sizeof(long) + sizeof(int);

    private StreamBenchmark(BenchOptions options, IoEngine engine)
    {
        _options = options;
        _engine = engine;
        _buffers = new BenchBuffers(engine, options.ArrayBuffers);
    }

    /// <summary>Runs on the calling (main) thread and blocks it, for the reason given on ReqRespBenchmark.Run.</summary>
    public static int Run(BenchOptions options)
    {
        int connections = options.Streams.Max();
        var engine = IoEngine.Create(new IoEngineOptions
        {
            Mode = options.Engine,
            ReactorCount = options.Reactors,
            BufferPoolFactory = () => BenchBuffers.CreatePool(options.Chunk, 2 * connections + SpareBuffers),
        });
        try
        {
            new StreamBenchmark(options, engine).Run();
        }
        finally
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }

    private void Run()
    {
        var listener = _engine.Listen(new IPEndPoint(IPAddress.Loopback, 0), ServeAsync);
        _endPoint = new IPEndPoint(IPAddress.Loopback, listener.LocalEndPoint.Port);
        try
        {
            foreach (int streams in _options.Streams)
            {
                var warmup = Stopwatch.StartNew();
                while (warmup.Elapsed < _options.Warmup)
                    Transfer(streams, Math.Min(_options.Bytes, WarmupBytesPerConnection * streams));
                var reactors = ThreadCpu.Sample(ThreadCpu.ReactorPrefix);
                _samePairs = 0;
                var start = Measurement.Take(_engine);
                Transfer(streams, _options.Bytes);
                var interval = Measurement.Take(_engine).Since(start);
                Report(streams, interval, ThreadCpu.Delta(reactors, ThreadCpu.Sample(ThreadCpu.ReactorPrefix)));
            }
        }
        finally
        {
            listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Moves <paramref name="total"/> bytes over <paramref name="streams"/> new connections; returns when both ends are done.</summary>
    private void Transfer(int streams, long total)
    {
        var clients = new Task[streams];
        for (int i = 0; i < streams; i++)
        {
            long share = total / streams + (i < total % streams ? 1 : 0);
            clients[i] = Task.Run(() => ReceiveAsync(share));
        }
        long timeLimitSeconds = total / (32L << 20); // bounded: far below any plausible loopback rate
        var all = Task.WhenAll(clients);
        if (!all.Wait(TimeSpan.FromSeconds(timeLimitSeconds) + DrainTimeout))
            throw new TimeoutException($"{streams} stream(s) of {total} bytes did not finish in time");
        all.GetAwaiter().GetResult();
        _handlers.WaitIdle(DrainTimeout);
    }

    private async Task ReceiveAsync(long bytes)
    {
        var connection = await _engine.ConnectAsync(_endPoint, ConnectTimeout);
        if (_options.ClientsOnReactor) await connection.ResumeOnOwner();
        try
        {
            using var lease = _buffers.Rent(_options.Chunk);
            var buffer = lease.Memory;
            BinaryPrimitives.WriteInt64LittleEndian(buffer.Span, bytes);
            BinaryPrimitives.WriteInt32LittleEndian(buffer.Span[sizeof(long)..], Environment.CurrentManagedThreadId);
            await connection.SendAsync(buffer[..RequestBytes]);
            long received = 0;
            while (true)
            {
                int n = await connection.ReceiveAsync(buffer);
                if (n == 0) break;
                received += n;
            }
            if (received != bytes) throw new InvalidDataException($"received {received} bytes, expected {bytes}");
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private async ValueTask ServeAsync(Connection connection)
    {
        _handlers.Enter();
        try
        {
            using var lease = _buffers.Rent(_options.Chunk);
            var buffer = lease.Memory;
            int got = 0;
            while (got < RequestBytes)
            {
                int n = await connection.ReceiveAsync(buffer[got..RequestBytes]);
                if (n == 0) return; // the client went away before asking
                got += n;
            }
            long remaining = BinaryPrimitives.ReadInt64LittleEndian(buffer.Span);
            if (BinaryPrimitives.ReadInt32LittleEndian(buffer.Span[sizeof(long)..]) == Environment.CurrentManagedThreadId)
                Interlocked.Increment(ref _samePairs);
            buffer.Span.Fill((byte)'d');
            while (remaining > 0)
            {
                int n = (int)Math.Min(remaining, buffer.Length);
                await connection.SendAsync(buffer[..n]);
                remaining -= n;
            }
            await connection.ShutdownSendAsync();
            while (await connection.ReceiveAsync(buffer) > 0) { } // until the client closes
        }
        finally
        {
            await connection.DisposeAsync();
            _handlers.Exit();
        }
    }

    private void Report(int streams, Interval interval, (double Run, double Wait)[] reactorCpu)
    {
        double gib = _options.Bytes / GiB;
        string busy = ThreadCpu.PerWall(reactorCpu.Select(r => r.Run), interval.WallSeconds);
        string starved = ThreadCpu.PerWall(reactorCpu.Select(r => r.Wait), interval.WallSeconds);
        int same = Volatile.Read(ref _samePairs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream {_engine.Name} x{streams}: {gib:F2} GiB in {interval.WallSeconds:F2} s = {gib / interval.WallSeconds:F2} GiB/s, " +
            $"{interval.Cpu.TotalSeconds / gib:F3} CPU s/GiB (user {interval.Cpu.UserSeconds:F2} s, sys {interval.Cpu.SystemSeconds:F2} s), " +
            $"{interval.Counters.EnterCalls / gib:N0} io_uring_enter/GiB, reactor busy {busy} + waiting for a CPU {starved}, {same} pair(s) on one thread"));
        var line = new ResultLine();
        line.Add("scenario", "stream");
        line.Add("engine", _engine.Name);
        line.Add("description", _engine.Description);
        line.Add("clients", _options.ClientsOnReactor ? "reactor" : "pool");
        line.Add("streams", streams);
        line.Add("chunk", _options.Chunk);
        line.Add("bytes", _options.Bytes);
        if (reactorCpu.Length > 0)
        {
            line.Add("reactor_busy", busy);
            line.Add("reactor_runqueue", starved);
        }
        line.Add("same_pairs", same);
        interval.AddTo(line);
        Console.WriteLine(line);
    }
}
