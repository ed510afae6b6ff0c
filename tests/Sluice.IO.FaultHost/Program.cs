using System.Net;
using System.Runtime.InteropServices;

namespace Sluice.IO.FaultHost;

/// <summary>
/// `Sluice.IO.FaultHost emfile uring|managed`: lowers RLIMIT_NOFILE so connecting has no descriptor, prints
/// what the engine reported, restores the limit and shows the engine still works. Exit code 0 means every step
/// behaved; the test checks the printed lines.
/// </summary>
public static partial class Program
{
    private const int RlimitNoFile = 7;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 2 || args[0] != "emfile") { Console.Error.WriteLine("usage: emfile uring|managed"); return 2; }
        await using var engine = IoEngine.Create(new IoEngineOptions { Mode = args[1], ReactorCount = 2 });
        await using var listener = engine.Listen(new IPEndPoint(IPAddress.Loopback, 0), async c =>
        {
            await using var _ = c;
            await c.ReceiveAsync(new byte[1]);
        });
        // Connections held open while descriptors run out, released afterwards.
        var held = new List<Connection>();
        for (int i = 0; i < 16; i++)
        {
            var c = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(5));
            await c.SendAsync("w"u8.ToArray());
            held.Add(c);
        }
        await Task.Run(() => { }); // the thread pool and its gate thread are running before the window
        // The window with no descriptor to be had must hold nothing but the failing call: the runtime itself needs
        // descriptors now and then (a thread it starts, the console's first write) and aborts ("Out of memory.") when
        // it gets none. So the limit drops to 0 for one synchronous socket() rather than connections using it up.
        string outcome;
        Check(getrlimit(RlimitNoFile, out var limit));
        var none = new RLimit { Current = 0, Max = limit.Max };
        Check(setrlimit(RlimitNoFile, in none));
        ValueTask<Connection> connecting;
        try
        {
            connecting = engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(5));
        }
        catch (IoException e)
        {
            connecting = ValueTask.FromException<Connection>(e);
        }
        finally
        {
            Check(setrlimit(RlimitNoFile, in limit));
        }
        try
        {
            held.Add(await connecting);
            outcome = "no error";
        }
        catch (IoException e)
        {
            outcome = $"error errno={e.Errno} operation={e.Operation} type={e.GetType().Name}";
        }
        Console.WriteLine(outcome);
        foreach (var c in held) await c.DisposeAsync();
        await using var again = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(5));
        await again.SendAsync("x"u8.ToArray());
        Console.WriteLine("recovered");
        return 0;
    }

    private static void Check(int result)
    {
        if (result != 0) throw new InvalidOperationException($"rlimit call failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);
}
