namespace Sluice.Client;

/// <summary>Whether object bytes move through placed memory (S3 over RDMA's protocol) or HTTP bodies.</summary>
public enum PlacementMode
{
    /// <summary>HTTP bodies only (no x-amz-rdma-token is sent).</summary>
    Http,

    /// <summary>Shared-memory placement: registering the region must succeed; declined requests fall back to HTTP.</summary>
    Shm,

    /// <summary>Shared-memory placement when the server offers a placement socket, HTTP otherwise.</summary>
    Auto,
}
