using System.Buffers.Binary;
using System.Net.Sockets;
using Sluice.IO.Shm;
using Sluice.S3.Placement;

namespace Sluice.Client.Placement;

/// <summary>
/// The client side of the shared-memory placement provider: one memfd-backed region, registered once with the
/// server over its Unix socket (the descriptor passed with SCM_RIGHTS), and the region id and secret the server
/// answered, from which tokens are made. The socket stays open for the region's life: closing it (or the process
/// ending) unregisters the region. Buffers are carved from the region first-fit.
/// </summary>
public sealed class ShmPlacementClient : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "SLSHM1\0\0"u8;

    private readonly SharedMemoryRegion _region;
    private readonly Socket _socket;
    private readonly Guid _id;
    private readonly byte[] _secret;
    private readonly Lock _lock = new();
    private readonly List<(long Offset, long Length)> _free;

    private ShmPlacementClient(SharedMemoryRegion region, Socket socket, Guid id, byte[] secret)
    {
        _region = region;
        _socket = socket;
        _id = id;
        _secret = secret;
        _free = [(0, region.Length)];
    }

    /// <summary>The region's size.</summary>
    public long Length => _region.Length;

    /// <summary>
    /// Creates a region of <paramref name="length"/> bytes and registers it on <paramref name="socketPath"/>. Throws
    /// <see cref="SocketException"/> when no server listens there and <see cref="IOException"/> when it refuses.
    /// </summary>
    public static async Task<ShmPlacementClient> RegisterAsync(string socketPath, long length, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        var region = SharedMemoryRegion.Create(length);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            byte[] request = new byte[16];
            Magic.CopyTo(request);
            BinaryPrimitives.WriteInt64LittleEndian(request.AsSpan(8), length);
            DescriptorPassing.Send(socket, request, region.FileDescriptor);
            byte[] reply = new byte[1 + ShmToken.RegionIdBytes + ShmToken.SecretBytes];
            int got = 0;
            while (got < reply.Length)
            {
                int n = await socket.ReceiveAsync(reply.AsMemory(got), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new IOException("the placement server closed the socket before answering");
                got += n;
            }
            if (reply[0] != 0)
                throw new IOException(reply[0] == 1 ? "the placement server refused this process (another user)" : "the placement server refused the region");
            var id = new Guid(reply.AsSpan(1, ShmToken.RegionIdBytes), bigEndian: true);
            byte[] secret = reply.AsSpan(1 + ShmToken.RegionIdBytes).ToArray();
            return new ShmPlacementClient(region, socket, id, secret);
        }
        catch
        {
            socket.Dispose();
            region.Release();
            throw;
        }
    }

    /// <summary>The token naming bytes [offset, offset + length) of the region.</summary>
    public string Token(long offset, long length) => new ShmToken(_id, offset, length, _secret).ToString();

    /// <summary>Carves <paramref name="length"/> bytes (rounded up to 4 KiB) out of the region; false when it has no such room.</summary>
    public bool TryRent(int length, out PlacementBuffer? buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long size = Math.Max(4096, (length + 4095L) & ~4095L);
        lock (_lock)
        {
            for (int i = 0; i < _free.Count; i++)
            {
                var (offset, free) = _free[i];
                if (free < size) continue;
                if (free == size) _free.RemoveAt(i);
                else _free[i] = (offset + size, free - size);
                buffer = new PlacementBuffer(this, _region.Slice(offset, length), offset, size);
                return true;
            }
        }
        buffer = null;
        return false;
    }

    internal void Return(long offset, long size)
    {
        lock (_lock)
        {
            int i = 0;
            while (i < _free.Count && _free[i].Offset < offset) i++;
            _free.Insert(i, (offset, size));
            // Merge with the neighbours so large buffers can be carved again.
            if (i + 1 < _free.Count && _free[i].Offset + _free[i].Length == _free[i + 1].Offset)
            {
                _free[i] = (_free[i].Offset, _free[i].Length + _free[i + 1].Length);
                _free.RemoveAt(i + 1);
            }
            if (i > 0 && _free[i - 1].Offset + _free[i - 1].Length == _free[i].Offset)
            {
                _free[i - 1] = (_free[i - 1].Offset, _free[i - 1].Length + _free[i].Length);
                _free.RemoveAt(i);
            }
        }
    }

    /// <summary>Unregisters the region (the server drops it once transfers in flight end) and unmaps it.</summary>
    public void Dispose()
    {
        _socket.Dispose();
        _region.Release();
    }
}
