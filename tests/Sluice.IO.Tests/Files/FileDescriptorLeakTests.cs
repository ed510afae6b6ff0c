using System.Net;
using Sluice.IO.Files;
using Sluice.IO.Uring;

namespace Sluice.IO.Tests.Files;

/// <summary>Splice pipes and file descriptors all come back: counted serially with the other descriptor tests.</summary>
[Collection(nameof(DescriptorLeakTests))]
public class FileDescriptorLeakTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    /// <summary>
    /// Descriptors of the kinds file and splice code opens: pipes, sockets, rings/eventfds and files in the test's
    /// directory. Not all of them: the runtime opens assemblies and symbol files lazily (e.g. the first time a stack
    /// trace is rendered), which says nothing about leaks.
    /// </summary>
    private static int OpenFds(string dir) => Directory.GetFiles("/proc/self/fd").Count(fd =>
    {
        string? target;
        try { target = new FileInfo(fd).LinkTarget; }
        catch (IOException) { return false; } // closed meanwhile (the enumeration's own descriptor)
        return target != null && (target.StartsWith("pipe:", StringComparison.Ordinal)
            || target.StartsWith("socket:", StringComparison.Ordinal)
            || target.StartsWith("anon_inode:", StringComparison.Ordinal)
            || target.StartsWith(dir, StringComparison.Ordinal));
    });

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Transfers_and_failed_transfers_leak_no_pipes_or_files(string mode)
    {
        using var dir = new TempDirectory();
        string path = dir.File("src");
        await SpliceTests.WriteRandomFile(path, (2 << 20) + 1);
        await Cycle(mode, path); // lazily created runtime descriptors exist after this
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int before = OpenFds(dir.Path);
        for (int i = 0; i < 3; i++) await Cycle(mode, path);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int after = OpenFds(dir.Path);
        Assert.True(after <= before, $"descriptors before {before}, after {after}");
    }

    private static async Task Cycle(string mode, string path)
    {
        var engine = Engines.Create(mode, reactors: 2);
        int finished = 0;
        var allFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int Transfers = 6;
        var listener = engine.Listen(AnyLoopback, async c =>
        {
            try
            {
                await using var _ = c;
                await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
                var first = new byte[1];
                if (await c.ReceiveAsync(first) == 0) return;
                await engine.SendFileAsync(file, 0, await file.GetLengthAsync(), c);
            }
            catch (IoException) { } // the abandoned transfers: reset by the peer
            finally
            {
                if (Interlocked.Increment(ref finished) == Transfers) allFinished.SetResult();
            }
        });
        // Four complete transfers in parallel (several pipes at once), then two that the peer abandons.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var c = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10));
            await c.SendAsync(new byte[1]);
            var buf = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = await c.ReceiveAsync(buf)) > 0) total += n;
            Assert.Equal((2 << 20) + 1, total);
        }));
        for (int i = 0; i < 2; i++)
        {
            var c = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10));
            await c.SendAsync(new byte[1]);
            await c.ReceiveAsync(new byte[10]);
            await c.DisposeAsync();
        }
        await allFinished.Task.WaitAsync(TimeSpan.FromSeconds(30)); // every handler has returned its buffer or pipe
        await listener.DisposeAsync();
        if (engine is UringEngine uring)
            Assert.InRange(uring.Pipes.OpenPipes, 0, PipePool.MaxIdlePipes);
        await engine.DisposeAsync();
        if (engine is UringEngine disposed) Assert.Equal(0, disposed.Pipes.OpenPipes);
    }
}
