namespace Sluice.S3.Placement;

/// <summary>Which provider's format an <c>x-amz-rdma-token</c> is in.</summary>
public enum PlacementTokenKind
{
    /// <summary>Neither format: InvalidRDMAToken.</summary>
    Malformed,

    /// <summary>The same-host shared-memory provider's (<see cref="ShmToken"/>).</summary>
    SharedMemory,

    /// <summary>A cuObject RDMA descriptor (<see cref="CuObjectToken"/>), for a verbs provider.</summary>
    CuObject,
}
