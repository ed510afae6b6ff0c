namespace Sluice.Client.Transport;

/// <summary>
/// Where a request attempt gets its <see cref="IHttpExchange"/>: a <see cref="HostPool"/> of HTTP/1.1 keep-alive
/// connections, an <see cref="Http2Pool"/> of HTTP/2 streams, or an <see cref="AutoPool"/> choosing between them.
/// </summary>
internal interface IExchangePool : IAsyncDisposable
{
    /// <summary>Connections opened over the pool's life (tests and diagnostics).</summary>
    int ConnectionsOpened { get; }

    ValueTask<IHttpExchange> RentAsync(CancellationToken cancellationToken);

    /// <summary>Gives the exchange back; <paramref name="reuse"/> is false when its response was not read cleanly.</summary>
    ValueTask ReturnAsync(IHttpExchange exchange, bool reuse);
}
