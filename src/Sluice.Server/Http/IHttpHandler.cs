namespace Sluice.Server.Http;

/// <summary>
/// Handles one request on a connection: reads the request (head and body) from the exchange and writes exactly one
/// response. Called on the connection's reactor; the exchange is reused for the connection's next request.
/// </summary>
public interface IHttpHandler
{
    ValueTask HandleAsync(HttpExchange exchange);
}
