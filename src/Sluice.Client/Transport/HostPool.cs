using System.Collections.Concurrent;
using System.Net.Security;
using Sluice.IO;

namespace Sluice.Client.Transport;

/// <summary>
/// Keep-alive connections to one host:port. Idle connections are reused most-recently-used first (warm TCP windows),
/// and expire after <see cref="S3ClientOptions.IdleTimeout"/>. New connections are opened through the engine, which
/// spreads them over its reactors in turn. A semaphore caps the connections in use.
/// </summary>
internal sealed class HostPool : IExchangePool
{
    private readonly IoEngine _engine;
    private readonly S3ClientOptions _options;
    private readonly TlsSettings? _tls;
    private readonly ConcurrentStack<HttpConnection> _idle = new();
    private readonly SemaphoreSlim _slots;
    private readonly HostEndpoint _endpoint;

    public HostPool(IoEngine engine, S3ClientOptions options, string host, int port, TlsSettings? tls)
    {
        _engine = engine;
        _options = options;
        _endpoint = new HostEndpoint(engine, options, host, port);
        _tls = tls;
        _slots = new SemaphoreSlim(options.MaxConnectionsPerHost, options.MaxConnectionsPerHost);
    }

    /// <summary>Connections opened over the pool's life (tests and diagnostics).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _endpoint.Opened);

    public async ValueTask<IHttpExchange> RentAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long now = Environment.TickCount64;
            long idleLimit = (long)_options.IdleTimeout.TotalMilliseconds;
            while (_idle.TryPop(out HttpConnection? idle))
            {
                if (now - idle.IdleSince < idleLimit)
                {
                    return idle;
                }

                await idle.DisposeAsync().ConfigureAwait(false);
            }

            return await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Gives a connection back: pooled when its last response left it clean, closed otherwise.</summary>
    public async ValueTask ReturnAsync(IHttpExchange exchange, bool reuse)
    {
        var connection = (HttpConnection)exchange;
        try
        {
            if (reuse && connection.Reusable)
            {
                connection.Uses++;
                connection.IdleSince = Environment.TickCount64;
                _idle.Push(connection);
            }
            else
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Takes in a connection opened elsewhere (the HTTP/1.1 answer to an ALPN probe) as an idle one.</summary>
    public void Adopt(HttpConnection connection)
    {
        connection.IdleSince = Environment.TickCount64;
        _idle.Push(connection);
    }

    private async ValueTask<HttpConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        Connection connection = await _endpoint.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (_tls is null)
        {
            return new HttpConnection(connection, null, _options);
        }

        SslStream ssl = await _tls.AuthenticateAsync(connection.AsStream(), _endpoint.Host, _endpoint.Port, null, _options.ConnectTimeout,
            cancellationToken).ConfigureAwait(false);
        return new HttpConnection(connection, ssl, _options);
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryPop(out HttpConnection? c))
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }

        _slots.Dispose();
    }
}
