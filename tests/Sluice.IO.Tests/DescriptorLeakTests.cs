using System.Net;

namespace Sluice.IO.Tests;

/// <summary>Counts this process's descriptors, so nothing else may open or close any meanwhile.</summary>
[CollectionDefinition(nameof(DescriptorLeakTests), DisableParallelization = true)]
public class DescriptorLeakGroup;

[Collection(nameof(DescriptorLeakTests))]
public class DescriptorLeakTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    private static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Closing_the_engine_cancels_pending_operations_and_leaks_no_descriptors(string mode)
    {
        await CloseCycle(mode); // the runtime's own lazily created descriptors (epoll, pipes) exist after this
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int fdsBefore = OpenFds();
        for (int i = 0; i < 3; i++) await CloseCycle(mode);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // The managed engine's handler closes its side on the thread pool after the client's close: give it a moment.
        int fdsAfter = OpenFds();
        for (int wait = 0; wait < 50 && fdsAfter > fdsBefore; wait++)
        {
            await Task.Delay(20);
            fdsAfter = OpenFds();
        }
        Assert.True(fdsAfter <= fdsBefore, $"descriptors before {fdsBefore}, after {fdsAfter}");
    }

    private static async Task CloseCycle(string mode)
    {
        var engine = Engines.Create(mode, reactors: 2);
        var listener = engine.Listen(AnyLoopback, async c =>
        {
            await using var _ = c;
            await c.ReceiveAsync(new byte[16]); // pends until the engine closes
        });
        var client = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10));
        var pending = client.ReceiveAsync(new byte[16]).AsTask();
        await Task.Delay(50);
        await listener.DisposeAsync();
        await client.DisposeAsync();
        await engine.DisposeAsync();
        // The pending receive finished (end of stream or cancelled), it did not hang.
        var finished = await Task.WhenAny(pending, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(pending, finished);
    }
}
