using System.Collections.Concurrent;
using System.Net;
using Sluice.IO;
using Sluice.Server.Exchange;

namespace Sluice.Server.Http;

/// <summary>
/// The HTTP/1.1 front: listens on the engine (one SO_REUSEPORT listener per reactor) and serves each connection on
/// the reactor that accepted it. <see cref="StopAsync"/> stops accepting, closes idle connections, lets requests in
/// flight finish for a grace period, aborts the rest, and returns once every connection has ended: what the
/// connections use (the store, the engine) can be disposed after it.
/// </summary>
public sealed class HttpServer : IAsyncDisposable
{
    private readonly Listener _listener;
    private readonly ConcurrentDictionary<HttpServerConnection, byte> _connections = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    private HttpServer(IoEngine engine, IPEndPoint endPoint, IExchangeHandler handler, HttpServerOptions options)
    {
        _listener = engine.Listen(endPoint, connection =>
        {
            var c = new HttpServerConnection(engine, connection, handler, options, this);
            _connections.TryAdd(c, 0);
            if (_stopping) c.CloseIfIdle();
            return c.RunAsync();
        }, log: options.ErrorLogger is { } log ? line => ServerErrorLog.AcceptPaused(log, line) : null);
    }

    public static HttpServer Start(IoEngine engine, IPEndPoint endPoint, IExchangeHandler handler, HttpServerOptions? options = null) =>
        new(engine, endPoint, handler, options ?? new HttpServerOptions());

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;
    public int ActiveConnections => _connections.Count;
    internal bool IsStopping => _stopping;

    internal void Forget(HttpServerConnection connection)
    {
        _connections.TryRemove(connection, out _);
        if (_stopping && _connections.IsEmpty) _drained.TrySetResult();
    }

    /// <summary>
    /// Stops accepting, closes idle connections, waits up to <paramref name="grace"/> for the requests in flight, then
    /// aborts the connections still open and waits until every one has ended (its handler returned, its socket closed).
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _stopping = true;
        await _listener.DisposeAsync();
        foreach (var c in _connections.Keys) c.CloseIfIdle();
        if (_connections.IsEmpty) _drained.TrySetResult();
        try
        {
            await _drained.Task.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            // Past the grace period: the sockets are shut down, so every handler's I/O ends and it unwinds.
            foreach (var c in _connections.Keys) c.Abort();
        }
        await _drained.Task;
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5));
}
