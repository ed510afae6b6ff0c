using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.ClientBench;

/// <summary>
/// An emulated network between the clients and the server: round-trip time, bottleneck rate and random loss (the
/// same each way), named <c>wan-RTTms-RATEg</c> (e.g. <c>wan-20ms-1g</c>; a rate in megabits as <c>500m</c>), loss
/// 0.01 % unless <c>--wan-loss</c> says otherwise. The wire (<see cref="WanWire"/>) applies it to every packet.
/// </summary>
internal sealed partial record WanProfile(string Name, int RttMs, long RateBitsPerSecond, double LossPercent, int Mtu)
{
    public const double DefaultLossPercent = 0.01;
    public const int DefaultMtu = 1500;

    /// <summary>The profiles the documentation measures; any name of the same form is accepted.</summary>
    public static readonly IReadOnlyList<string> Known = ["wan-20ms-1g", "wan-80ms-1g", "wan-20ms-10g", "wan-80ms-10g"];

    public double OneWayMs => RttMs / 2.0;

    /// <summary>Bytes in flight that fill the pipe: rate × RTT.</summary>
    public long BdpBytes => RateBitsPerSecond / 8 * RttMs / 1000;

    public static WanProfile Parse(string name, double lossPercent, int mtu)
    {
        var m = ProfileName().Match(name);
        if (!m.Success)
            throw new ArgumentException($"--profile: '{name}' is not of the form wan-RTTms-RATE (RATE like 1g or 500m), e.g. {string.Join(", ", Known)}");
        int rtt = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        long rate = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * (m.Groups[3].Value == "g" ? 1_000_000_000L : 1_000_000L);
        if (rtt < 1 || rtt > 1000 || rate < 1_000_000 || rate > 100_000_000_000L)
            throw new ArgumentException($"--profile: RTT must be 1-1000 ms and the rate 1 Mbit/s-100 Gbit/s ({name})");
        if (lossPercent is < 0 or >= 100) throw new ArgumentException("--wan-loss must be a percentage in [0, 100)");
        if (mtu is < 576 or > 65000) throw new ArgumentException("--wan-mtu must be 576-65000");
        return new WanProfile(name, rtt, rate, lossPercent, mtu);
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: RTT {RttMs} ms ({OneWayMs:0.#} ms each way), {RateBitsPerSecond / 1e9:0.###} Gbit/s each way, {LossPercent:0.####} % random loss each way, MTU {Mtu}, bottleneck buffer {BdpBytes >> 10} KiB (one BDP) each way");

    [GeneratedRegex("^wan-([0-9]+)ms-([0-9]+)([gm])$")]
    private static partial Regex ProfileName();
}
