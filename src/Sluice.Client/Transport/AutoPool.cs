using System.Net.Security;

namespace Sluice.Client.Transport;

/// <summary>
/// <see cref="HttpProtocol.Auto"/> for one https host: the first request opens a TLS connection offering h2 and
/// http/1.1 by ALPN; the server's choice decides the host's protocol for the client's life, and the probe
/// connection is not wasted (it becomes the HTTP/2 pool's first connection or an idle HTTP/1.1 one).
/// </summary>
internal sealed class AutoPool : IExchangePool
{
    private readonly HostPool _http1;
    private readonly Http2Pool _http2;
    private readonly S3ClientOptions _options;
    private readonly SemaphoreSlim _choosing = new(1, 1);
    private IExchangePool? _chosen;

    public AutoPool(HostPool http1, Http2Pool http2, S3ClientOptions options)
    {
        _http1 = http1;
        _http2 = http2;
        _options = options;
    }

    /// <summary>The protocol chosen, once a first request made the choice (null before).</summary>
    public HttpProtocol? Chosen => Volatile.Read(ref _chosen) switch
    {
        null => null,
        Http2Pool => HttpProtocol.Http2,
        _ => HttpProtocol.Http11,
    };

    public Http2Pool Http2 => _http2;

    public int ConnectionsOpened => _http1.ConnectionsOpened + _http2.ConnectionsOpened;

    public async ValueTask<IHttpExchange> RentAsync(CancellationToken cancellationToken)
    {
        IExchangePool pool = Volatile.Read(ref _chosen) ?? await ChooseAsync(cancellationToken).ConfigureAwait(false);
        return await pool.RentAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask ReturnAsync(IHttpExchange exchange, bool reuse) =>
        exchange is HttpConnection ? _http1.ReturnAsync(exchange, reuse) : _http2.ReturnAsync(exchange, reuse);

    private async ValueTask<IExchangePool> ChooseAsync(CancellationToken cancellationToken)
    {
        await _choosing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_chosen is { } chosen)
            {
                return chosen;
            }

            // A failed probe (unreachable, TLS refused) decides nothing: the request fails as it would on either
            // protocol, and the next one probes again.
            (Sluice.IO.Connection connection, SslStream tls) = await _http2.ProbeAsync(cancellationToken).ConfigureAwait(false);
            IExchangePool pool;
            if (tls.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2)
            {
                _http2.Adopt(tls);
                pool = _http2;
            }
            else
            {
                _http1.Adopt(new HttpConnection(connection, tls, _options));
                pool = _http1;
            }

            Volatile.Write(ref _chosen, pool);
            return pool;
        }
        finally
        {
            _choosing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _http1.DisposeAsync().ConfigureAwait(false);
        await _http2.DisposeAsync().ConfigureAwait(false);
        _choosing.Dispose();
    }
}
