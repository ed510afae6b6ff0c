using System.Collections.Concurrent;
using System.Net;
using Sluice.IO;

namespace Sluice.Server.Http;

/// <summary>
/// The HTTP/1.1 front: listens on the engine (one SO_REUSEPORT listener per reactor) and serves each connection on
/// the reactor that accepted it. <see cref="StopAsync"/> stops accepting, closes idle connections and lets requests
/// in flight finish.
/// </summary>
public sealed class HttpServer : IAsyncDisposable
{
    private readonly Listener _listener;
    private readonly ConcurrentDictionary<HttpServerConnection, byte> _connections = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    private HttpServer(IoEngine engine, IPEndPoint endPoint, IHttpHandler handler, HttpServerOptions options)
    {
        _listener = engine.Listen(endPoint, connection =>
        {
            var c = new HttpServerConnection(connection, handler, options, this);
            _connections.TryAdd(c, 0);
            if (_stopping) c.CloseIfIdle();
            return c.RunAsync();
        }, log: options.ErrorLog is { } log ? line => { lock (log) log.WriteLine(line); } : null);
    }

    public static HttpServer Start(IoEngine engine, IPEndPoint endPoint, IHttpHandler handler, HttpServerOptions? options = null) =>
        new(engine, endPoint, handler, options ?? new HttpServerOptions());

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;
    public int ActiveConnections => _connections.Count;
    internal bool IsStopping => _stopping;

    internal void Forget(HttpServerConnection connection)
    {
        _connections.TryRemove(connection, out _);
        if (_stopping && _connections.IsEmpty) _drained.TrySetResult();
    }

    /// <summary>Stops accepting, closes idle connections, and waits up to <paramref name="grace"/> for the rest.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _stopping = true;
        await _listener.DisposeAsync();
        foreach (var c in _connections.Keys) c.CloseIfIdle();
        if (_connections.IsEmpty) _drained.TrySetResult();
        await Task.WhenAny(_drained.Task, Task.Delay(grace));
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5));
}
