using System.Collections.Concurrent;
using Sluice.IO.Native;

namespace Sluice.IO.Uring;

/// <summary>
/// Client connections this engine opened to a loopback address, by local port. When the engine's own listener
/// accepts the other end of one, it places it on the client's reactor, so both ends of an in-process pair run on one
/// thread: the bytes a send copies into the socket are still in that core's cache when the receive copies them out,
/// and no wake-up crosses cores. Measured on streams (docs/benchmarks-io.md): a pair on one thread costs about half
/// the CPU per GiB of a pair split over two. Connections from other processes are placed as before.
/// </summary>
internal sealed class LoopbackPairs
{
    /// <summary>
    /// How long an accepted loopback connection waits for its client to be recorded before it is placed as any other.
    /// Reached when the peer is another process that connected while in-process connects kept going (the last one
    /// ending places it at once), or when the client's thread is starved of CPU: 20 ms was passed on a loaded 2-core
    /// machine, leaving an in-process pair split.
    /// </summary>
    private static readonly TimeSpan ParkLimit = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<int, UringReactor> _clients = new();
    private readonly ConcurrentDictionary<int, Parked> _parked = new();
    private int _count, _connecting;

    /// <summary>An accepted socket waiting for its in-process client's port, and who dispatches it.</summary>
    internal readonly record struct Parked(int Fd, Action<int, UringReactor?> Dispatch);

    /// <summary>
    /// True when no in-process loopback client is open or connecting: accepts then skip the lookup (and its
    /// getpeername).
    /// </summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0 && Volatile.Read(ref _connecting) == 0;

    /// <summary>Connected ends placed on their client's reactor (tests read it).</summary>
    internal long Paired;

    /// <summary>An in-process connect to a loopback address is starting.</summary>
    public void BeginConnect() => Interlocked.Increment(ref _connecting);

    /// <summary>
    /// The connect has ended (recorded with <see cref="Join"/>, or failed). With none left under way, sockets still
    /// parked cannot belong to one of ours: they are placed as any other.
    /// </summary>
    public void EndConnect()
    {
        if (Interlocked.Decrement(ref _connecting) > 0) return;
        foreach (var port in _parked.Keys)
            if (_parked.TryRemove(port, out var p)) p.Dispatch(p.Fd, null);
    }

    /// <summary>
    /// Records a connected client socket (its peer is a loopback address); returns the key, or -1. An accepted end
    /// that arrived first and is parked goes to this client's reactor now.
    /// </summary>
    public int Join(int fd, UringReactor reactor)
    {
        int port = SockAddr.LoopbackPort(fd, peer: false);
        if (port < 0 || !_clients.TryAdd(port, reactor)) return -1;
        Interlocked.Increment(ref _count);
        if (_parked.TryRemove(port, out var p))
        {
            Interlocked.Increment(ref Paired);
            p.Dispatch(p.Fd, reactor);
        }
        return port;
    }

    public void Remove(int port)
    {
        if (port >= 0 && _clients.TryRemove(port, out _)) Interlocked.Decrement(ref _count);
    }

    /// <summary>
    /// Where an accepted socket goes: its in-process client's reactor (returned), or nowhere yet: null with
    /// <paramref name="parked"/> true when the client's connect has not been recorded yet (the accept completed on
    /// the listener's ring first); <paramref name="dispatch"/> is then called once with the fd and the reactor (or
    /// null: place it as any other). Null and not parked: the peer is not ours.
    /// </summary>
    public UringReactor? Find(int acceptedFd, Action<int, UringReactor?> dispatch, out bool parked)
    {
        parked = false;
        int port = SockAddr.LoopbackPort(acceptedFd, peer: true);
        if (port < 0) return null;
        if (Lookup(port) is { } found) return found;
        if (Volatile.Read(ref _connecting) == 0 || !_parked.TryAdd(port, new Parked(acceptedFd, dispatch))) return null;
        // The client may have been recorded between the lookup and parking: take the socket back if it is still here.
        if (Lookup(port) is { } late && _parked.TryRemove(port, out _)) return late;
        parked = true;
        _ = Unpark(port);
        return null;
    }

    private UringReactor? Lookup(int port)
    {
        if (!_clients.TryGetValue(port, out var reactor) || reactor.IsStopping) return null;
        Interlocked.Increment(ref Paired);
        return reactor;
    }

    /// <summary>A parked socket whose client never shows up (another process's) is placed after a short wait.</summary>
    private async Task Unpark(int port)
    {
        await Task.Delay(ParkLimit).ConfigureAwait(false);
        if (_parked.TryRemove(port, out var p)) p.Dispatch(p.Fd, null);
    }
}
