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

    /// <summary>
    /// The version's id (<see cref="VersionIds"/>); null for a version written while its bucket was never versioned
    /// (S3's null version, which sends no x-amz-version-id).
    /// </summary>
    public string? VersionId { get; init; }

    /// <summary>A null version written while versioning was suspended (<see cref="VersionId"/> only orders it).</summary>
    public bool IsNullVersion { get; init; }

    /// <summary>A delete marker: no bytes; a key whose newest version it is reads as absent.</summary>
    public bool IsDeleteMarker { get; init; }

    /// <summary>True for S3's null version (never versioned, or written while suspended).</summary>
    public bool IsNull => VersionId == null || IsNullVersion;

    /// <summary>The id S3 reports (listings, headers of a versioned bucket): <c>null</c> for a null version.</summary>
    public string ReportedVersionId => IsNull ? VersionIds.Null : VersionId!;

    /// <summary>What x-amz-version-id says, or null when the header is not sent (a never-versioned write).</summary>
    public string? VersionIdHeader => VersionId == null ? null : ReportedVersionId;
}
