using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Server.Access.Policy;

/// <summary>A CIDR block (or one address) of IpAddress/NotIpAddress; IPv4 and IPv6, host bits ignored as IAM does.</summary>
internal readonly struct IpRange
{
    private readonly byte[] _network;

    private IpRange(byte[] network, int prefix)
    {
        _network = network;
        Prefix = prefix;
    }

    public int Prefix { get; }

    public AddressFamily Family => _network.Length == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;

    public static bool TryParse(string text, out IpRange range)
    {
        range = default;
        string address = text.Trim();
        int slash = address.IndexOf('/');
        int prefix = -1;
        if (slash >= 0)
        {
            if (!int.TryParse(address.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix)) return false;
            address = address[..slash];
        }
        if (!IPAddress.TryParse(address, out var ip)) return false;
        byte[] bytes = ip.GetAddressBytes();
        if (prefix < 0) prefix = bytes.Length * 8;
        if (prefix > bytes.Length * 8) return false;
        range = new IpRange(bytes, prefix);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6 && _network.Length == 4) address = address.MapToIPv4();
        byte[] bytes = address.GetAddressBytes();
        if (bytes.Length != _network.Length) return false;
        int bits = Prefix;
        for (int i = 0; i < bytes.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((bytes[i] & mask) != (_network[i] & mask)) return false;
        }
        return true;
    }
}
