using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Sluice.IO;

namespace Sluice.IoBench;

/// <summary>
/// Loopback request/response: an echo server on engine.Listen and N client connections from engine.ConnectAsync,
/// each sending a request and waiting for the whole reply before the next. Client and server run in this process on
/// the same engine, so the process's CPU time is the cost of both ends.
/// </summary>
internal sealed class ReqRespBenchmark
{
    /// <summary>Per-connection counters 128 bytes apart: connections on different cores never share a cache line.</summary>
    private const int CounterStride = 16;

    /// <summary>Pool buffers beyond the two per connection each side needs.</summary>
    private const int SpareBuffers = 16;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly BenchOptions _options;
    private readonly IoEngine _engine;
    private readonly BenchBuffers _buffers;
    private readonly HandlerTracker _handlers = new();
    private readonly long[] _completed;
    private readonly bool _counted;
    private IPEndPoint _endPoint = new(IPAddress.Loopback, 0);
    private long _remaining = long.MaxValue;   // request budget in --requests mode
    private volatile bool _stop;

    private ReqRespBenchmark(BenchOptions options, IoEngine engine)
    {
        _options = options;
        _engine = engine;
        _buffers = new BenchBuffers(engine, options.ArrayBuffers);
        _completed = new long[options.Connections * CounterStride];
        _counted = options.Requests > 0;
    }

    /// <summary>
    /// Runs on the calling (main) thread and blocks it: waiting synchronously keeps the benchmark's control flow
    /// from ever resuming on, and stalling, a reactor thread that completed the last client.
    /// </summary>
    public static int Run(BenchOptions options)
    {
        int size = options.MessageSize;
        var engine = IoEngine.Create(new IoEngineOptions
        {
            Mode = options.Engine,
            ReactorCount = options.Reactors,
            BufferPoolFactory = () => BenchBuffers.CreatePool(size, 4 * options.Connections + SpareBuffers),
        });
        try
        {
            new ReqRespBenchmark(options, engine).Run();
        }
        finally
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }

    private void Run()
    {
        var o = _options;
        var listener = _engine.Listen(new IPEndPoint(IPAddress.Loopback, 0), EchoAsync);
        _endPoint = new IPEndPoint(IPAddress.Loopback, listener.LocalEndPoint.Port);
        try
        {
            if (_counted && o.Warmup <= TimeSpan.Zero) _remaining = o.Requests;
            var clients = new Task[o.Connections];
            for (int i = 0; i < clients.Length; i++)
            {
                int index = i;
                clients[i] = Task.Run(() => ClientAsync(index));
            }
            var all = Task.WhenAll(clients);

            // all.Wait returns early only when every client stopped, which before the end means one failed: it throws.
            if (o.Warmup > TimeSpan.Zero && all.Wait(o.Warmup)) all.GetAwaiter().GetResult();
            var start = Measurement.Take(_engine);
            long startCount = Completed();
            if (_counted)
            {
                if (o.Warmup > TimeSpan.Zero) Interlocked.Exchange(ref _remaining, o.Requests);
                if (!all.Wait(TimeSpan.FromSeconds(o.Requests / 1000.0) + DrainTimeout))
                    throw new TimeoutException("the clients did not finish their requests in time");
            }
            else if (all.Wait(o.Duration))
            {
                all.GetAwaiter().GetResult();
            }
            var end = Measurement.Take(_engine);
            long requests = Completed() - startCount;
            _stop = true;
            if (!all.Wait(DrainTimeout)) throw new TimeoutException("the clients did not stop in time");
            all.GetAwaiter().GetResult();
            _handlers.WaitIdle(DrainTimeout);
            Report(end.Since(start), requests);
        }
        finally
        {
            listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private long Completed()
    {
        long sum = 0;
        for (int i = 0; i < _completed.Length; i += CounterStride) sum += Volatile.Read(ref _completed[i]);
        return sum;
    }

    private async ValueTask EchoAsync(Connection connection)
    {
        _handlers.Enter();
        try
        {
            using var lease = _buffers.Rent(_options.MessageSize);
            var buffer = lease.Memory;
            while (true)
            {
                int n = await connection.ReceiveAsync(buffer);
                if (n == 0) break;
                await connection.SendAsync(buffer[..n]);
            }
        }
        finally
        {
            await connection.DisposeAsync();
            _handlers.Exit();
        }
    }

    private async Task ClientAsync(int index)
    {
        int size = _options.MessageSize;
        var connection = await _engine.ConnectAsync(_endPoint, ConnectTimeout);
        if (_options.ClientsOnReactor) await connection.ResumeOnOwner();
        try
        {
            using var sendLease = _buffers.Rent(size);
            using var receiveLease = _buffers.Rent(size);
            var request = sendLease.Memory;
            var reply = receiveLease.Memory;
            request.Span.Fill((byte)'s');
            long sequence = 0;
            while (!_stop)
            {
                if (_counted && Interlocked.Decrement(ref _remaining) < 0) break;
                BinaryPrimitives.WriteInt64LittleEndian(request.Span, sequence);
                await connection.SendAsync(request);
                int received = 0;
                while (received < size)
                {
                    int n = await connection.ReceiveAsync(reply[received..]);
                    if (n == 0) throw new InvalidDataException("the server closed the connection mid-reply");
                    received += n;
                }
                if (BinaryPrimitives.ReadInt64LittleEndian(reply.Span) != sequence)
                    throw new InvalidDataException($"reply {sequence} does not echo its request");
                sequence++;
                Volatile.Write(ref _completed[index * CounterStride], sequence);
            }
            // Half-close and wait for the server's close, so its handler has finished with its buffer.
            await connection.ShutdownSendAsync();
            while (await connection.ReceiveAsync(reply) > 0) { }
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private void Report(Interval interval, long requests)
    {
        var o = _options;
        double rps = requests / interval.WallSeconds;
        double cpuPerMillion = interval.Cpu.TotalSeconds / requests * 1e6;
        double entersPerRequest = (double)interval.Counters.EnterCalls / requests;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reqresp {_engine.Name}: {requests:N0} requests in {interval.WallSeconds:F2} s = {rps:N0}/s, " +
            $"{cpuPerMillion:F2} CPU s per 1M requests (user {interval.Cpu.UserSeconds:F2} s, sys {interval.Cpu.SystemSeconds:F2} s), " +
            $"{entersPerRequest:F3} io_uring_enter per request"));
        var line = new ResultLine();
        line.Add("scenario", "reqresp");
        line.Add("engine", _engine.Name);
        line.Add("description", _engine.Description);
        line.Add("clients", o.ClientsOnReactor ? "reactor" : "pool");
        line.Add("connections", o.Connections);
        line.Add("size", o.MessageSize);
        line.Add("requests", requests);
        interval.AddTo(line);
        Console.WriteLine(line);
    }
}
