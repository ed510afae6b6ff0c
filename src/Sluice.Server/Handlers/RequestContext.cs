using Sluice.Server.Auth;
using Sluice.Server.Routing;

namespace Sluice.Server.Handlers;

/// <summary>Per-connection state the handler reuses for every request of the connection.</summary>
internal sealed class RequestContext
{
    public S3Route Route { get; } = new();

    public PayloadReader Payload { get; } = new();

    private Cors.CorsResponse? _cors;

    /// <summary>The CORS headers of the connection's current request (made on its first request carrying Origin).</summary>
    public Cors.CorsResponse Cors => _cors ??= new();

    /// <summary>The request's access key once authenticated (null: anonymous, or not yet): the access log's principal.</summary>
    public string? Principal { get; set; }
}
