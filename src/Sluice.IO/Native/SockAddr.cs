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
    public static EndPoint? Local(int fd) => Query(fd, peer: false);

    private static EndPoint? Query(int fd, bool peer)
    {
        byte* buf = stackalloc byte[128];
        uint len = 128;
        int r = peer ? LibC.GetPeerName(fd, buf, &len) : LibC.GetSockName(fd, buf, &len);
        return r == 0 ? Read(buf, (int)len) : null;
    }
}
