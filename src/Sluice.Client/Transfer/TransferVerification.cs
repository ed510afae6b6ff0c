namespace Sluice.Client.Transfer;

/// <summary>What a transfer's bytes were checked against (<see cref="TransferResult.Verification"/>).</summary>
public enum TransferVerification
{
    /// <summary>Nothing the server offered could be checked (<see cref="TransferResult.UnverifiedReason"/> says why).</summary>
    None,

    /// <summary>A CRC the server stored or computed: full-object, or composite with the same part layout.</summary>
    Checksum,

    /// <summary>The ETag of a single-part object, which is the MD5 of its bytes.</summary>
    Md5ETag,

    /// <summary>The ETag of a multipart object: the MD5 of its parts' MD5s, with the part sizes the server gave.</summary>
    MultipartETag,
}
