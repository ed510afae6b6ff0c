using System.Diagnostics;
using System.Globalization;

namespace Sluice.ClientBench;

/// <summary>
/// The server's side of a WAN profile: a network namespace of its own (<c>sluice-wan-PID</c>), joined to the root
/// namespace by a pair of TUN devices with the <see cref="WanWire"/> between them, on a private /30 (10.250.x.y) that
/// only these two devices use: the clients reach the server at the namespace's address and nothing is routed anywhere
/// else. Everything is removed on dispose, on SIGINT/SIGTERM (through <see cref="Children"/>), and namespaces left by
/// a harness that was killed outright are removed at the next start (their PID is gone). Needs root.
/// </summary>
internal sealed class WanNetwork : IDisposable
{
    private const string Prefix = "sluice-wan-";
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(30);

    private readonly Process _wire;
    private bool _disposed;

    private WanNetwork(string ns, string serverAddress, string clientAddress, Process wire, WanProfile profile)
    {
        Namespace = ns;
        ServerAddress = serverAddress;
        ClientAddress = clientAddress;
        _wire = wire;
        Profile = profile;
    }

    public string Namespace { get; }
    public string ServerAddress { get; }
    public string ClientAddress { get; }
    public WanProfile Profile { get; }

    /// <summary>The wire's counters, once disposed.</summary>
    public string? WireCounters { get; private set; }

    /// <summary>The command prefix that runs a program inside the server's namespace.</summary>
    public string[] Exec => ["/usr/sbin/ip", "netns", "exec", Namespace];

    public static bool Available() => File.Exists("/usr/sbin/ip") && File.Exists("/dev/net/tun") && System.Environment.UserName == "root";

    public static WanNetwork Create(Layout layout, WanProfile profile)
    {
        if (!Available()) throw new InvalidOperationException("a WAN profile needs root, /usr/sbin/ip and /dev/net/tun");
        RemoveStale();
        int pid = System.Environment.ProcessId;
        string ns = Prefix + pid.ToString(CultureInfo.InvariantCulture);
        string devA = Str($"swa{pid}"), devB = Str($"swb{pid}");
        // A /30 of 10.250.0.0/16 from the PID: .1 the clients' end, .2 the server's.
        int block = pid % 16384;
        string client = Str($"10.250.{block / 64}.{(block % 64 * 4) + 1}"), server = Str($"10.250.{block / 64}.{(block % 64 * 4) + 2}");
        string addresses = Ip(["-4", "-o", "addr", "show"]);
        if (addresses.Contains(" " + client + "/", StringComparison.Ordinal) || addresses.Contains(" " + server + "/", StringComparison.Ordinal)
            || addresses.Contains(" " + client + " ", StringComparison.Ordinal))
            throw new InvalidOperationException($"{client} or {server} is already in use on this machine");

        Ip(["netns", "add", ns]);
        Process? wire = null;
        var network = default(WanNetwork);
        try
        {
            // The wire is the network, not a client: at nice -15 it keeps forwarding at the profile's rate while builds
            // and the clients load the machine (it sleeps in ppoll between packets, so it takes only what the rate needs).
            var psi = new ProcessStartInfo("/usr/bin/nice") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
            foreach (string a in new[] { "-n", "-15" }.Concat(layout.SelfCommand).Concat([WanWire.Command, devA, devB, profile.Name,
                profile.LossPercent.ToString(CultureInfo.InvariantCulture), profile.Mtu.ToString(CultureInfo.InvariantCulture)]))
                psi.ArgumentList.Add(a);
            ChildEnvironment.Isolate(psi, null);
            wire = Process.Start(psi) ?? throw new InvalidOperationException("could not start the wire");
            Children.Add(wire);
            string? line = wire.StandardOutput.ReadLine();
            if (line != "ready") throw new InvalidOperationException($"the wire did not start: {line ?? "(exited)"}");
            network = new WanNetwork(ns, server, client, wire, profile);
            Children.OnCleanup(network.Dispose);
            string mtu = profile.Mtu.ToString(CultureInfo.InvariantCulture);
            Ip(["link", "set", "dev", devB, "netns", ns]);
            Ip(["addr", "add", client, "peer", server, "dev", devA]);
            Ip(["link", "set", "dev", devA, "mtu", mtu, "up"]);
            Ip(["-n", ns, "addr", "add", server, "peer", client, "dev", devB]);
            Ip(["-n", ns, "link", "set", "dev", devB, "mtu", mtu, "up"]);
            Ip(["-n", ns, "link", "set", "dev", "lo", "up"]);
            Orchestrator.Progress($"WAN {profile.Describe()}; server namespace {ns} at {server}, clients at {client}");
            return network;
        }
        catch
        {
            if (network != null) network.Dispose();
            else
            {
                if (wire != null) Children.Kill(wire);
                TryIp(["netns", "del", ns]);
            }
            throw;
        }
    }

    public void Dispose()
    {
        lock (_wire)
        {
            if (_disposed) return;
            _disposed = true;
        }
        string output = "";
        try
        {
            _wire.StandardInput.Close(); // the wire's signal to stop and print its counters
            var read = _wire.StandardOutput.ReadToEndAsync();
            if (read.Wait(TimeSpan.FromSeconds(10))) output = read.Result;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or AggregateException)
        {
            // already gone (killed by a signal's cleanup first)
        }
        WireCounters = output.Split('\n').FirstOrDefault(l => l.StartsWith("@wire ", StringComparison.Ordinal))?[6..].Trim();
        Children.Kill(_wire);
        TryIp(["netns", "del", Namespace]);
    }

    /// <summary>Namespaces this harness made whose process is gone (it was killed before it could clean up).</summary>
    private static void RemoveStale()
    {
        foreach (string line in Ip(["netns", "list"]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = line.Split(' ')[0];
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !int.TryParse(name.AsSpan(Prefix.Length), out int pid)) continue;
            if (Directory.Exists(Str($"/proc/{pid}"))) continue;
            Orchestrator.Progress($"removing the stale namespace {name}");
            TryIp(["netns", "del", name]);
        }
    }

    private static string Ip(string[] args)
    {
        var psi = new ProcessStartInfo("/usr/sbin/ip");
        foreach (string a in args) psi.ArgumentList.Add(a);
        var (code, stdout, stderr) = Children.Run(psi, CommandLimit, "ip " + string.Join(' ', args));
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {stderr.Trim()}");
        return stdout;
    }

    private static void TryIp(string[] args)
    {
        try
        {
            Ip(args);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            Orchestrator.Progress("cleanup: " + e.Message);
        }
    }

    private static string Str(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
