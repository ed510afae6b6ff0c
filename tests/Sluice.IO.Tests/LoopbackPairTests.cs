using System.Net;
using System.Net.Sockets;
using Sluice.IO.Uring;

namespace Sluice.IO.Tests;

/// <summary>Both ends of an in-process loopback connection are placed on one reactor (LoopbackPairs).</summary>
public class LoopbackPairTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A server that replies with the name of the thread its handler runs on.</summary>
    private static Listener StartThreadNameServer(IoEngine engine) => engine.Listen(AnyLoopback, async c =>
    {
        await using var _ = c;
        var buf = new byte[1];
        if (await c.ReceiveAsync(buf) == 0) return;
        var name = System.Text.Encoding.ASCII.GetBytes(Thread.CurrentThread.Name ?? "?");
        await c.SendAsync(name);
        await c.ShutdownSendAsync();
        while (await c.ReceiveAsync(buf) > 0) { }
    });

    private static async Task<string> AskThreadName(Connection c)
    {
        await c.SendAsync(new byte[] { 1 });
        var all = new MemoryStream();
        var buf = new byte[256];
        int n;
        while ((n = await c.ReceiveAsync(buf)) > 0) all.Write(buf, 0, n);
        return System.Text.Encoding.ASCII.GetString(all.ToArray());
    }

    [Fact]
    public async Task The_accepted_end_of_an_in_process_connection_runs_on_its_clients_reactor()
    {
        await using var engine = (UringEngine)Engines.Create("uring", reactors: 2);
        await using var listener = StartThreadNameServer(engine);
        for (int i = 0; i < 8; i++)
        {
            // Off the reactors: ConnectAsync picks reactors in turn, the server end must follow each one.
            await using var c = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            string expected = $"sluice-reactor-{((UringConnection)c).Reactor.Id}";
            Assert.Equal(expected, await AskThreadName(c));
        }
        Assert.True(engine.Pairs.Paired >= 8, $"paired {engine.Pairs.Paired}");
        Assert.True(engine.Pairs.IsEmpty, "disposed clients must leave the table");
    }

    [Fact]
    public async Task With_pairing_off_accepted_ends_are_placed_by_load_only()
    {
        await using var engine = (UringEngine)IoEngine.Create(new IoEngineOptions
        {
            Mode = "uring",
            ReactorCount = 2,
            PairLoopbackConnections = false,
        });
        await using var listener = StartThreadNameServer(engine);
        var names = new HashSet<string>();
        for (int i = 0; i < 8; i++)
        {
            await using var c = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            names.Add(await AskThreadName(c));
        }
        Assert.Equal(0, engine.Pairs.Paired);
        Assert.All(names, n => Assert.StartsWith("sluice-reactor-", n));
    }

    [Fact]
    public async Task Another_process_style_client_accepted_during_an_in_process_connect_is_still_served()
    {
        await using var engine = (UringEngine)Engines.Create("uring", reactors: 2);
        await using var listener = StartThreadNameServer(engine);
        // An in-process connect "under way" for the whole test: the foreign client's accepted end is parked, then
        // placed as any other once the park limit passes.
        engine.Pairs.BeginConnect();
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync(listener.LocalEndPoint);
            await s.SendAsync(new byte[] { 1 });
            var buf = new byte[256];
            int n = await s.ReceiveAsync(buf).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("sluice-reactor-", System.Text.Encoding.ASCII.GetString(buf, 0, n));
        }
        finally
        {
            engine.Pairs.EndConnect();
        }
        Assert.Equal(0, engine.Pairs.Paired);
    }

    [Fact]
    public async Task A_parked_socket_is_placed_when_the_last_in_process_connect_ends()
    {
        await using var engine = (UringEngine)Engines.Create("uring", reactors: 2);
        await using var listener = StartThreadNameServer(engine);
        engine.Pairs.BeginConnect();
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(listener.LocalEndPoint);
        engine.Pairs.EndConnect(); // may run before or after the accept parks it: either way it is served
        await s.SendAsync(new byte[] { 1 });
        var buf = new byte[256];
        int n = await s.ReceiveAsync(buf).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("sluice-reactor-", System.Text.Encoding.ASCII.GetString(buf, 0, n));
    }
}
