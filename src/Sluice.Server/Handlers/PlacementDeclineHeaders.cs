using Sluice.S3.Http;
using Sluice.S3.Placement;
using Sluice.Server.Exchange;

namespace Sluice.Server.Handlers;

/// <summary>
/// Marks an error answer as a placement decline (<c>x-amz-rdma-reply: 501</c>), keeping the request's other scoped
/// headers (CORS). Made only when a placed write is declined.
/// </summary>
internal sealed class PlacementDeclineHeaders(IScopedResponseHeaders? inner) : IScopedResponseHeaders
{
    public void AddTo(S3Exchange exchange)
    {
        inner?.AddTo(exchange);
        exchange.AddHeader(KnownHeader.XAmzRdmaReply, PlacementHeaders.DeclinedUtf8);
    }
}
