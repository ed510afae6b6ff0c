using System.Net;
using System.Net.Sockets;

namespace Sluice.IO.Native;

/// <summary>Converts between endpoints and the kernel's sockaddr bytes.</summary>
internal static unsafe class SockAddr
{
    /// <summary>Writes the sockaddr for an endpoint; returns its length.</summary>
    public static int Write(EndPoint endPoint, byte* destination, int capacity)
    {
        SocketAddress sa = endPoint.Serialize();
        if (sa.Size > capacity) throw new ArgumentException("address too long", nameof(endPoint));
        sa.Buffer.Span[..sa.Size].CopyTo(new Span<byte>(destination, capacity));
        return sa.Size;
    }

    public static EndPoint? Read(byte* source, int length)
    {
        if (length < 2) return null;
        var family = (AddressFamily)(*(ushort*)source switch { 2 => (int)AddressFamily.InterNetwork, 10 => (int)AddressFamily.InterNetworkV6, _ => -1 });
        if ((int)family == -1) return null;
        var sa = new SocketAddress(family, length);
        new ReadOnlySpan<byte>(source, length).CopyTo(sa.Buffer.Span);
        return new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0).Create(sa);
    }

    public static EndPoint? Peer(int fd) => Query(fd, peer: true);

    /// <summary>True when the socket's peer is a loopback address (127/8, ::1, or ::ffff:127/104); no allocation.</summary>
    public static bool PeerIsLoopback(int fd)
    {
        byte* buf = stackalloc byte[128];
        uint len = 128;
        if (LibC.GetPeerName(fd, buf, &len) != 0 || len < 8) return false;
        ushort family = *(ushort*)buf;
        if (family == 2) return buf[4] == 127; // sockaddr_in: family, port, then the address
        if (family != 10 || len < 24) return false;
        byte* a = buf + 8; // sockaddr_in6: family, port, flowinfo, then the address
        bool v4Mapped = true, zeros = true;
        for (int i = 0; i < 10; i++) v4Mapped &= a[i] == 0;
        v4Mapped &= a[10] == 0xff && a[11] == 0xff && a[12] == 127;
        for (int i = 0; i < 15; i++) zeros &= a[i] == 0;
        return v4Mapped || (zeros && a[15] == 1);
    }
    public static EndPoint? Local(int fd) => Query(fd, peer: false);

    /// <summary>
    /// The port of a socket's local or peer address when that address is a loopback one (127/8, ::1, or
    /// ::ffff:127/104), else -1. No allocation: placement decisions call it per connection.
    /// </summary>
    public static int LoopbackPort(int fd, bool peer)
    {
        byte* buf = stackalloc byte[128];
        uint len = 128;
        int r = peer ? LibC.GetPeerName(fd, buf, &len) : LibC.GetSockName(fd, buf, &len);
        if (r != 0 || len < 8) return -1;
        int port = (buf[2] << 8) | buf[3];
        ushort family = *(ushort*)buf;
        if (family == 2) return buf[4] == 127 ? port : -1;                   // sockaddr_in: sin_addr at 4
        if (family != 10 || len < 24) return -1;                             // sockaddr_in6: sin6_addr at 8
        var addr = new ReadOnlySpan<byte>(buf + 8, 16);
        bool v6Loopback = addr[..15].IndexOfAnyExcept((byte)0) < 0 && addr[15] == 1;
        bool mapped = addr[..10].IndexOfAnyExcept((byte)0) < 0 && addr[10] == 0xff && addr[11] == 0xff && addr[12] == 127;
        return v6Loopback || mapped ? port : -1;
    }

    private static EndPoint? Query(int fd, bool peer)
    {
        byte* buf = stackalloc byte[128];
        uint len = 128;
        int r = peer ? LibC.GetPeerName(fd, buf, &len) : LibC.GetSockName(fd, buf, &len);
        return r == 0 ? Read(buf, (int)len) : null;
    }
}
