using System.Globalization;

namespace Sluice.ClientBench;

/// <summary>
/// `wan-wire A B PROFILE LOSS MTU`: the child process that is the emulated network. It creates the TUN devices A
/// (stays in the root namespace, the clients' side) and B (the harness moves it into the server's namespace), prints
/// "ready", forwards packets both ways through a <see cref="WanLink"/> each, and exits when its standard input closes
/// (the harness closes it, or dies), printing one "@wire" line of counters. The devices vanish with the process.
/// </summary>
internal static class WanWire
{
    public const string Command = "wan-wire";

    public static int Run(string[] args)
    {
        if (args.Length != 5) throw new ArgumentException("usage: wan-wire DEV_A DEV_B PROFILE LOSS_PERCENT MTU");
        var profile = WanProfile.Parse(args[2], double.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
        int a = WanNative.OpenTun(args[0]), b = WanNative.OpenTun(args[1]);
        using var aToB = new WanLink(a, b, profile, (ulong)System.Environment.TickCount64 * 2654435761UL);
        using var bToA = new WanLink(b, a, profile, ((ulong)System.Environment.TickCount64 * 40503UL) + 17);
        using var stop = new CancellationTokenSource();
        var threads = new[] { new Thread(() => aToB.Run(stop.Token)), new Thread(() => bToA.Run(stop.Token)) };
        foreach (var t in threads)
        {
            t.IsBackground = true;
            t.Priority = ThreadPriority.AboveNormal;
            t.Start();
        }
        Console.WriteLine("ready");
        Console.Out.Flush();
        while (Console.In.ReadLine() != null)
        {
            // nothing is sent on stdin; it only tells the wire its parent is alive
        }
        stop.Cancel();
        foreach (var t in threads) t.Join();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"@wire to_server_packets={aToB.Forwarded} to_server_lost={aToB.Lost} to_server_queue_drops={aToB.QueueDrops} to_server_bytes={aToB.Bytes} " +
            $"to_client_packets={bToA.Forwarded} to_client_lost={bToA.Lost} to_client_queue_drops={bToA.QueueDrops} to_client_bytes={bToA.Bytes} slot_drops={aToB.SlotDrops + bToA.SlotDrops}"));
        _ = WanNative.Close(a);
        _ = WanNative.Close(b);
        return 0;
    }
}
