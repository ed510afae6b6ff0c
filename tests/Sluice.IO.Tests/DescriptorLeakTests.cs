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
    [MemberData(nameof(Engines.Sockets), MemberType = typeof(Engines))]
    public async Task Closing_the_engine_cancels_pending_operations_and_leaks_no_descriptors(string mode)
    {
        await CloseCycle(mode); // the runtime's own lazily created descriptors (epoll, pipes) exist after this
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int fdsBefore = OpenFds();
        for (int i = 0; i < 3; i++) await CloseCycle(mode);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // The managed engine's handler closes its side on the thread pool after the client's close: wait for it.
        int fdsAfter = OpenFds();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2); // a hang guard, not a time window
        while (fdsAfter > fdsBefore && DateTime.UtcNow < deadline)
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
        await listener.DisposeAsync();
        await client.DisposeAsync();
        await engine.DisposeAsync();
        // The pending receive finished (end of stream or cancelled), it did not hang.
        var finished = await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.Same(pending, finished);
    }

    [Fact]
    public async Task Closing_an_io_uring_engine_frees_all_its_native_memory()
    {
        // The count is process-wide and an engine another test left behind may allocate or free meanwhile: a leak
        // of the closed engines shows in every round, such noise does not.
        for (int round = 1; ; round++)
        {
            long before = Native.NativeAllocations.Live;
            long beforeBytes = Native.NativeAllocations.LiveBytes;
            for (int i = 0; i < 2; i++) await CloseCycle("uring");
            long after = Native.NativeAllocations.Live, afterBytes = Native.NativeAllocations.LiveBytes;
            if ((after == before && afterBytes == beforeBytes) || round == 3)
            {
                Assert.Equal(before, after);
                Assert.Equal(beforeBytes, afterBytes);
                return;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Running_out_of_descriptors_is_a_typed_emfile_error_and_the_engine_recovers(string mode)
    {
        // Lowering RLIMIT_NOFILE is process-wide, so it runs in a process of its own (the test host needs descriptors).
        var dll = Path.Combine(AppContext.BaseDirectory, "Sluice.IO.FaultHost.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("emfile");
        psi.ArgumentList.Add(mode);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {await stderr}");
        string output = await stdout;
        Assert.Contains($"error errno={Native.Errno.EMFILE} operation=socket type=IoException", output);
        Assert.Contains("recovered", output);
    }
}
