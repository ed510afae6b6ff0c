using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sluice.IO.Files;
using Sluice.IO.Tests.Files;
using Sluice.IO.Uring;

namespace Sluice.IO.Tests;

/// <summary>
/// Sockets installed in the ring's registered file table (IOSQE_FIXED_FILE). Slots are checked against the kernel's
/// own view of each ring's table (/proc/self/fdinfo of the ring descriptor lists every occupied slot).
/// </summary>
public partial class DirectDescriptorTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static TheoryData<bool> OnOff => new() { true, false };

    private static UringEngine Create(bool direct, int reactors = 2) => (UringEngine)IoEngine.Create(new IoEngineOptions
    {
        Mode = "uring",
        ReactorCount = reactors,
        DirectDescriptors = direct,
    });

    [GeneratedRegex(@"^UserFiles:\s*\d+\n((?:\s*\d+: .*\n)*)", RegexOptions.Multiline)]
    private static partial Regex UserFilesSection();

    /// <summary>Occupied slots of a ring's file table as the kernel reports them.</summary>
    private static async Task<int> KernelSlotsInUse(UringReactor reactor)
    {
        // fdinfo skips the table when it cannot take the ring's lock at that instant: retry.
        for (int attempt = 0; ; attempt++)
        {
            string info = await File.ReadAllTextAsync($"/proc/self/fdinfo/{reactor.Ring.Fd}");
            var m = UserFilesSection().Match(info);
            if (m.Success) return m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            if (attempt == 50) throw new InvalidOperationException("fdinfo of the ring has no file table:\n" + info);
            await Task.Delay(10);
        }
    }

    private static async Task<int> TotalKernelSlots(UringEngine engine)
    {
        int sum = 0;
        foreach (var r in engine.Reactors) sum += await KernelSlotsInUse(r);
        return sum;
    }

    /// <summary>
    /// Waits for fire-and-forget slot releases (a dispose posts a CLOSE to the owning ring): the kernel's table empties
    /// when the CLOSE runs, the reactors' count when its completion is reaped a moment later.
    /// </summary>
    private static async Task<int> SettledKernelSlots(UringEngine engine, int expected)
    {
        int n = await TotalKernelSlots(engine);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2); // a hang guard: on a loaded machine the reaping can lag
        while ((n != expected || SlotsInUse(engine) != 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            n = await TotalKernelSlots(engine);
        }
        return n;
    }

    private static int SlotsInUse(UringEngine engine) => engine.Reactors.Sum(r => Volatile.Read(ref r.SlotsInUse));

    private static Listener StartEcho(IoEngine engine, List<Connection> accepted) =>
        ConnectionTests.StartEcho(engine, onAccept: c => { lock (accepted) accepted.Add(c); });

    private static Task ReceiveExactly(Connection c, Memory<byte> into) => ConnectionTests.ReceiveExactly(c, into);

    [Theory]
    [MemberData(nameof(OnOff))]
    public async Task Accepted_and_connected_sockets_take_slots_only_when_enabled_and_give_them_all_back(bool direct)
    {
        await using var engine = Create(direct);
        int baseline = await TotalKernelSlots(engine);
        var accepted = new List<Connection>();
        await using var listener = StartEcho(engine, accepted);
        const int Count = 6;
        var clients = new List<Connection>();
        for (int i = 0; i < Count; i++) clients.Add(await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout));
        // Every pair echoes its own bytes: a wrong slot would deliver another connection's data.
        await Task.WhenAll(clients.Select(async (c, i) =>
        {
            var data = RandomNumberGenerator.GetBytes(100_000 + i);
            var send = c.SendAsync(data).AsTask();
            var back = new byte[data.Length];
            await ReceiveExactly(c, back);
            await send;
            Assert.Equal(data, back);
        }));
        foreach (UringConnection c in clients) Assert.Equal(direct, c.IsRegistered);
        lock (accepted)
        {
            Assert.Equal(Count, accepted.Count);
            foreach (UringConnection c in accepted) Assert.Equal(direct, c.IsRegistered);
        }
        int open = await TotalKernelSlots(engine);
        Assert.Equal(baseline + (direct ? 2 * Count : 0), open);
        Assert.Equal(open, engine.Reactors.Sum(r => Volatile.Read(ref r.SlotsInUse)) + baseline);

        // Closing the clients ends the server handlers too: every slot is emptied on its own ring.
        foreach (var c in clients) await c.DisposeAsync();
        Assert.Equal(baseline, await SettledKernelSlots(engine, baseline));
        Assert.Equal(0, SlotsInUse(engine));
    }

    [Theory]
    [MemberData(nameof(OnOff))]
    public async Task Shutdown_sends_end_of_stream_and_requests_from_other_threads_reach_the_owning_ring(bool direct)
    {
        await using var engine = Create(direct);
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var _ = c;
            var all = new MemoryStream();
            var buf = new byte[8192];
            int n;
            while ((n = await c.ReceiveAsync(buf)) > 0) all.Write(buf, 0, n);
            await c.SendAsync("bye"u8.ToArray());
            await c.ShutdownSendAsync();
            received.SetResult(all.ToArray());
        });
        await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        var data = RandomNumberGenerator.GetBytes(300_000);
        // From thread-pool threads, not the reactor: each request is posted to the ring that owns the slot.
        await Task.Run(async () => await client.SendAsync(data.AsMemory(0, 100_000)));
        await Task.Run(async () => await client.SendAsync(data.AsMemory(100_000, 1000), data.AsMemory(101_000)));
        await client.ShutdownSendAsync();
        Assert.Equal(data, await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var reply = new byte[3];
        await ReceiveExactly(client, reply);
        Assert.Equal("bye"u8.ToArray(), reply);
        Assert.Equal(0, await client.ReceiveAsync(new byte[16]));
    }

    [Theory]
    [MemberData(nameof(OnOff))]
    public async Task Sendfile_and_receive_to_file_work_on_a_registered_connection(bool direct)
    {
        using var dir = new TempDirectory();
        var content = RandomNumberGenerator.GetBytes((1 << 20) + 333);
        await File.WriteAllBytesAsync(dir.File("src"), content);
        await using var engine = Create(direct);
        var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var _ = c;
            Assert.Equal(direct, ((UringConnection)c).IsRegistered);
            await using var file = await engine.OpenFileAsync(dir.File("src"), IoFileOptions.OpenRead);
            await engine.SendFileAsync("head:"u8.ToArray(), file, 0, content.Length, c);
            served.SetResult();
        });
        await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        var head = new byte[5];
        await ReceiveExactly(client, head);
        Assert.Equal("head:"u8.ToArray(), head);
        await using (var copy = await engine.OpenFileAsync(dir.File("copy"), IoFileOptions.CreateReadWrite))
            await engine.ReceiveToFileAsync(client, copy, 0, content.Length);
        await served.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(content, await File.ReadAllBytesAsync(dir.File("copy")));
    }

    [Fact]
    public async Task A_full_file_table_leaves_new_sockets_on_their_descriptors_and_they_still_work()
    {
        await using var engine = Create(direct: true, reactors: 1);
        var reactor = engine.Reactors[0];
        // Fill every free slot with a descriptor of our own (a pipe end), on the reactor that owns the table.
        int[] pipe = new int[2];
        unsafe
        {
            fixed (int* p = pipe) Assert.Equal(0, Native.LibC.Pipe2(p, Native.LibC.OCloexec));
        }
        var taken = new List<int>();
        try
        {
            await engine.RunAsync(async () =>
            {
                for (int i = 0; i < UringReactor.FileTableSlots; i++)
                {
                    int slot = await reactor.TryInstallFileAsync(pipe[0]);
                    if (slot < 0) break;
                    taken.Add(slot);
                }
            });
            Assert.True(taken.Count > 0 && await KernelSlotsInUse(reactor) == UringReactor.FileTableSlots,
                $"the table did not fill: {taken.Count} installed, kernel shows {await KernelSlotsInUse(reactor)}");

            var accepted = new List<Connection>();
            await using (var listener = StartEcho(engine, accepted))
            await using (var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout))
            {
                var data = RandomNumberGenerator.GetBytes(50_000);
                var send = client.SendAsync(data).AsTask();
                var back = new byte[data.Length];
                await ReceiveExactly(client, back);
                await send;
                Assert.Equal(data, back);
                Assert.False(((UringConnection)client).IsRegistered);
                lock (accepted) Assert.False(((UringConnection)accepted[0]).IsRegistered);
            }
        }
        finally
        {
            await engine.RunAsync(async () =>
            {
                foreach (int slot in taken) await reactor.ReleaseSlotAsync(slot);
            });
            Native.LibC.Close(pipe[0]);
            Native.LibC.Close(pipe[1]);
        }
        Assert.Equal(0, await SettledKernelSlots(engine, 0));
    }

    [Fact]
    public async Task The_managed_engine_ignores_the_option()
    {
        await using var engine = IoEngine.Create(new IoEngineOptions { Mode = "managed", ReactorCount = 1, DirectDescriptors = true });
        var accepted = new List<Connection>();
        await using var listener = StartEcho(engine, accepted);
        await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
        await client.SendAsync("ping"u8.ToArray());
        var back = new byte[4];
        await ReceiveExactly(client, back);
        Assert.Equal("ping"u8.ToArray(), back);
    }
}
