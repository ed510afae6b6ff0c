using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sluice.IO.Shm;
using Sluice.S3.Placement;

namespace Sluice.Server.Placement;

/// <summary>
/// The same-host shared-memory placement provider. A client registers a memfd-backed region once: it connects to
/// the provider's Unix socket and passes the descriptor (SCM_RIGHTS) with the region's size; the server checks the
/// peer's credentials (SO_PEERCRED: the server's own user, or root), maps the file — only if it is sealed against
/// shrinking — and answers a fresh region id and a 32-byte secret. Tokens (<see cref="ShmToken"/>) name the region, a
/// window in it and the secret, so a token can only reach memory its own client registered. The region lives while
/// the registering socket stays open. GETs then read object files straight into the client's pages; PUTs write
/// from them.
/// </summary>
public sealed partial class ShmPlacementProvider : IPlacementProvider
{
    /// <summary>Registration request: magic and the region's size (little-endian), with the memfd attached.</summary>
    private static ReadOnlySpan<byte> Magic => "SLSHM1\0\0"u8;

    public const int RequestBytes = 16;

    /// <summary>Reply: a status byte (0: registered), the region id and the secret.</summary>
    public const int ReplyBytes = 1 + ShmToken.RegionIdBytes + ShmToken.SecretBytes;

    /// <summary>Reply status bytes.</summary>
    public const byte Registered = 0, RefusedPeer = 1, RefusedRegion = 2;

    private readonly ConcurrentDictionary<Guid, ShmServerRegion> _regions = new();
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger? _log;
    private readonly uint _uid = DescriptorPassing.EffectiveUserId;
    private readonly Task _accepting;

    private ShmPlacementProvider(Socket listener, string socketPath, ILogger? log)
    {
        _listener = listener;
        SocketPath = socketPath;
        _log = log;
        _accepting = AcceptLoopAsync();
    }

    public string Name => "shm";

    /// <summary>The Unix socket clients register their regions on.</summary>
    public string SocketPath { get; }

    /// <summary>Regions registered now.</summary>
    public int RegionCount => _regions.Count;

    /// <summary>Largest region a client may register (the server maps it whole).</summary>
    public static long MaxRegionBytes => 64L << 30;

    /// <summary>
    /// Listens on <paramref name="socketPath"/>; a file already there (the socket of a server that died) is replaced.
    /// </summary>
    public static ShmPlacementProvider Start(string socketPath, ILogger? log = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        if (Directory.Exists(socketPath)) throw new IOException($"{socketPath} is a directory");
        if (File.Exists(socketPath)) File.Delete(socketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            // Only the server's user may connect at all; SO_PEERCRED is checked again per connection.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(64);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new ShmPlacementProvider(listener, socketPath, log);
    }

    public bool Serves(PlacementTokenKind kind) => kind == PlacementTokenKind.SharedMemory;

    public bool Validate(ReadOnlySpan<byte> token) =>
        ShmToken.TryParse(token, out var parsed) && _regions.TryGetValue(parsed.Region, out var region) && Fits(parsed, region);

    public bool TryAcquire(ReadOnlySpan<byte> token, out PlacementWindow window)
    {
        window = default;
        if (!ShmToken.TryParse(token, out var parsed) || !_regions.TryGetValue(parsed.Region, out var region)
            || !Fits(parsed, region) || !region.TryAddReference()) return false;
        window = new PlacementWindow(region, parsed.Offset, parsed.Length);
        return true;
    }

    private static bool Fits(in ShmToken token, ShmServerRegion region) =>
        token.SecretEquals(region.Secret) && token.Offset <= region.Length - token.Length;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                if (_log != null) AcceptFailed(_log, e);
                continue;
            }
            _ = ServeClientAsync(client);
        }
    }

    /// <summary>One client's registration, then its region's lifetime: until the socket closes.</summary>
    private async Task ServeClientAsync(Socket client)
    {
        ShmServerRegion? region = null;
        try
        {
            var (_, uid, _) = DescriptorPassing.PeerCredentials(client);
            if (uid != _uid && uid != 0)
            {
                await ReplyAsync(client, RefusedPeer).ConfigureAwait(false);
                return;
            }
            byte[] request = new byte[RequestBytes];
            int fd = -1, got = 0;
            while (got < RequestBytes)
            {
                await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, _stop.Token).ConfigureAwait(false); // readable
                int n = DescriptorPassing.TryReceive(client, request.AsSpan(got), out int received);
                if (received >= 0)
                {
                    if (fd >= 0) DescriptorPassing.CloseDescriptor(received); // one descriptor per registration
                    else fd = received;
                }
                if (n == 0)
                {
                    DescriptorPassing.CloseDescriptor(fd);
                    return;
                }
                if (n > 0) got += n;
            }
            long size = BinaryPrimitives.ReadInt64LittleEndian(request.AsSpan(8));
            if (fd < 0 || !request.AsSpan(0, 8).SequenceEqual(Magic) || size <= 0 || size > MaxRegionBytes)
            {
                DescriptorPassing.CloseDescriptor(fd);
                await ReplyAsync(client, RefusedRegion).ConfigureAwait(false);
                return;
            }
            SharedMemoryRegion map;
            try
            {
                map = SharedMemoryRegion.MapReceived(fd, size);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                if (_log != null) RegionRefused(_log, e.Message);
                await ReplyAsync(client, RefusedRegion).ConfigureAwait(false);
                return;
            }
            byte[] secret = RandomNumberGenerator.GetBytes(ShmToken.SecretBytes);
            var id = new Guid(RandomNumberGenerator.GetBytes(16), bigEndian: true);
            region = new ShmServerRegion(id, map, secret, uid);
            _regions[id] = region;
            byte[] reply = new byte[ReplyBytes];
            reply[0] = Registered;
            id.TryWriteBytes(reply.AsSpan(1), bigEndian: true, out _);
            secret.CopyTo(reply.AsSpan(1 + ShmToken.RegionIdBytes));
            await client.SendAsync(reply, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            // The region lives until the client closes the socket (or dies: the kernel closes it).
            byte[] drain = new byte[64];
            while (await client.ReceiveAsync(drain, SocketFlags.None, _stop.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // A client that went away: its region ends below.
        }
        finally
        {
            // Whoever removes it from the registry drops the registry's reference (shutdown may have, first).
            if (region != null && _regions.TryRemove(region.Id, out _)) region.Release();
            client.Dispose();
        }
    }

    private async Task ReplyAsync(Socket client, byte status)
    {
        byte[] reply = new byte[ReplyBytes];
        reply[0] = status;
        await client.SendAsync(reply, SocketFlags.None, _stop.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var region in _regions.Values)
            if (_regions.TryRemove(region.Id, out _)) region.Release();
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "placement socket accept failed")]
    private static partial void AcceptFailed(ILogger log, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "placement region refused: {Reason}")]
    private static partial void RegionRefused(ILogger log, string reason);
}
