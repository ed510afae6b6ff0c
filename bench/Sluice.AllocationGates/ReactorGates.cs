using System.Net;
using System.Runtime.CompilerServices;
using Sluice.IO;
using Sluice.IO.Buffers;
using Sluice.IO.Files;

namespace Sluice.AllocationGates;

/// <summary>
/// Gates on the io_uring reactor: awaiting a socket receive and send, and a fixed-buffer file write and read, allocate
/// nothing per operation on the reactor thread (pooled operations, pooled state-machine boxes, inline resumption).
/// </summary>
internal static class ReactorGates
{
    private const int Warmup = 100;
    private const int Rounds = 2_000;

    /// <summary>Slack for one-off growth (a queue segment grew by 2,304 bytes once); one object per round would be 48 KB.</summary>
    public const long Slack = 8192;

    public static readonly (string Name, Func<Task<long>> Run)[] All =
    [
        ("ReactorGates.SocketRoundTrip", SocketRoundTripAsync),
        ("ReactorGates.FixedFileRoundTrip", FixedFileRoundTripAsync),
    ];

    private static IoEngine Uring() => IoEngine.Create(new IoEngineOptions { Mode = "uring", ReactorCount = 1 });

    private static async Task<long> SocketRoundTripAsync()
    {
        await using var engine = Uring();
        var measured = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = engine.Listen(new IPEndPoint(IPAddress.Loopback, 0), async c =>
        {
            await using var _ = c;
            var buf = new byte[64];
            var reply = new byte[64];
            for (int i = 0; i < Warmup; i++) { await ReceiveExactly(c, buf); await c.SendAsync(reply); }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Rounds; i++) { await ReceiveExactly(c, buf); await c.SendAsync(reply); }
            measured.SetResult(GC.GetAllocatedBytesForCurrentThread() - before);
        });
        await using var client = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromMinutes(1));
        var message = new byte[64];
        var back = new byte[64];
        for (int i = 0; i < Warmup + Rounds; i++)
        {
            await client.SendAsync(message);
            await ReceiveExactly(client, back);
        }
        return await measured.Task;
    }

    private static async Task<long> FixedFileRoundTripAsync()
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-gate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            await using var engine = Uring();
            var measured = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            // A listener handler runs on the reactor thread: open, write and read there as a server would.
            await using var listener = engine.Listen(new IPEndPoint(IPAddress.Loopback, 0), async c =>
            {
                await using var _ = c;
                try
                {
                    await using var file = await engine.OpenFileAsync(Path.Combine(directory, "hot"), IoFileOptions.CreateReadWrite);
                    using var buffer = await engine.Buffers.RentAsync(4096);
                    for (int i = 0; i < Warmup; i++) await FileRoundTrip(file, buffer, i);
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < Rounds; i++) await FileRoundTrip(file, buffer, i);
                    measured.SetResult(GC.GetAllocatedBytesForCurrentThread() - before);
                }
                catch (Exception e) { measured.TrySetException(e); }
            });
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromMinutes(1));
            return await measured.Task;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask ReceiveExactly(Connection c, Memory<byte> into)
    {
        while (!into.IsEmpty)
        {
            int n = await c.ReceiveAsync(into);
            if (n == 0) throw new IOException("the peer closed early");
            into = into[n..];
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask FileRoundTrip(IoFile file, NativeBuffer buffer, int i)
    {
        buffer.GetSpan()[0] = (byte)i;
        await file.WriteAsync(buffer, 4096, (i % 16) * 4096L);
        buffer.GetSpan()[0] = 0;
        if (await file.ReadAsync(buffer, 4096, (i % 16) * 4096L) != 4096 || buffer.GetSpan()[0] != (byte)i)
            throw new InvalidDataException("read back differs");
    }
}
