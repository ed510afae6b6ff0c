namespace Sluice.S3.Placement;

/// <summary>
/// The header names and reply values of "S3 over RDMA" (NVIDIA cuObject's protocol, also spoken by MinIO AIStor,
/// NooBaa, Ceph and versitygw): the request names client memory in <c>x-amz-rdma-token</c>; the server answers
/// <c>x-amz-rdma-reply</c> with the status the transfer would have had over HTTP (200, 206) or 501 for a decline.
/// </summary>
public static class PlacementHeaders
{
    public const string Token = "x-amz-rdma-token";
    public const string Reply = "x-amz-rdma-reply";
    public const string BytesTransferred = "x-amz-rdma-bytes-transferred";

    /// <summary>The reply value that declines a placed transfer: the client sends the request over HTTP instead.</summary>
    public const int Declined = 501;

    /// <summary>Longest token a server reads: real tokens are 100–200 bytes; anything much longer is malformed.</summary>
    public const int MaxTokenLength = 1024;

    public static ReadOnlySpan<byte> DeclinedUtf8 => "501"u8;
}
