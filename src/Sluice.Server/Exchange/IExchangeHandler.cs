namespace Sluice.Server.Exchange;

/// <summary>
/// Handles one request: reads it (head and body) from the exchange and writes exactly one response. A front calls it
/// on the thread that serves the request (the connection's reactor on the io_uring front); it never sees the front.
/// </summary>
public interface IExchangeHandler
{
    ValueTask HandleAsync(S3Exchange exchange);

    /// <summary>
    /// A front answered a request itself, without <see cref="HandleAsync"/> (a malformed or oversized head, a head
    /// that did not arrive in time), once that answer went: the core's accounting (access log, metrics) sees it too.
    /// The head may be partial: only the exchange's request id and response status are meaningful.
    /// </summary>
    void OnFrontAnswered(S3Exchange exchange)
    {
    }
}
