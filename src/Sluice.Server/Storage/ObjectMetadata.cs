using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>
/// Everything stored about an object apart from its bytes: what HEAD answers. Read from the object's header block
/// without touching the body.
/// </summary>
public sealed record ObjectMetadata
{
    /// <summary>The full key (also proves the hashed file name belongs to this key).</summary>
    public required string Key { get; init; }

    /// <summary>Body length in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>Quoted ETag: <c>"md5hex"</c>, or <c>"md5hex-N"</c> for a multipart object.</summary>
    public required string ETag { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    public ObjectAttributes Attributes { get; init; } = ObjectAttributes.Empty;

    /// <summary>The additional checksum stored with the object, or None.</summary>
    public ChecksumAlgorithm ChecksumAlgorithm { get; init; }

    /// <summary>Base64 checksum value; for a composite multipart checksum it ends in "-N".</summary>
    public string? Checksum { get; init; }

    /// <summary>"FULL_OBJECT" or "COMPOSITE" (x-amz-checksum-type); null without a checksum.</summary>
    public string? ChecksumType { get; init; }

    /// <summary>Parts of a multipart object; 0 for a single PUT (or a copy of one).</summary>
    public int PartCount { get; init; }
}
