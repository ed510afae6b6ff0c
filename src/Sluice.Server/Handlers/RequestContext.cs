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

    /// <summary>Who the request acts as, once authenticated (the authorization stage's principal).</summary>
    public Access.AccessPrincipal? Caller { get; set; }

    /// <summary>The addressed bucket's access state, once the authorization stage found it (null: none addressed).</summary>
    public Access.BucketAccess? Bucket { get; set; }

    /// <summary>The request's authentication (the policy condition keys s3:authType and s3:signatureversion).</summary>
    public Sluice.S3.Auth.SigV4AuthResult Auth { get; set; }

    /// <summary>What the request's x-amz-rdma-token asks (S3RequestHandler.Placement.cs); None without one.</summary>
    public PlacementAction Placement { get; set; }
}
