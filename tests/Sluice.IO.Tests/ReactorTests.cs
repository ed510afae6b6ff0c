using System.Net;

namespace Sluice.IO.Tests;

public class ReactorTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Accepted_connections_are_spread_evenly_over_the_reactors(string mode)
    {
        // SO_REUSEPORT hashes addresses, so 8 connections often land 6:2 on 2 sockets; placement evens them out.
        const int Connections = 8;
        await using var engine = Engines.Create(mode, reactors: 2);
        var where = new System.Collections.Concurrent.ConcurrentBag<string?>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new SemaphoreSlim(0);
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var _ = c;
            where.Add(Uring.UringReactor.Current?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "pool");
            arrived.Release();
            await release.Task; // the connection stays live (and counted) until every one has arrived
        });
        var clients = new List<Connection>();
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                clients.Add(await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10)));
                Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(10)), "the handler did not start");
            }
            if (mode == "uring")
            {
                var counts = where.GroupBy(w => w).ToDictionary(g => g.Key!, g => g.Count());
                Assert.Equal(2, counts.Count);
                Assert.All(counts.Values, n => Assert.Equal(Connections / 2, n));
            }
            else Assert.Equal(Connections, where.Count);
        }
        finally
        {
            release.SetResult();
            foreach (var c in clients) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Continuations_run_on_the_owning_reactor()
    {
        await using var engine = Engines.Create("uring", reactors: 1);
        var threadNames = new List<string?>();
        var done = new TaskCompletionSource();
        const int Rounds = 200;
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var _ = c;
            var buf = new byte[64];
            var reply = new byte[64];
            threadNames.Add(Thread.CurrentThread.Name);
            for (int i = 0; i < Rounds; i++) { await Receive(c, buf); await c.SendAsync(reply); }
            threadNames.Add(Thread.CurrentThread.Name);
            done.SetResult();
        });
        await using var client = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10));
        var msg = new byte[64];
        var back = new byte[64];
        for (int i = 0; i < Rounds; i++)
        {
            await client.SendAsync(msg);
            await Receive(client, back);
        }
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.All(threadNames, n => Assert.Equal("sluice-reactor-0", n));
        // That awaiting I/O allocates nothing is gated in bench/Sluice.AllocationGates, not here (it needs tiering off).
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask Receive(Connection c, Memory<byte> into)
    {
        while (!into.IsEmpty)
        {
            int n = await c.ReceiveAsync(into);
            if (n == 0) throw new EndOfStreamException();
            into = into[n..];
        }
    }

    [Fact]
    public async Task Counters_show_batched_submissions()
    {
        await using var engine = Engines.Create("uring", reactors: 1);
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var _ = c;
            var buf = new byte[1024];
            int n;
            while ((n = await c.ReceiveAsync(buf)) > 0) await c.SendAsync(buf.AsMemory(0, n));
        });
        var before = engine.Counters;
        await using (var client = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10)))
        {
            var b = new byte[100];
            for (int i = 0; i < 200; i++) { await client.SendAsync(b); await Receive(client, b); }
        }
        var d = engine.Counters - before;
        Assert.True(d.Submissions >= 800, $"expected >= 800 SQEs for 200 round trips, got {d.Submissions}");
        Assert.True(d.Completions >= 800);
        Assert.True(d.EnterCalls > 0 && d.EnterCalls <= d.Submissions,
            $"enter calls {d.EnterCalls} should not exceed submissions {d.Submissions}");
    }

    [Fact]
    public async Task A_receive_pending_when_the_reactor_stops_completes_as_cancelled()
    {
        var engine = Engines.Create("uring", reactors: 1);
        await using var listener = engine.Listen(AnyLoopback, _ => ValueTask.CompletedTask);
        var client = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10));
        var pending = client.ReceiveAsync(new byte[16]).AsTask();
        await engine.DisposeAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromMinutes(2)));
        await client.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task RunAsync_keeps_a_client_and_its_connection_on_one_reactor(string mode)
    {
        await using var engine = Engines.Create(mode, reactors: 2);
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var _ = c;
            var buf = new byte[8];
            int n;
            while ((n = await c.ReceiveAsync(buf)) > 0) await c.SendAsync(buf.AsMemory(0, n));
        });
        var names = new System.Collections.Concurrent.ConcurrentBag<string?>();
        await engine.RunAsync(async () =>
        {
            names.Add(Thread.CurrentThread.Name);
            await using var c = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10));
            var b = new byte[8];
            for (int i = 0; i < 50; i++)
            {
                await c.SendAsync(b);
                await Receive(c, b);
                names.Add(Thread.CurrentThread.Name);
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));
        if (mode == "uring")
        {
            var distinct = names.Distinct().ToList();
            Assert.Single(distinct);
            Assert.StartsWith("sluice-reactor-", distinct[0]);
        }
        Assert.Equal(51, names.Count);
    }

    [Fact]
    public async Task RunAsync_reports_the_work_s_failure()
    {
        await using var engine = Engines.Create("uring", reactors: 1);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            engine.RunAsync(() => throw new InvalidOperationException("boom")));
        Assert.Equal("boom", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task ResumeOnOwner_moves_thread_pool_code_onto_the_connection_s_reactor(string mode)
    {
        await using var engine = Engines.Create(mode, reactors: 2);
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var _ = c;
            var buf = new byte[8];
            int n;
            while ((n = await c.ReceiveAsync(buf)) > 0) await c.SendAsync(buf.AsMemory(0, n));
        });
        await Task.Run(async () =>
        {
            await using var c = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10));
            await c.ResumeOnOwner();
            string? owner = Thread.CurrentThread.Name;
            if (mode == "uring") Assert.StartsWith("sluice-reactor-", owner);
            var b = new byte[8];
            for (int i = 0; i < 20; i++)
            {
                await c.SendAsync(b);
                await Receive(c, b);
                Assert.Equal(owner, Thread.CurrentThread.Name); // every await resumed on the same reactor
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
