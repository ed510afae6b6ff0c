namespace Sluice.Server.Handlers;

/// <summary>What the request's x-amz-rdma-token asks of the handler (S3 over RDMA).</summary>
internal enum PlacementAction : byte
{
    /// <summary>No token (or one on an operation without a placed path): plain HTTP.</summary>
    None,

    /// <summary>A valid token for the server's provider: the bytes move through the client's memory.</summary>
    Place,

    /// <summary>A token this server does not place (placement off, or another provider's format): declined, and the
    /// client goes over HTTP.</summary>
    Decline,
}
