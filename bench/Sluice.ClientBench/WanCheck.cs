using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Sluice.ClientBench;

/// <summary>
/// `wan-check [PROFILE]`: the WAN harness checks itself without a benchmark. It brings the profile's network up, runs
/// an echo server inside the namespace, and checks what must hold whatever the machine's load: a TCP connect through
/// the wire takes at least one RTT (the wire delays every packet by half of it each way), 4 MiB sent come back
/// byte-for-byte, and after dispose the namespace is gone. Exit 0 when all hold, 1 otherwise.
/// </summary>
internal static class WanCheck
{
    public const string Command = "wan-check";
    private const int Port = 5001, Bytes = 4 << 20;

    public static int Run(string[] args)
    {
        var profile = WanProfile.Parse(args.Length > 0 ? args[0] : "wan-20ms-1g", lossPercent: 0, WanProfile.DefaultMtu);
        Children.InstallCleanup();
        var layout = Layout.Find();
        string ns;
        double connectMs;
        using (var net = WanNetwork.Create(layout, profile))
        {
            ns = net.Namespace;
            var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (string a in net.Exec.Skip(1)) psi.ArgumentList.Add(a);
            psi.FileName = net.Exec[0];
            psi.ArgumentList.Add("/usr/bin/python3");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"""
                import socket
                s = socket.socket(); s.bind(("{net.ServerAddress}", {Port})); s.listen(1); print("listening", flush=True)
                c, _ = s.accept()
                while True:
                    d = c.recv(65536)
                    if not d: break
                    c.sendall(d)
                c.close()
                """));
            using var echo = Process.Start(psi) ?? throw new InvalidOperationException("could not start the echo server");
            Children.Add(echo);
            try
            {
                if (echo.StandardOutput.ReadLine() != "listening") throw new InvalidOperationException("the echo server did not start");
                using var tcp = new TcpClient();
                var clock = Stopwatch.StartNew();
                tcp.Connect(net.ServerAddress, Port);
                connectMs = clock.Elapsed.TotalMilliseconds;
                byte[] sent = RandomNumberGenerator.GetBytes(Bytes), received = new byte[Bytes];
                var stream = tcp.GetStream();
                var writer = Task.Run(() =>
                {
                    stream.Write(sent);
                    tcp.Client.Shutdown(SocketShutdown.Send);
                });
                stream.ReadExactly(received);
                writer.GetAwaiter().GetResult();
                if (!sent.AsSpan().SequenceEqual(received)) throw new InvalidOperationException("the echoed bytes differ from those sent");
            }
            finally
            {
                Children.Kill(echo);
            }
            Console.WriteLine($"wan-check: {profile.Describe()}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wan-check: TCP connect {connectMs:F1} ms (at least the RTT, {profile.RttMs} ms); {Bytes >> 20} MiB echoed intact"));
        }
        bool left = Children.Run(new ProcessStartInfo("/usr/sbin/ip") { ArgumentList = { "netns", "list" } }, TimeSpan.FromSeconds(30), "ip netns list")
            .StdOut.Split('\n').Any(l => l.Split(' ')[0] == ns);
        if (connectMs < profile.RttMs) throw new InvalidOperationException($"TCP connect took {connectMs:F1} ms, less than the profile's RTT: the wire does not delay");
        if (left) throw new InvalidOperationException($"the namespace {ns} is still there after dispose");
        Console.WriteLine($"wan-check: namespace {ns} removed; ok");
        return 0;
    }
}
