namespace Sluice.Server.Exchange;

/// <summary>
/// Handles one request: reads it (head and body) from the exchange and writes exactly one response. A front calls it
/// on the thread that serves the request (the connection's reactor on the io_uring front); it never sees the front.
/// </summary>
public interface IExchangeHandler
{
    ValueTask HandleAsync(S3Exchange exchange);
}
